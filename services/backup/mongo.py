"""Checking MongoDB stores restored with `mongorestore --oplogReplay` against a backup's manifest.

The manifest is taken right before `mongodump --oplog`, so every event it lists must be in
the restored stores, unchanged; events written while the dump ran may follow them.
"""

from __future__ import annotations

from pathlib import Path

from services.backup.catalog import STORES, mongo_database
from services.backup.check import check_store
from services.backup.manifest import BackupError
from services.backup.restore import RestoreReport, trusted_manifest
from shared.keyring import Keyring
from shared.store import open_store
from shared.views import ViewStore


def check_mongo_restore(src: Path, url: str, keyring: Keyring) -> RestoreReport:
    """Check each service's database on the server at `url` against the manifest in `src`."""
    manifest = trusted_manifest(src, keyring, backend="mongodb")
    checks = []
    for service, entry in manifest.stores.items():
        store = open_store(url, keyring=keyring, default_database=mongo_database(service))
        views = ViewStore(":memory:")
        try:
            checks.append(check_store(service, store, entry, keyring, views=views,
                                      read_models=STORES[service], exact=False))
        finally:
            views.close()
            store.close()
    problems = [problem for check in checks for problem in check.problems]
    if problems:
        raise BackupError("the stores do not hold what the backup's manifest lists: " + "; ".join(problems))
    return RestoreReport(manifest, checks)
