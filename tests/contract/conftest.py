"""One fixture, every backend: in-memory, SQLite, mongomock, and a real MongoDB when MONGO_URL is set.

Each backend also supplies `tamper`, which edits stored history behind the store's
back, so the integrity check can be tested on every backend.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mongomock
import pymongo
import pytest

from shared.store.base import EventStore
from shared.store.memory import InMemoryEventStore
from shared.store.mongo import MongoEventStore
from shared.store.sqlite import SQLiteEventStore

BACKENDS = ["memory", "sqlite", "mongomock"] + (["mongodb"] if os.environ.get("MONGO_URL") else [])


@dataclass
class Backend:
    name: str
    open: Callable[[], EventStore]
    tamper: Callable[[int, dict[str, Any]], None]


def _sqlite(tmp_path: Path) -> Backend:
    path = tmp_path / "events.db"

    def tamper(position: int, data: dict[str, Any]) -> None:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE events SET data = ? WHERE position = ?", (json.dumps(data), position))

    return Backend("sqlite", lambda: SQLiteEventStore(path), tamper)


def _mongo(name: str, database: Any) -> Backend:
    def tamper(position: int, data: dict[str, Any]) -> None:
        commit = database["commits"].find_one(
            {"_id": {"$lte": position}, "last_position": {"$gte": position}}
        )
        for event in commit["events"]:
            if event["position"] == position:
                event["data"] = data
        database["commits"].replace_one({"_id": commit["_id"]}, commit)

    return Backend(name, lambda: MongoEventStore(database, gap_timeout_s=2.0), tamper)


def _memory() -> Backend:
    shared = InMemoryEventStore().shared

    def tamper(position: int, data: dict[str, Any]) -> None:
        index = position - 1
        shared.log[index] = shared.log[index].model_copy(update={"data": data})

    return Backend("memory", lambda: InMemoryEventStore(shared), tamper)


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
