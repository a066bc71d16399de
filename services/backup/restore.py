"""Restoring a SQLite backup into an empty data folder, all or nothing, and proving it first.

In order: the manifest's signature (with the key ring), the target is empty, each file is
copied into a staging folder inside the target and its size and sha256 checked, each
restored store is opened and checked against the manifest (`services.backup.check`:
chains, seals, head, every event) and its read models are rebuilt and verified. Only when
every store passes is anything moved into place; on any failure the staging folder is
removed and the target is left as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from services.backup.catalog import STORES, local_paths
from services.backup.check import StoreCheck, check_store
from services.backup.folders import move_into_place, require_empty, staging
from services.backup.manifest import BackupError, Manifest, StoreEntry, load_manifest, platform_version
from services.backup.take import file_sha256
from shared.keyring import Keyring
from shared.store import StoreFormatError
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore

KEY_FILE = Path("secrets") / "event-hmac-keys"


@dataclass
class RestoreReport:
    manifest: Manifest
    checks: list[StoreCheck]
    notes: list[str] = field(default_factory=list)


def restore(
    src: Path, data_dir: Path, keyring: Keyring, *, key_file_text: str | None = None
) -> RestoreReport:
    """Restore the backup in `src` into the empty folder `data_dir`; with `key_file_text`, the
    key ring is installed where a local platform reads it (`$DATA_DIR/secrets/event-hmac-keys`)."""
    manifest = trusted_manifest(src, keyring, backend="sqlite")
    require_empty(data_dir, "the data folder")
    with staging(data_dir, ".restore-") as stage:
        _stage_files(src, manifest, stage)
        checks = [_restore_store(service, entry, stage, keyring)
                  for service, entry in manifest.stores.items()]
        problems = [problem for check in checks for problem in check.problems]
        if problems:
            raise BackupError("the restored stores do not match the manifest: " + "; ".join(problems))
        if key_file_text is not None:
            _install_key(stage, key_file_text)
        move_into_place(stage, data_dir)
    return RestoreReport(manifest, checks, _notes(manifest))


def check_backup(src: Path, keyring: Keyring) -> RestoreReport:
    """Everything a restore does, into a scratch folder that is thrown away: proves a backup
    restores without touching the platform."""
    with tempfile.TemporaryDirectory(prefix="anbei-backup-check-") as scratch:
        return restore(src, Path(scratch) / "data", keyring)


def trusted_manifest(src: Path, keyring: Keyring, backend: str) -> Manifest:
    """The backup's manifest, once its signature holds and it names only stores this version knows."""
    manifest = load_manifest(src)
    problem = manifest.signature_problem(keyring)
    if problem is not None:
        raise BackupError(problem)
    if manifest.backend != backend:
        raise BackupError(f"this backup is of {manifest.backend} stores, not {backend}: see the README's "
                          "Backups section (MongoDB: mongorestore, then verify-backup --store)")
    unknown = sorted(set(manifest.stores) - set(STORES))
    if unknown:
        raise BackupError(f"the backup holds stores this version does not know: {', '.join(unknown)}")
    return manifest


def _stage_files(src: Path, manifest: Manifest, stage: Path) -> None:
    problems = []
    for service, entry in manifest.stores.items():
        source = src / str(entry.file)
        if not source.is_file():
            problems.append(f"{entry.file} ({service}) is missing from the backup")
            continue
        staged = stage / local_paths(service, stage)[0].name
        shutil.copyfile(source, staged)
        if (problem := _file_problem(staged, service, entry, manifest.backup_id)) is not None:
            problems.append(problem)
    if problems:
        raise BackupError("the backup is not whole: " + "; ".join(problems))


def _file_problem(path: Path, service: str, entry: StoreEntry, backup_id: str) -> str | None:
    size, digest = path.stat().st_size, file_sha256(path)
    if (size, digest) == (entry.bytes, entry.sha256):
        return None
    name = f"{entry.file} ({service})"
    origin = _origin(path)
    if origin is not None and origin[1] != service:
        return f"{name} holds the {origin[1]} store, not the {service} store (files mixed up)"
    if origin is not None and origin[0] != backup_id:
        return f"{name} comes from another backup ({origin[0]}), not from this one ({backup_id})"
    return (f"{name} was changed or truncated: it has {size} bytes with sha256 {digest[:16]}…, the "
            f"manifest says {entry.bytes} bytes with sha256 {str(entry.sha256)[:16]}…")


def _origin(path: Path) -> tuple[str, str] | None:
    """(backup id, service) stamped inside a copy, when the file still reads as one."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = dict(connection.execute(
                "SELECT key, value FROM meta WHERE key IN ('backup.id', 'backup.service')").fetchall())
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return (rows["backup.id"], rows["backup.service"]) if len(rows) == 2 else None


def _restore_store(service: str, entry: StoreEntry, stage: Path, keyring: Keyring) -> StoreCheck:
    events_path, views_path = local_paths(service, stage)
    read_models = STORES[service]
    try:
        store = SQLiteEventStore(events_path, keyring=keyring)
    except (StoreFormatError, sqlite3.DatabaseError) as error:
        raise BackupError(f"{entry.file} ({service}) cannot be opened: {error}") from None
    views = ViewStore(views_path if read_models.on_disk else ":memory:", owner=service)
    try:
        return check_store(service, store, entry, keyring, views=views, read_models=read_models, exact=True)
    finally:
        views.close()
        store.close()


def _install_key(stage: Path, text: str) -> None:
    path = stage / KEY_FILE
    path.parent.mkdir(mode=0o700)
    path.write_text(text)
    path.chmod(0o600)


def _notes(manifest: Manifest) -> list[str]:
    notes = [f"the backup holds no {service} store (taken before there was one): it starts empty"
             for service in STORES if service not in manifest.stores]
    running = platform_version()
    if manifest.platform_version != running:
        notes.append(f"the backup was taken by Anbei {manifest.platform_version}; this is {running}")
    return notes
