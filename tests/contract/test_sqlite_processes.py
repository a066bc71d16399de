"""Two OS processes appending to one SQLite file at once: SQLite's locking must serialize them."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from shared.envelope import NewEvent, now
from shared.integrity import first_broken_link
from shared.store.base import ConcurrencyError
from shared.store.sqlite import SQLiteEventStore

APPENDS = 150


def _append_many(path: str, name: str) -> None:
    store = SQLiteEventStore(path)
    for i in range(APPENDS):
        store.append(f"{name}-{i}", 0, [NewEvent(type="Tick", occurred_at=now(), data={"i": i})])
        while True:  # both processes also race on one shared stream
            version = store.stream_version("shared")
            try:
                store.append("shared", version, [NewEvent(type="Tick", occurred_at=now(), data={})])
                break
            except ConcurrencyError:
                continue


def test_two_processes_appending_at_once_lose_nothing_and_leave_no_gaps(tmp_path: Path) -> None:
    path = str(tmp_path / "events.db")
    SQLiteEventStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, n)) for n in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0

    events = SQLiteEventStore(path).read_all(0, 10_000)
    assert [e.position for e in events] == list(range(1, 4 * APPENDS + 1))
    shared = [e.version for e in events if e.stream_id == "shared"]
    assert shared == list(range(1, 2 * APPENDS + 1))
    assert first_broken_link(events) is None
