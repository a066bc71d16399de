"""A paged online backup finishes while another process commits without pause, and is one moment.

SQLite restarts a paged backup whenever another connection commits between its steps;
the backup holds one read transaction (a WAL snapshot) across all steps, so it finishes.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from services.backup.catalog import local_paths
from services.backup.take import take_backup
from shared.envelope import NewEvent, now
from shared.keyring import Keyring
from shared.projections import iter_all
from shared.sealing import seal_pending
from shared.store.sqlite import SQLiteEventStore
from tests.backup_support import local_keyring


def append_without_pause(path: str, keys: str, stop: multiprocessing.synchronize.Event) -> None:
    # no fsync: a commit every fraction of a millisecond, far more often than a real service
    store = SQLiteEventStore(path, keyring=Keyring.parse(keys), synchronous="OFF")
    stream, version = f"stock:depot:{uuid.uuid4().hex}", 0
    while not stop.is_set():
        event = NewEvent(type="StockReceived", occurred_at=now(), data={"n": version})
        store.append(stream, version, [event])
        version += 1
    store.close()


def test_a_paged_backup_finishes_while_another_process_commits_without_pause(tmp_path: Path) -> None:
    data_dir = tmp_path / "platform"
    keyring, events = local_keyring(data_dir), local_paths("inventory", data_dir)[0]
    store = SQLiteEventStore(events, keyring=keyring)
    for batch in range(30):  # about 2 MB: hundreds of pages
        store.append(f"stock:depot:bulk-{batch}", 0, [
            NewEvent(type="StockReceived", occurred_at=now(), data={"note": "x" * 500}) for _ in range(100)])
    seal_pending(store)
    store.close()
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    writer = spawn.Process(target=append_without_pause, args=(str(events), keyring.serialize(), stop))
    writer.start()
    try:
        store = SQLiteEventStore(events, keyring=keyring)
        while store.head_position() < 3200:  # the writer is committing
            time.sleep(0.05)
        store.close()
        with ThreadPoolExecutor(1) as pool:
            # a page a step: hundreds of steps, each a chance for the writer to commit between them
            copying = pool.submit(take_backup, {"inventory": events}, tmp_path / "backup", keyring, pages=1)
            try:
                manifest = copying.result(timeout=60)
            finally:
                stop.set()
    finally:
        stop.set()
        writer.join(30)
    live = SQLiteEventStore(events, keyring=keyring)
    copy = SQLiteEventStore(tmp_path / "backup" / "inventory-events.db", keyring=keyring)
    head = manifest.stores["inventory"].facts.head_position
    assert live.head_position() > head, "the writer stopped before the backup: nothing was tested"
    assert list(iter_all(copy)) == [event for event in iter_all(live) if event.position <= head]
    live.close()
    copy.close()
