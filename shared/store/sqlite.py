"""The embedded event store: one SQLite file in WAL mode, `synchronous=FULL` (durable).

Why a tailing reader never skips a late commit here: every append runs inside
`BEGIN IMMEDIATE`, which takes SQLite's single database write lock *before* it reads
`MAX(position)`. Positions are therefore handed out and committed in one serial order,
across threads and OS processes alike, so when a reader sees position N, every
position below N is already committed and visible in its WAL snapshot.

Each thread reads through its own connection, so a long read never waits for another
thread's; appends in one process take a native lock first (a prompt hand-over, where
SQLite's busy handler would sleep), then SQLite's lock serializes processes.

Group commit: appends that arrive while another thread is committing queue up, and the
next thread to take the lock commits all of them in one transaction, each inside its
own savepoint (so one refused append leaves the others in place). With synchronous=FULL
the fsync at each commit is most of an append's cost; concurrent commands share it.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.blocking import native_local, native_lock
from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.errors import StoreUnavailable
from shared.integrity import Seal
from shared.keyring import DEVELOPMENT_KEYRING, Keyring
from shared.store.base import (
    STORE_FORMAT,
    ConcurrencyError,
    EventStore,
    Lease,
    Payload,
    StoreFormatError,
    check_batch,
    check_read,
    next_lease,
    outages_are_unavailable,
    prepare_records,
    replayed_batch,
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
    commit_position INTEGER NOT NULL,
    UNIQUE (stream_id, version)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fences (
    name TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seals (
    after_position INTEGER PRIMARY KEY,
    through_position INTEGER NOT NULL,
    events INTEGER NOT NULL,
    digest TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
"""
_COLUMNS = (
    "event_id, type, schema_version, stream_id, version, position,"
    " occurred_at, recorded_at, data, metadata, hash"
)
_SEAL_COLUMNS = "after_position, through_position, events, digest, sealed_at"


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


#: SQLite's primary result codes that mean the file cannot be used now, not that the code is wrong.
_OUTAGES = {
    sqlite3.SQLITE_BUSY: "another process holds its lock",
    sqlite3.SQLITE_LOCKED: "a table is locked",
    sqlite3.SQLITE_IOERR: "a disk I/O error",
    sqlite3.SQLITE_FULL: "its disk is full",
    sqlite3.SQLITE_CANTOPEN: "its file cannot be opened",
}


def outage(error: Exception) -> str | None:
    """Why the SQLite file cannot be used now, when `error` says so (`StoreUnavailable`)."""
    if not isinstance(error, sqlite3.OperationalError):
        return None
    reason = _OUTAGES.get(getattr(error, "sqlite_errorcode", -1) & 0xFF)
    return None if reason is None else f"{reason}: {error}"


def _envelope(row: Sequence[Any]) -> EventEnvelope:
    return stored_envelope({
        "event_id": row[0], "type": row[1], "schema_version": row[2], "stream_id": row[3],
        "version": row[4], "position": row[5], "occurred_at": row[6], "recorded_at": row[7],
        "data": json.loads(row[8]), "metadata": json.loads(row[9]), "hash": row[10],
    })


def _check_format(connection: sqlite3.Connection, path: Path) -> None:
    connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    if row is not None:
        if int(row[0]) != STORE_FORMAT:
            raise StoreFormatError(f"{path} is an event store of format {row[0]}; this version reads "
                                   f"format {STORE_FORMAT}")
        return
    has_events = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
    ).fetchone()
    if has_events:
        raise StoreFormatError(
            f"{path} was written by an earlier version of Anbei (ambiguous stream ids, unkeyed "
            "hashes) and cannot be read by this one: move it aside and start with an empty data folder"
        )
    connection.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)", (str(STORE_FORMAT),))


