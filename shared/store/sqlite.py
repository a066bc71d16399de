"""The embedded event store: one SQLite file in WAL mode, `synchronous=FULL` (durable).

Why a tailing reader never skips a late commit here: every append runs inside
`BEGIN IMMEDIATE`, which takes SQLite's single database write lock *before* it reads
`MAX(position)`. Positions are therefore handed out and committed in one serial order,
across threads and OS processes alike, so when a reader sees position N, every
position below N is already committed and visible in its WAL snapshot.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.blocking import native_lock
from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.store.base import (
    ConcurrencyError,
    EventStore,
    check_batch,
    replayed_batch,
    seal,
    stored_envelope,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream_id, version)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
"""
_COLUMNS = (
    "event_id, type, schema_version, stream_id, version, position,"
    " occurred_at, recorded_at, data, metadata, hash"
)


def connect(path: str | Path, *, synchronous: str = "FULL", timeout_s: float = 30.0) -> sqlite3.Connection:
    """A WAL connection in autocommit mode: transactions are opened explicitly."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        str(path), timeout=timeout_s, isolation_level=None, check_same_thread=False
    )
    retry_while_busy(lambda: connection.execute("PRAGMA journal_mode=WAL"), timeout_s)
    connection.execute(f"PRAGMA synchronous={synchronous}")
    return connection


def retry_while_busy(step: Callable[[], object], timeout_s: float) -> None:
    """Run a setup step, retrying on SQLITE_BUSY.

    Turning a new file into WAL mode needs an exclusive lock, and SQLite reports
    BUSY at once, without its busy handler, when another process is doing the
    same: several services or test handles opening one new file at once.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _envelope(row: tuple[Any, ...]) -> EventEnvelope:
    return stored_envelope({
        "event_id": row[0], "type": row[1], "schema_version": row[2], "stream_id": row[3],
        "version": row[4], "position": row[5], "occurred_at": row[6], "recorded_at": row[7],
        "data": json.loads(row[8]), "metadata": json.loads(row[9]), "hash": row[10],
    })


class SQLiteEventStore(EventStore):
    """Event store in one SQLite file; safe for threads and for several processes."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        self._connection = connect(self.path, synchronous=synchronous)
        self._lock = native_lock()
        with self._lock:
            retry_while_busy(lambda: self._connection.executescript(_SCHEMA), 30.0)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        with self._write() as db:
            replay = replayed_batch(stream_id, events, self._stored(db, events))
            if replay is not None:
                return replay
            head = db.execute(
                "SELECT version, hash FROM events WHERE stream_id = ?"
                " ORDER BY version DESC LIMIT 1", (stream_id,),
            ).fetchone()
            version, previous_hash = head if head else (0, "")
            if version != expected_version:
                raise ConcurrencyError.stream_moved(stream_id, expected_version, version)
            (last_position,) = db.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()
            recorded_at = isoformat(now())
            records = seal(stream_id, version + 1, last_position + 1, previous_hash, events, recorded_at)
            rows = [
                (r["event_id"], r["type"], r["schema_version"], stream_id, r["version"], r["position"],
                 r["occurred_at"], recorded_at, json.dumps(r["data"]), json.dumps(r["metadata"]),
                 r["hash"])
                for r in records
            ]
            db.executemany(f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            if self.before_commit is not None:
                self.before_commit()
        return [_envelope(row) for row in rows]

    @staticmethod
    def _stored(db: sqlite3.Connection, events: Sequence[NewEvent]) -> list[EventEnvelope]:
        ids = [str(event.event_id) for event in events]
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT {_COLUMNS} FROM events WHERE event_id IN ({marks})", ids)
        return [_envelope(row) for row in rows]

    def read_stream(self, stream_id: str, from_version: int = 1) -> list[EventEnvelope]:
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? AND version >= ?"
                " ORDER BY version", (stream_id, from_version),
            ).fetchall()
        return [_envelope(row) for row in rows]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (after_position, limit),
            ).fetchall()
        return [_envelope(row) for row in rows]

    def stream_version(self, stream_id: str) -> int:
        with self._lock:
            (version,) = self._connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?", (stream_id,)
            ).fetchone()
        return int(version)

    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        with self._lock:
            row = self._connection.execute(
                f"SELECT {_COLUMNS} FROM events WHERE event_id = ?", (str(event_id),)
            ).fetchone()
        return _envelope(row) if row else None

    def head_position(self) -> int:
        with self._lock:
            (position,) = self._connection.execute(
                "SELECT COALESCE(MAX(position), 0) FROM events"
            ).fetchone()
        return int(position)

    def get_checkpoint(self, name: str) -> int:
        with self._lock:
            row = self._connection.execute(
                "SELECT position FROM checkpoints WHERE name = ?", (name,)
            ).fetchone()
        return int(row[0]) if row else 0

    def set_checkpoint(self, name: str, position: int) -> None:
        with self._lock:
            self._connection.execute(
                "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET position = excluded.position",
                (name, position),
            )

    def close(self) -> None:
        with self._lock:
            self._connection.close()
