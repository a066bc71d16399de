"""One fixture, every backend: in-memory, SQLite, mongomock, and a real MongoDB when MONGO_URL is set.

Each backend also supplies ways to change stored history behind the store's back, as
someone with access to the database but not to the key ring could: edit an event's
data, delete an event, move an event to another position. So the integrity checks
are tested on every backend. Stores sign with a key generated for the test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mongomock
import pymongo
import pytest

from shared.keyring import Keyring
from shared.store.base import EventStore
from shared.store.memory import InMemoryEventStore
from shared.store.mongo import MongoEventStore
from shared.store.sqlite import SQLiteEventStore


def _atomic_mongomock_writes() -> None:
    """mongomock checks a unique index and inserts, or reads and increments a counter, as
    separate steps, so two threads can both pass the check: a real server applies each
    write atomically. Serialize mongomock's writes the way a server would."""
    lock = threading.RLock()
    for name in ("insert_one", "insert_many", "update_one", "replace_one", "delete_one",
                 "find_one_and_update", "create_index"):
        method = getattr(mongomock.Collection, name)

        def atomic(self: Any, *args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with lock:
                return __method(self, *args, **kwargs)

        setattr(mongomock.Collection, name, atomic)


_atomic_mongomock_writes()

BACKENDS = ["memory", "sqlite", "mongomock"] + (["mongodb"] if os.environ.get("MONGO_URL") else [])


@dataclass
class Backend:
    name: str
    open: Callable[[], EventStore]
    #: replace the data of the event at a position (its stored hash stays as it was)
    tamper: Callable[[int, dict[str, Any]], None]
    #: replace a stored event's fields wholesale, hash included (a forged rewrite)
    rewrite: Callable[[int, dict[str, Any]], None]
    #: remove the event at a position
    delete: Callable[[int], None]
    #: remove the seal that starts after a position
    delete_seal: Callable[[int], None]


KEYRING = Keyring.generate("test-key")


def _sqlite(tmp_path: Path) -> Backend:
    path = tmp_path / "events.db"

    def execute(sql: str, *args: Any) -> None:
        with sqlite3.connect(path) as db:
            db.execute(sql, args)

    def rewrite(position: int, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            stored = json.dumps(value) if name in ("data", "metadata") else value
            execute(f"UPDATE events SET {name} = ? WHERE position = ?", stored, position)

    return Backend(
        "sqlite", lambda: SQLiteEventStore(path, keyring=KEYRING),
        tamper=lambda position, data: rewrite(position, {"data": data}),
        rewrite=rewrite,
        delete=lambda position: execute("DELETE FROM events WHERE position = ?", position),
        delete_seal=lambda after: execute("DELETE FROM seals WHERE after_position = ?", after),
    )


def _mongo(name: str, database: Any) -> Backend:
    def holding(position: int) -> dict[str, Any]:
        commit: dict[str, Any] = database["commits"].find_one(
            {"_id": {"$lte": position}, "last_position": {"$gte": position}, "void": {"$ne": True}}
        )
        return commit

    def rewrite(position: int, fields: dict[str, Any]) -> None:
        commit = holding(position)
        for event in commit["events"]:
            if event["position"] == position:
                event.update(fields)
        database["commits"].replace_one({"_id": commit["_id"]}, commit)

    def delete(position: int) -> None:
        commit = holding(position)
        commit["events"] = [e for e in commit["events"] if e["position"] != position]
        if commit["events"]:
            database["commits"].replace_one({"_id": commit["_id"]}, commit)
        else:
            database["commits"].delete_one({"_id": commit["_id"]})

    # mongomock creates a collection's store on first use without a lock: two threads using a
    # fresh database at once can each create it, and one loses its writes. Create them first.
    MongoEventStore(database, keyring=KEYRING)
    return Backend(name, lambda: MongoEventStore(database, gap_timeout_s=2.0, keyring=KEYRING),
                   tamper=lambda position, data: rewrite(position, {"data": data}),
                   rewrite=rewrite, delete=delete,
                   delete_seal=lambda after: database["seals"].delete_one({"_id": after}))


def _memory() -> Backend:
    shared = InMemoryEventStore().shared

    def index_of(position: int) -> int:
        return next(i for i, event in enumerate(shared.log) if event.position == position)

    def rewrite(position: int, fields: dict[str, Any]) -> None:
        index = index_of(position)
        shared.log[index] = shared.log[index].model_copy(update=fields)

    def delete(position: int) -> None:
        gone = shared.log.pop(index_of(position))
        shared.streams[gone.stream_id].remove(gone)

    return Backend("memory", lambda: InMemoryEventStore(shared, keyring=KEYRING),
                   tamper=lambda position, data: rewrite(position, {"data": data}),
                   rewrite=rewrite, delete=delete,
                   delete_seal=lambda after: shared.seals.__delitem__(after))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        yield _memory()
    elif request.param == "sqlite":
        yield _sqlite(tmp_path)
    elif request.param == "mongomock":
        yield _mongo("mongomock", mongomock.MongoClient(tz_aware=True)["anbei_test"])
    else:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            os.environ["MONGO_URL"], tz_aware=True
        )
        name = f"anbei_test_{uuid.uuid4().hex[:8]}"
        yield _mongo("mongodb", client[name])
        client.drop_database(name)
        client.close()


@pytest.fixture
def store(backend: Backend) -> EventStore:
    return backend.open()
