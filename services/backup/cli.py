"""`python -m services backup DEST | restore SRC | verify-backup SRC`: the record's backups from a shell.

Configured like the platform (`DATA_DIR`, `EVENT_STORE_URL`, `EVENT_HMAC_KEYS`; see the
README's Configuration and Backups sections). Exit codes: 0 done, 1 refused (the message
says why), 2 a configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from services.backup.catalog import STORES
from services.backup.manifest import BackupError, Manifest
from services.backup.mongo import check_mongo_restore
from services.backup.restore import RestoreReport, check_backup, restore
from services.backup.take import take_backup, take_mongo_manifest
from shared.config import ConfigError, Settings, load_settings
from shared.keyring import Keyring, KeyringError

COMMANDS = ("backup", "restore", "verify-backup")
#: measured (loadtests/bench_backup.py): the writers' p99 during backups went from 1.4x to 1.05x
BACKUP_NICENESS = 10
NO_KEYRING = ("no key ring: set EVENT_HMAC_KEYS or pass --key-file (the copy of "
              "$DATA_DIR/secrets/event-hmac-keys that is kept apart from the backups)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services", description="Back up and restore the record.")
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser("backup", help="copy every event store into the new folder DEST, "
                                 "while the platform runs (MongoDB: the manifest to take before mongodump)")
    backup.add_argument("dest", type=Path)
    backup.add_argument("--nice", type=int, default=BACKUP_NICENESS, metavar="N",
                        help=f"run at this CPU niceness (default {BACKUP_NICENESS}): the services' commands "
                        "go first, the backup takes longer")
    restore_ = commands.add_parser("restore", help="restore the backup in SRC into the empty DATA_DIR")
    restore_.add_argument("src", type=Path)
    restore_.add_argument("--key-file", type=Path, help="the key ring, when EVENT_HMAC_KEYS is not set; "
                          "installed as $DATA_DIR/secrets/event-hmac-keys")
    verify = commands.add_parser("verify-backup", help="prove the backup in SRC restores (into a scratch "
                                 "folder), or that the MongoDB stores at --store hold what it lists")
    verify.add_argument("src", type=Path)
    verify.add_argument("--store", help="a mongodb:// URL without a database (each service: anbei_<service>)")
    verify.add_argument("--key-file", type=Path, help="the key ring, when EVENT_HMAC_KEYS is not set")
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = {service: load_settings(service) for service in STORES}
        lines = _run(args, settings)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except BackupError as error:
        print(f"{args.command} refused: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _run(args: argparse.Namespace, settings: dict[str, Settings]) -> list[str]:
    any_settings = next(iter(settings.values()))
    if args.command == "backup":
        os.nice(args.nice)
        return _backup(args.dest, settings)
    if args.command == "restore":
        if _mongo_url(any_settings):
            raise BackupError("EVENT_STORE_URL is MongoDB: restore with mongorestore --oplogReplay, then "
                              "check with verify-backup --store (see the README's Backups section)")
        keyring, text = _keyring(any_settings, args.key_file, local=False)
        report = restore(args.src, any_settings.data_dir, keyring, key_file_text=text)
        heading = f"restored backup {report.manifest.backup_id} into {any_settings.data_dir}:"
        return [heading, *_summary(report)]
    keyring, _ = _keyring(any_settings, args.key_file, local=True)
    if args.store is not None:
        report = check_mongo_restore(args.src, _checked_mongo_url(args.store), keyring)
        return [f"the stores at {_redacted(args.store)} hold every event backup "
                f"{report.manifest.backup_id} lists:", *_summary(report)]
    report = check_backup(args.src, keyring)
    return [f"backup {report.manifest.backup_id} restores whole:", *_summary(report)]


def _backup(dest: Path, settings: dict[str, Settings]) -> list[str]:
    any_settings = next(iter(settings.values()))
    keyring, _ = _keyring(any_settings, None, local=True)
    if _mongo_url(any_settings):
        url = _checked_mongo_url(any_settings.event_store_url)
        manifest = take_mongo_manifest(url, list(settings), dest, keyring)
        return [*_taken(manifest, dest), f"now dump the stores: mongodump --uri='{_redacted(url)}' --oplog "
                f"--gzip --archive={dest}/mongodump.archive (see the README's Backups section)"]
    sources = {service: _sqlite_path(s) for service, s in settings.items()}
    if len(set(sources.values())) < len(sources):
        raise ConfigError("EVENT_STORE_URL: a SQLite URL would make all services share one file; "
                          "set DATA_DIR instead")
    return _taken(take_backup(sources, dest, keyring), dest)


def _taken(manifest: Manifest, dest: Path) -> list[str]:
    lines = [f"backup {manifest.backup_id} in {dest} (Anbei {manifest.platform_version}, "
             f"signed with key {manifest.signing_key_id}; keep the key ring elsewhere):"]
    for service, entry in manifest.stores.items():
        facts = entry.facts
        held = f", snapshot held {entry.snapshot_held_s:.3f} s" if entry.snapshot_held_s is not None else ""
        size = f", {entry.bytes / 1e6:.1f} MB" if entry.bytes is not None else ""
        lines.append(f"  {service}: {facts.events} events through position {facts.head_position}, "
                     f"sealed through {facts.sealed_through}, as of {entry.taken_at.isoformat()}{size}{held}")
    return lines


def _summary(report: RestoreReport) -> list[str]:
    return [f"  {check.summary()}" for check in report.checks] + [f"  note: {note}" for note in report.notes]


def _keyring(settings: Settings, key_file: Path | None, *, local: bool) -> tuple[Keyring, str | None]:
    """The key ring from EVENT_HMAC_KEYS, --key-file, or (when `local`) the platform's own key file;
    with its text when it came from a file. Never generates one."""
    if settings.event_hmac_keys and key_file is not None:
        raise BackupError("both EVENT_HMAC_KEYS and --key-file give a key ring: give one")
    if settings.event_hmac_keys:
        return Keyring.parse(settings.event_hmac_keys), None
    path = key_file if key_file is not None else settings.key_file if local else None
    if path is None or (key_file is None and not path.is_file()):
        raise BackupError(NO_KEYRING)
    try:
        text = path.read_text()
        return Keyring.parse(text), text
    except OSError as error:
        raise BackupError(f"--key-file {path}: {error.strerror}") from None
    except (KeyringError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not a key ring: {error}") from None


def _mongo_url(settings: Settings) -> bool:
    return settings.event_store_url.startswith("mongodb")


def _checked_mongo_url(url: str) -> str:
    if not url.startswith(("mongodb://", "mongodb+srv://")):
        raise BackupError(f"--store must be a mongodb:// URL, got {url!r}")
    if urlsplit(url).path.strip("/"):
        raise BackupError("leave the database out of the MongoDB URL: each service uses its own "
                          "anbei_<service>")
    return url


def _redacted(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.event_store_url.removeprefix("sqlite:///"))
