"""All-or-nothing folders: work in a staging folder inside the target, move into place at the end.

The staging folder lives inside the target so it is on the same file system even when
the target is a mount point (a data volume): moving into place is then a few renames.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.backup.manifest import BackupError


def require_empty(folder: Path, what: str) -> None:
    """Refuse a target that exists and holds anything: nothing there is ever overwritten."""
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{what} {folder} is a file, not a folder")
    entries = sorted(entry.name for entry in folder.iterdir()) if folder.exists() else []
    if entries:
        shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
        raise BackupError(f"{what} {folder} is not empty (it holds {shown}); "
                          "give an empty or new folder: nothing is ever overwritten")


@contextmanager
def staging(target: Path, prefix: str) -> Iterator[Path]:
    """A fresh folder inside `target` to build in. If the block fails, the folder goes, and
    so does `target` when this created it: the target is left exactly as it was."""
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=prefix, dir=target))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                target.rmdir()
        raise


def move_into_place(stage: Path, target: Path, last: str | None = None) -> None:
    """Rename everything in `stage` into `target`, `last` at the very end, and remove `stage`."""
    names = sorted(entry.name for entry in stage.iterdir() if entry.name != last)
    for name in [*names, *([last] if last else [])]:
        os.replace(stage / name, target / name)
    stage.rmdir()
    _sync_folder(target)


def _sync_folder(folder: Path) -> None:
    """Make the renames durable: a crash right after must not lose them."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
