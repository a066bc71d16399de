"""Taking a backup while the platform runs.

SQLite: each store is copied with SQLite's online backup API (`Connection.backup`), in
pages, never by copying the file (a live WAL database's file alone is not the database).
Before any copying starts, a read transaction is opened on every store: in WAL mode that
is a snapshot that writers do not wait for, and every page copied comes from it. So each
copy is exactly one consistent moment of its store, and the stores' moments lie within
milliseconds of each other. Without the held transaction SQLite would restart a paged
copy whenever another process commits, and a busy store's copy would never finish.

The copy is then checked (chains and seals with the key ring), stamped with the backup's
id and service, turned into a single self-contained file (rollback journal, no -wal), and
summed up in the signed manifest, which is written last.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from services.backup.catalog import mongo_database
from services.backup.facts import StoreFacts, survey
from services.backup.folders import move_into_place, require_empty, staging
from services.backup.manifest import (
    MANIFEST,
    Backend,
    BackupError,
    Manifest,
    StoreEntry,
    platform_version,
)
from shared.envelope import now
from shared.keyring import Keyring
from shared.store import EventStore, open_store
from shared.store.sqlite import SQLiteEventStore

#: pages per step of the online backup (4 MiB of 4 KiB pages)
PAGES = 1024


@dataclass
class _Snapshot:
    """An open read transaction on one live store: the store as it was at `taken_at`."""

    service: str
    connection: sqlite3.Connection
    opened: float
    taken_at: datetime


def take_backup(sources: Mapping[str, Path], dest: Path, keyring: Keyring, *, pages: int = PAGES) -> Manifest:
    """Copy every store in `sources` (service -> SQLite file) into the new folder `dest`."""
    require_empty(dest, "the backup folder")
    missing = [f"{service} ({path})" for service, path in sources.items() if not path.is_file()]
    if missing:
        raise BackupError(f"no event store for {', '.join(missing)}: is DATA_DIR right? "
                          "every service creates its store when it first starts")
    backup_id, started_at = uuid.uuid4().hex, now()
    with staging(dest, ".backup-") as stage:
        snapshots: list[_Snapshot] = []
        held = {}
        try:
            for service, path in sources.items():  # every snapshot first: the points lie close together
                snapshots.append(_open_snapshot(service, path))
            for snapshot in snapshots:
                held[snapshot.service] = _copy(snapshot, stage / _file_name(snapshot.service), pages)
        finally:
            for snapshot in snapshots:
                snapshot.connection.close()
        entries = {snapshot.service: _entry(snapshot, stage, keyring, backup_id, held[snapshot.service])
                   for snapshot in snapshots}
        manifest = _manifest(backup_id, "sqlite", started_at, keyring, entries)
        manifest.write(stage)
        move_into_place(stage, dest, last=MANIFEST)
    return manifest


def take_mongo_manifest(url: str, services: list[str], dest: Path, keyring: Keyring) -> Manifest:
    """The manifest of MongoDB stores, to be taken right *before* `mongodump --oplog`: every
    event it lists must then be in the dump (the stores only ever grow)."""
    require_empty(dest, "the backup folder")
    backup_id, started_at = uuid.uuid4().hex, now()
    entries = {}
    for service in services:
        store = open_store(url, keyring=keyring, default_database=mongo_database(service))
        try:
            taken_at = now()
            facts = _checked_facts(service, store, keyring)
        finally:
            store.close()
        entries[service] = StoreEntry(file=None, bytes=None, sha256=None, taken_at=taken_at, facts=facts)
    manifest = _manifest(backup_id, "mongodb", started_at, keyring, entries)
    with staging(dest, ".backup-") as stage:
        manifest.write(stage)
        move_into_place(stage, dest)
    return manifest


def _file_name(service: str) -> str:
    return f"{service}-events.db"


def _open_snapshot(service: str, path: Path) -> _Snapshot:
    connection: sqlite3.Connection | None = None
    try:  # mode=rw: never create a store that is not there
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30,
                                     isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN")
        connection.execute("SELECT COUNT(*) FROM sqlite_master")  # the snapshot starts at this read
    except sqlite3.DatabaseError as error:
        if connection is not None:
            connection.close()
        raise BackupError(f"{service}: cannot read {path}: {error}") from None
    return _Snapshot(service, connection, time.monotonic(), now())


def _copy(snapshot: _Snapshot, target: Path, pages: int) -> float:
    """Copy the snapshot page by page; how long its read transaction was open."""
    destination = sqlite3.connect(target, isolation_level=None)
    try:
        snapshot.connection.backup(destination, pages=pages)
    finally:
        destination.close()
    snapshot.connection.execute("COMMIT")  # ends the read transaction
    return time.monotonic() - snapshot.opened


def _entry(snapshot: _Snapshot, stage: Path, keyring: Keyring, backup_id: str, held_s: float) -> StoreEntry:
    path = stage / _file_name(snapshot.service)
    store = SQLiteEventStore(path, keyring=keyring)
    try:
        facts = _checked_facts(snapshot.service, store, keyring)
    finally:
        store.close()
    _stamp(path, backup_id, snapshot.service)
    return StoreEntry(file=path.name, bytes=path.stat().st_size, sha256=file_sha256(path),
                      taken_at=snapshot.taken_at, facts=facts, snapshot_held_s=round(held_s, 4))


def _checked_facts(service: str, store: EventStore, keyring: Keyring) -> StoreFacts:
    found = survey(store, keyring)
    if found.problems:
        problems = "; ".join(found.problems)
        raise BackupError(f"{service}: the live store fails its integrity check ({problems}); "
                          "a backup of it would be refused on restore: run the service's verify and "
                          "investigate first")
    return found.facts


def _stamp(path: Path, backup_id: str, service: str) -> None:
    """Name the copy's backup and service inside it (so a restore can say where a stray file
    came from), and make it one self-contained file."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               [("backup.id", backup_id), ("backup.service", service)])
    finally:
        connection.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(backup_id: str, backend: Backend, started_at: datetime, keyring: Keyring,
              entries: dict[str, StoreEntry]) -> Manifest:
    return Manifest(backup_id=backup_id, backend=backend, started_at=started_at,
                    finished_at=now(), platform_version=platform_version(),
                    signing_key_id=keyring.current_key_id, stores=entries).signed(keyring)