@dataclass
class _Append:
    """An append waiting for (or done by) a group commit."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    done: bool = False
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    replay: list[EventEnvelope] | None = None
    error: BaseException | None = None


@outages_are_unavailable(outage)
class SQLiteEventStore(EventStore):
    """Event store in one SQLite file; safe for threads and for several processes.

    A write waits up to `busy_timeout_s` for its turn among this process's writers and as long
    for another process's lock on the file; past that, as when the disk is full or failing,
    the call raises `StoreUnavailable`.
    """

    def __init__(
        self, path: str | Path, *, synchronous: str = "FULL", keyring: Keyring = DEVELOPMENT_KEYRING,
        busy_timeout_s: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.keyring = keyring
        self._synchronous = synchronous
        self.busy_timeout_s = busy_timeout_s
        self._write_lock = native_lock()
        self._queue: list[_Append] = []
        self._queue_lock = native_lock()
        #: transactions committed by this handle; fewer than appends when they were grouped
        self.commits = 0
        self._local = native_local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = native_lock()
        setup = self._connection()

        def create() -> None:
            setup.execute("BEGIN IMMEDIATE")
            try:
                _check_format(setup, self.path)
                setup.executescript(_SCHEMA)  # commits the transaction
            except BaseException:
                if setup.in_transaction:
                    setup.execute("ROLLBACK")
                raise

        retry_while_busy(create, 30.0)

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.path, synchronous=self._synchronous, timeout_s=self.busy_timeout_s)
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def pragma(self, name: str) -> Any:
        """A setting of this thread's connection, e.g. `synchronous` (2 = FULL)."""
        return self._connection().execute(f"PRAGMA {name}").fetchone()[0]

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's turn to write. Waiting for it is bounded like SQLite's own wait for
        another process: behind a writer that is itself waiting for a locked file, a command
        gives up after `busy_timeout_s` too, rather than after the sum of every wait ahead."""
        if not self._write_lock.acquire(timeout=self.busy_timeout_s):
            raise StoreUnavailable(f"the event store is unavailable (waited {self.busy_timeout_s:.1f}s for "
                                   "a turn behind this process's other writers); send the same request "
                                   "again later: a retry is recorded once")
        try:
            yield
        finally:
            self._write_lock.release()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._writing():
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        request = _Append(stream_id, expected_version, events)
        with self._queue_lock:
            self._queue.append(request)
        try:
            with self._writing():
                if not request.done:  # nobody took it into their group: commit the queue now
                    with self._queue_lock:
                        group, self._queue = self._queue, []
                    self._commit(group)
        except StoreUnavailable:
            with self._queue_lock:  # gave up waiting: no later group may commit it behind our back
                self._queue = [queued for queued in self._queue if queued is not request]
            raise
        if request.error is not None:
            raise request.error
        if request.replay is not None:
            return request.replay
        return [_envelope(row) for row in request.rows]

    def _commit(self, group: list[_Append]) -> None:
        """Every append in `group` in one transaction, each in its own savepoint."""
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            for request in group:
                db.execute("SAVEPOINT one_append")
                try:
                    self._append_in(db, request)
                    db.execute("RELEASE one_append")
                except Exception as error:
                    if not db.in_transaction:
                        raise  # SQLite rolled the whole transaction back (a full disk, an I/O error)
                    db.execute("ROLLBACK TO one_append")
                    db.execute("RELEASE one_append")
                    request.error, request.rows = error, []
            db.execute("COMMIT")
            self.commits += 1
        except BaseException as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            for request in group:
                request.error = request.error or error
            raise
        finally:
            for request in group:
                request.done = True

    def _append_in(self, db: sqlite3.Connection, request: _Append) -> None:
        stream_id, events = request.stream_id, request.events
        request.replay = replayed_batch(stream_id, events, self._stored_batches(db, events))
        if request.replay is not None:
            return
        version, previous_hash, last_position = db.execute(
            "SELECT COALESCE(MAX(version), 0), (SELECT hash FROM events WHERE stream_id = ?1"
            " ORDER BY version DESC LIMIT 1), (SELECT COALESCE(MAX(position), 0) FROM events)"
            " FROM events WHERE stream_id = ?1", (stream_id,),
        ).fetchone()
        if version != request.expected_version:
            raise ConcurrencyError.stream_moved(stream_id, request.expected_version, version)
        recorded_at = isoformat(now())
        records = prepare_records(self.keyring, stream_id, version + 1, last_position + 1,
                                  previous_hash or "", events, recorded_at)
        request.rows = [
            (r["event_id"], r["type"], r["schema_version"], stream_id, r["version"], r["position"],
             r["occurred_at"], recorded_at, json.dumps(r["data"]), json.dumps(r["metadata"]),
             r["hash"], last_position + 1)
            for r in records
        ]
        db.executemany(
            f"INSERT INTO events ({_COLUMNS}, commit_position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            request.rows,
        )
        if self.before_commit is not None:
            self.before_commit()

    @staticmethod
    def _stored_batches(db: sqlite3.Connection, events: Sequence[NewEvent]) -> list[list[EventEnvelope]]:
        """Every stored batch, whole, that holds one of these event ids (usually none)."""
        ids = [str(event.event_id) for event in events]
        commits = db.execute(
            f"SELECT DISTINCT commit_position FROM events WHERE event_id IN ({','.join('?' * len(ids))})", ids
        ).fetchall()
        batches = []
        for (first,) in commits:  # a batch is the run of positions that starts at its first
            rows = db.execute(f"SELECT {_COLUMNS}, commit_position FROM events"
                              " WHERE position >= ? ORDER BY position", (first,))
            batch = []
            for row in rows:
                if row[11] != first:
                    break
                batch.append(_envelope(row))
            batches.append(batch)
        return batches

    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        return [_envelope(row) for row in self._stream_rows(_COLUMNS, stream_id, from_version, limit)]

    def read_payloads(self, stream_id: str, from_version: int = 1, limit: int | None = None) -> list[Payload]:
        rows = self._stream_rows("version, type, schema_version, data", stream_id, from_version, limit)
        loads = json.loads
        return [Payload(version, type_, schema_version, loads(data))
                for version, type_, schema_version, data in rows]

    def _stream_rows(self, columns: str, stream_id: str, from_version: int, limit: int | None) -> list[Any]:
        return self._connection().execute(
            f"SELECT {columns} FROM events WHERE stream_id = ? AND version >= ?"
            " ORDER BY version LIMIT ?", (stream_id, from_version, -1 if limit is None else limit),
        ).fetchall()

    def read_for_command(
        self, stream_id: str, from_version: int, event_id: uuid.UUID | None, limit: int | None = None
    ) -> tuple[list[EventEnvelope], EventEnvelope | None]:
        rows = self._connection().execute(
            f"SELECT * FROM (SELECT {_COLUMNS}, 0 FROM events WHERE stream_id = ? AND version >= ?"
            f" ORDER BY version LIMIT ?) UNION ALL SELECT {_COLUMNS}, 1 FROM events WHERE event_id = ?"
            " ORDER BY 12, 5",
            (stream_id, from_version, -1 if limit is None else limit, str(event_id) if event_id else ""),
        ).fetchall()
        tail = [_envelope(row) for row in rows if row[11] == 0]
        recorded = next((_envelope(row) for row in rows if row[11] == 1), None)
        return tail, recorded

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        check_read(after_position, limit)
        rows = self._connection().execute(
            f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after_position, limit),
        ).fetchall()
        return [_envelope(row) for row in rows]

    def stream_version(self, stream_id: str) -> int:
        (version,) = self._connection().execute(
            "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream_id = ?", (stream_id,)
        ).fetchone()
        return int(version)

    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        row = self._connection().execute(
            f"SELECT {_COLUMNS} FROM events WHERE event_id = ?", (str(event_id),)
        ).fetchone()
        return _envelope(row) if row else None

    def head_position(self) -> int:
        (position,) = self._connection().execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()
        return int(position)

    def count_after(self, position: int) -> int:
        (count,) = self._connection().execute(
            "SELECT COUNT(*) FROM events WHERE position > ?", (position,)
        ).fetchone()
        return int(count)

    def get_checkpoint(self, name: str) -> int:
        row = self._connection().execute(
            "SELECT position FROM checkpoints WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_checkpoint(self, name: str, position: int) -> None:
        self._connection().execute(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET position = excluded.position",
            (name, position),
        )

    def acquire_lease(self, name: str, owner: str, ttl_s: float, now: float) -> Lease | None:
        with self._write() as db:
            held = db.execute("SELECT owner, epoch, expires_at FROM leases WHERE name = ?",
                              (name,)).fetchone()
            lease = next_lease(name, owner, ttl_s, now, held)
            if lease is not None:
                db.execute("INSERT INTO leases (name, owner, epoch, expires_at) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner,"
                           " epoch = excluded.epoch, expires_at = excluded.expires_at",
                           (name, owner, lease.epoch, lease.expires_at))
        return lease

    def set_fenced_checkpoint(self, name: str, position: int, epoch: int) -> bool:
        with self._write() as db:
            fence = db.execute("SELECT epoch FROM fences WHERE name = ?", (name,)).fetchone()
            if fence is not None and fence[0] > epoch:
                return False
            db.execute("INSERT INTO fences (name, epoch) VALUES (?, ?)"
                       " ON CONFLICT(name) DO UPDATE SET epoch = excluded.epoch", (name, epoch))
            db.execute("INSERT INTO checkpoints (name, position) VALUES (?, ?)"
                       " ON CONFLICT(name) DO UPDATE SET position = excluded.position", (name, position))
        return True

    def read_seals(self, after_position: int = 0) -> list[Seal]:
        rows = self._connection().execute(
            f"SELECT {_SEAL_COLUMNS} FROM seals WHERE after_position >= ? ORDER BY after_position",
            (after_position,),
        ).fetchall()
        return [_seal(row) for row in rows]

    def last_seal(self) -> Seal | None:
        row = self._connection().execute(
            f"SELECT {_SEAL_COLUMNS} FROM seals ORDER BY after_position DESC LIMIT 1"
        ).fetchone()
        return _seal(row) if row else None

    def add_seal(self, seal: Seal) -> bool:
        with self._write() as db:
            cursor = db.execute(
                f"INSERT OR IGNORE INTO seals ({_SEAL_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (seal.after_position, seal.through_position, seal.events, seal.digest, seal.sealed_at),
            )
        return cursor.rowcount == 1

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = native_local()


def _seal(row: Sequence[Any]) -> Seal:
    return Seal(after_position=row[0], through_position=row[1], events=row[2], digest=row[3],
                sealed_at=row[4])
