"""Read-model storage: JSON documents in SQLite, local to a service and disposable.

Read models are derived from events and can be rebuilt at any time, so they live in
a local SQLite file whatever the event store is. A view transaction also carries the
projection checkpoint and the ids a consumer has applied, so "applied" and "recorded
as applied" commit together: replays and redeliveries change nothing twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.blocking import native_local, native_lock
from shared.errors import NotFound
from shared.store.sqlite import connect, retry_while_busy

Doc = dict[str, Any]
Page = tuple[list[Doc], str | None]
#: a page of snapshots: (stream_id, fingerprint, version, state JSON) each
SnapshotRows = list[tuple[str, str, int, str]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS view_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS view_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    stream_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied_events (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
"""


class Views:
    """Reads and writes inside one view transaction.

    It holds the documents it read or wrote, encoded; a write transaction (`buffered`) writes
    the changed ones in one batch when it commits (or before a range read, which SQL answers):
    a projection reading back what it wrote, or a batch of events touching the same documents
    (a rebuild, a page of catch-up) costs no further statements. Held as JSON text, so a
    document read here is a copy, as one read from the table is. Safe because a transaction
    reads one snapshot, and a write transaction holds SQLite's write lock: no one else can
    change a document meanwhile.
    """

    def __init__(self, connection: sqlite3.Connection, buffered: bool = False) -> None:
        self._db, self._buffered = connection, buffered
        self._held: dict[tuple[str, str], str | None] = {}
        self._changed: set[tuple[str, str]] = set()

    def get(self, collection: str, key: str) -> Doc | None:
        if (collection, key) in self._held:
            text = self._held[collection, key]
        else:
            row = self._db.execute(
                "SELECT doc FROM documents WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
            text = self._held[collection, key] = row[0] if row else None
        return json.loads(text) if text is not None else None

    def put(self, collection: str, key: str, doc: Doc) -> None:
        self._hold(collection, key, json.dumps(doc, sort_keys=True, ensure_ascii=False))

    def _hold(self, collection: str, key: str, text: str | None) -> None:
        """A document's new text (None: deleted), written now or, when buffered, at the next flush."""
        self._held[collection, key] = text
        self._changed.add((collection, key))
        if not self._buffered:
            self.flush()

    def flush(self) -> None:
        """Write the documents changed since the last flush (before a commit or a range read)."""
        if not self._changed:
            return
        puts, deletes = [], []
        for collection, key in self._changed:
            text = self._held[collection, key]
            if text is None:
                deletes.append((collection, key))
            else:
                puts.append((collection, key, text))
        self._changed.clear()
        if puts:
            self._db.executemany(
                "INSERT INTO documents (collection, key, doc) VALUES (?, ?, ?)"
                " ON CONFLICT(collection, key) DO UPDATE SET doc = excluded.doc", puts)
        if deletes:
            self._db.executemany("DELETE FROM documents WHERE collection = ? AND key = ?", deletes)

    def list(self, collection: str, key_prefix: str = "", below: str | None = None) -> list[Doc]:
        """The documents whose keys start with `key_prefix` (and sort before `below`), in key order."""
        self.flush()
        high = key_prefix + "\U0010ffff"
        rows = self._db.execute(
            "SELECT doc FROM documents WHERE collection = ? AND key >= ? AND key < ? ORDER BY key",
            (collection, key_prefix, high if below is None else min(high, below)),
        )
        return [json.loads(doc) for (doc,) in rows]

    def page(
        self, collection: str, key_prefix: str = "", after_key: str | None = None, limit: int = 100
    ) -> Page:
        """Up to `limit` documents in key order after `after_key`; and the last key if more follow."""
        self.flush()
        start, low = (">=", key_prefix) if after_key is None or after_key < key_prefix else (">", after_key)
        rows = self._db.execute(
            f"SELECT key, doc FROM documents WHERE collection = ? AND key {start} ? AND key < ?"
            " ORDER BY key LIMIT ?",
            (collection, low, key_prefix + "\U0010ffff", limit + 1),
        ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return [json.loads(doc) for _, doc in rows], (rows[-1][0] if more else None)

    def delete(self, collection: str, key: str) -> None:
        """Remove one document (a read model that indexes only some states, e.g. shortages)."""
        self._hold(collection, key, None)

    def clear(self, collection: str) -> None:
        self.flush()
        self._db.execute("DELETE FROM documents WHERE collection = ?", (collection,))
        for held in [held for held in self._held if held[0] == collection]:
            del self._held[held]

    def checkpoint(self, name: str) -> int:
        row = self._db.execute(
            "SELECT position FROM view_checkpoints WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_checkpoint(self, name: str, position: int) -> None:
        self._db.execute(
            "INSERT INTO view_checkpoints (name, position) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET position = excluded.position",
            (name, position),
        )

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM view_meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO view_meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def mark_applied(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` applied `event_id`; False when it already had."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO applied_events (consumer, event_id) VALUES (?, ?)",
            (consumer, event_id),
        )
        return cursor.rowcount == 1


class ViewStoreOwnedElsewhere(RuntimeError):
    """The read-model file belongs to another service."""


class ViewStore:
    """A service's read models in one SQLite file (or `:memory:` for a scratch rebuild).

    Each thread reads through its own connection (WAL), so a read never waits for a
    projection writing a page or a long transaction elsewhere; writes take a native lock
    and SQLite's write lock. A `:memory:` store has one connection, shared under the lock.

    A file records the service that owns it: two services on one file would share
    checkpoints and corrupt each other's read models, so another owner is refused.
    """

    def __init__(self, path: str | Path, owner: str | None = None) -> None:
        self._path = str(path)
        self._lock = native_lock()
        self._local = native_local()
        self._connections: list[sqlite3.Connection] = []
        self._shared: sqlite3.Connection | None = None
        if self._path == ":memory:":
            self._shared = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        first = self._connection()
        retry_while_busy(lambda: first.executescript(_SCHEMA), 30.0)
        if owner is not None:
            self._claim(self._path, owner)

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self._path, synchronous="NORMAL")
            with self._lock:
                self._connections.append(connection)
        return connection

    def _claim(self, path: str, owner: str) -> None:
        with self.transaction() as views:
            views._db.execute("INSERT OR IGNORE INTO view_meta (key, value) VALUES ('owner', ?)", (owner,))
            (holder,) = views._db.execute("SELECT value FROM view_meta WHERE key = 'owner'").fetchone()
        if holder != owner:
            self.close()
            raise ViewStoreOwnedElsewhere(
                f"VIEW_STORE_PATH: {path} holds the read models of {holder}, not {owner}; "
                "give every service its own file"
            )

    @contextmanager
    def transaction(self) -> Iterator[Views]:
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            views = self._local.writing = Views(db, buffered=True)
            try:
                yield views
                views.flush()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                self._local.writing = None
            db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Views]:
        """Reads in one snapshot of the read models (a transaction of their own)."""
        writing: Views | None = getattr(self._local, "writing", None)
        if writing is not None:  # nested in this thread's own write: read what it wrote
            yield writing
            return
        if self._shared is not None:
            with self._lock:
                yield Views(self._shared)
            return
        db = self._connection()
        if db.in_transaction:  # nested in this thread's own read: the same snapshot
            yield Views(db)
            return
        db.execute("BEGIN")
        try:
            yield Views(db)
        finally:
            db.execute("COMMIT")

    def get(self, collection: str, key: str) -> Doc | None:
        with self.reading() as views:
            return views.get(collection, key)

    def list(self, collection: str, key_prefix: str = "", below: str | None = None) -> list[Doc]:
        with self.reading() as views:
            return views.list(collection, key_prefix, below)

    def page(
        self, collection: str, key_prefix: str = "", after_key: str | None = None, limit: int = 100
    ) -> Page:
        with self.reading() as views:
            return views.page(collection, key_prefix, after_key, limit)

    def load_snapshot(self, stream_id: str) -> tuple[str, int, str] | None:
        """The stream's snapshot as (fingerprint, version, state JSON), if any."""
        with self.reading() as views:
            row = views._db.execute(
                "SELECT fingerprint, version, state FROM snapshots WHERE stream_id = ?", (stream_id,)
            ).fetchone()
        return (str(row[0]), int(row[1]), str(row[2])) if row else None

    def save_snapshot(self, stream_id: str, fingerprint: str, version: int, state: str) -> None:
        """Keep the newest snapshot of a stream (an older one never replaces a newer one)."""
        with self.transaction() as views:
            views._db.execute(
                "INSERT INTO snapshots (stream_id, fingerprint, version, state) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(stream_id) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " version = excluded.version, state = excluded.state"
                " WHERE excluded.version >= snapshots.version"
                " OR excluded.fingerprint != snapshots.fingerprint",
                (stream_id, fingerprint, version, state),
            )

    def snapshots_after(self, stream_id: str, limit: int = 500) -> SnapshotRows:
        """A page of snapshots in stream order: (stream_id, fingerprint, version, state)."""
        with self.reading() as views:
            rows = views._db.execute(
                "SELECT stream_id, fingerprint, version, state FROM snapshots WHERE stream_id > ?"
                " ORDER BY stream_id LIMIT ?", (stream_id, limit),
            ).fetchall()
        return [(str(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]

    def require(self, collection: str, key: str, message: str, field: str) -> Doc:
        """The document, or `NotFound(message, field)` when there is none."""
        doc = self.get(collection, key)
        if doc is None:
            raise NotFound(message, field=field)
        return doc

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            if self._shared is not None:
                self._shared.close()
        self._local = native_local()
