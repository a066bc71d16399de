"""A store that cannot reach its storage says so with one kernel error, `StoreUnavailable`, on
every backend, and leaves nothing half-written: the same batch appends once when it is back.

SQLite: the file locked by another connection past the wait (SQLITE_BUSY) and the database full
(SQLITE_FULL, made here with `max_page_count`; `tests/fault/test_store_unavailable.py` fills a
real filesystem). MongoDB: the driver's outage errors injected into mongomock. Errors that are
not outages (a bug, a bad query) stay as they are.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mongomock
import pytest
from pymongo.errors import AutoReconnect, NotPrimaryError, OperationFailure, ServerSelectionTimeoutError

from shared.envelope import NewEvent
from shared.errors import StoreUnavailable
from shared.store.mongo import MongoEventStore
from shared.store.sqlite import SQLiteEventStore
from tests.contract.conftest import KEYRING
from tests.contract.test_event_store import WHEN


def batch(size: int, padding: int = 0) -> list[NewEvent]:
    return [NewEvent(type="StockReceived", occurred_at=WHEN, data={"quantity": n, "note": "x" * padding})
            for n in range(size)]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    store = SQLiteEventStore(tmp_path / "events.db", keyring=KEYRING, busy_timeout_s=0.3)
    yield store
    store.close()


def test_a_write_to_a_file_another_process_locks_is_unavailable_and_the_batch_appends_once_after(
    sqlite_store: SQLiteEventStore,
) -> None:
    sqlite_store.append("stock:a", 0, batch(1))
    other = sqlite3.connect(sqlite_store.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    events = batch(3)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="another process holds its lock") as raised:
        sqlite_store.append("stock:a", 1, events)
    assert time.monotonic() - started < 3, "it waited far past its busy timeout"
    assert raised.value.code == "store_unavailable"
    assert len(sqlite_store.read_stream("stock:a")) == 1  # readers are not held up (WAL)
    with pytest.raises(StoreUnavailable):
        sqlite_store.set_checkpoint("outbox-relay", 1)  # the relay's writes report it the same way
    other.execute("ROLLBACK")
    other.close()

    stored = sqlite_store.append("stock:a", 1, events)
    assert [e.version for e in stored] == [2, 3, 4]
    assert sqlite_store.append("stock:a", 1, events) == stored  # a retry: recorded once
    assert sqlite_store.head_position() == 4


def test_a_full_database_is_unavailable_and_keeps_no_part_of_the_batch(
    sqlite_store: SQLiteEventStore,
) -> None:
    sqlite_store.append("stock:a", 0, batch(1))
    connection = sqlite_store._connection()  # this thread's: the one the append uses
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages + 2}")
    events = batch(40, padding=2000)  # ≈ 80 kB: far more than two pages
    with pytest.raises(StoreUnavailable, match="disk is full"):
        sqlite_store.append("stock:a", 1, events)
    assert sqlite_store.stream_version("stock:a") == 1
    assert sqlite_store.head_position() == 1
    assert all(sqlite_store.get_event(e.event_id) is None for e in events)

    connection.execute("PRAGMA max_page_count = 1073741823")
    stored = sqlite_store.append("stock:a", 1, events)
    assert [e.position for e in stored] == list(range(2, 42))


def _mongomock_store() -> MongoEventStore:
    database: Any = mongomock.MongoClient(tz_aware=True)[f"anbei_{uuid.uuid4().hex[:8]}"]
    return MongoEventStore(database, keyring=KEYRING)


OUTAGES = [
    AutoReconnect("connection reset by peer"),
    NotPrimaryError("not primary"),
    ServerSelectionTimeoutError("mongo-0:27017: [Errno 111] Connection refused, Timeout: 30s, "
                                "Topology Description: <TopologyDescription " + "x" * 2000 + ">"),
]


def _failing(error: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize("error", OUTAGES, ids=lambda error: type(error).__name__)
def test_an_append_mongodb_cannot_take_is_unavailable_and_the_same_batch_appends_once_after(
    error: Exception, monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _mongomock_store()
    store.append("stock:a", 0, batch(1))
    events = batch(3)
    with monkeypatch.context() as failing:
        failing.setattr(store._commits, "insert_one", _failing(error))
        with pytest.raises(StoreUnavailable, match=type(error).__name__) as raised:
            store.append("stock:a", 1, events)
    assert len(raised.value.message) < 400, "the whole topology description came along"
    assert store.stream_version("stock:a") == 1
    assert [e.version for e in store.read_all(0, 10)] == [1]  # its reserved positions were voided

    stored = store.append("stock:a", 1, events)
    assert [e.version for e in stored] == [2, 3, 4]
    assert store.append("stock:a", 1, events) == stored
    assert [e.version for e in store.read_all(0, 10)] == [1, 2, 3, 4]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda error: type(error).__name__)
def test_a_read_mongodb_cannot_answer_is_unavailable(
    error: Exception, monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _mongomock_store()
    store.append("stock:a", 0, batch(2))
    monkeypatch.setattr(store._commits, "find", _failing(error))
    monkeypatch.setattr(store._commits, "find_one", _failing(error))
    for read in (lambda: store.read_all(0, 10), lambda: store.read_stream("stock:a"),
                 lambda: store.head_position(), lambda: store.stream_version("stock:a")):
        with pytest.raises(StoreUnavailable):
            read()


def test_a_mongodb_error_that_is_not_an_outage_stays_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _mongomock_store()
    monkeypatch.setattr(store._commits, "find", _failing(OperationFailure("unknown operator: $bad")))
    with pytest.raises(OperationFailure):
        store.read_all(0, 10)
