"""The manifest of a backup folder (`manifest.json`): what was copied, and how to prove a copy whole.

Per store: the file and its sha256 and size (SQLite), the moment its snapshot was taken,
and its facts (`services.backup.facts`: head, chain heads, seals, key ids). The manifest
is signed with the event key ring (HMAC-SHA256, like the events), so a manifest edited to
match an edited file is refused too; the key ring itself is never in a backup.
A folder without `manifest.json` is not a backup (or one that did not finish): the
manifest is written last.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from services.backup.facts import StoreFacts
from shared.keyring import Keyring

MANIFEST = "manifest.json"
Backend = Literal["sqlite", "mongodb"]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what is wrong."""


class StoreEntry(BaseModel):
    """One service's store in a backup."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the copy's file name in the backup folder (None for MongoDB: mongodump holds the data)
    file: str | None
    bytes: int | None
    sha256: str | None
    #: when the store's snapshot was taken: its backup point
    taken_at: datetime
    facts: StoreFacts
    #: how long the snapshot's read transaction was open, copying (writers never wait on it)
    snapshot_held_s: float | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1] = 1
    backup_id: str
    backend: Backend
    started_at: datetime
    finished_at: datetime
    platform_version: str
    #: the key that signed this manifest; the newest events and seals are signed with it too
    signing_key_id: str
    stores: dict[str, StoreEntry]
    signature: str = ""

    def _body(self) -> bytes:
        body = self.model_dump(mode="json", exclude={"signature"})
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def signed(self, keyring: Keyring) -> Manifest:
        return self.model_copy(update={"signature": keyring.sign(self._body())})

    def signature_problem(self, keyring: Keyring) -> str | None:
        problem = keyring.verify(self._body(), self.signature)
        if problem is None:
            return None
        return (f"{MANIFEST} fails its signature ({problem}): it was edited, or the key ring is not the "
                "one the platform signed with")

    def write(self, folder: Path) -> None:
        draft = folder / f".{MANIFEST}.draft"
        draft.write_text(self.model_dump_json(indent=2) + "\n")
        with open(draft, "rb") as written:
            os.fsync(written.fileno())
        draft.replace(folder / MANIFEST)


def load_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder")
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup, or one that did not finish")
    try:
        return Manifest.model_validate_json(path.read_text())
    except (ValidationError, UnicodeDecodeError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else {"msg": str(error), "loc": ()}
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise BackupError(f"{path} cannot be read: {where}: {first['msg']}") from None


def platform_version() -> str:
    try:
        return metadata.version("anbei")
    except metadata.PackageNotFoundError:
        return "unknown (not installed as a package)"
