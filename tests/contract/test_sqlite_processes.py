"""OS processes on one SQLite file at once: SQLite's locking must serialize them, and the
Application must retry the conflicts they cause on fresh state."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared.application import Application, CommandContext
from shared.decider import Decider, Event
from shared.envelope import NewEvent, now
from shared.integrity import first_broken_link
from shared.keyring import DEVELOPMENT_KEYRING
from shared.projections import ProjectionRunner
from shared.store.base import ConcurrencyError, StoreFormatError
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore

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
    assert first_broken_link(events, DEVELOPMENT_KEYRING) is None


COMMANDS_PER_PROCESS = 40


def _count_up(path: str, name: str, results: Any, start: Any) -> None:
    """One OS process: add 1 to a shared counter many times through the Application."""
    from tests.unit.test_application import Add, Added, Total

    def slow_decide(command: Add, state: Total) -> list[Event]:
        time.sleep(0.005)  # between load and append: where another process gets in first
        return [Added(amount=command.amount)]

    def evolve(state: Total, event: Event) -> Total:
        return Total(state.value + event.amount) if isinstance(event, Added) else state

    counter = Decider[Add, Total](slow_decide, evolve, Total(), (Added,))
    store = SQLiteEventStore(path)
    app = Application(store, ProjectionRunner(store, ViewStore(":memory:"), []))
    start.wait()  # all processes begin together, so their commands overlap
    for i in range(COMMANDS_PER_PROCESS):
        app.execute("counter:shared", counter, Add(amount=1), CommandContext(command_id=f"{name}-{i}"))
    results.put(app.conflicts_retried)


def test_processes_racing_on_one_stream_retry_their_conflicts_and_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "events.db")
    SQLiteEventStore(path).close()
    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(4)
    workers = [context.Process(target=_count_up, args=(path, f"p{n}", results, start)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    retried = sum(results.get(timeout=5) for _ in workers)
    events = SQLiteEventStore(path).read_stream("counter:shared")
    assert [e.version for e in events] == list(range(1, 4 * COMMANDS_PER_PROCESS + 1))
    assert retried > 0  # the race was real: commands were decided again on fresh state


def test_every_connection_runs_with_full_durability(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    assert (store.pragma("synchronous"), store.pragma("journal_mode")) == (2, "wal")  # 2 = FULL
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(store.pragma("synchronous")))
    thread.start()
    thread.join()
    assert seen == [2]


def test_a_store_written_by_an_earlier_version_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT)")
        db.execute("INSERT INTO events VALUES (1, 'stock-jinan-flood-reserve-pumps')")
    with pytest.raises(StoreFormatError, match="earlier version"):
        SQLiteEventStore(path)


def test_concurrent_appends_share_commits_and_a_refused_one_leaves_the_others_in_place(
    tmp_path: Path,
) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    slow_once = threading.Event()

    def fsync_takes_a_while() -> None:  # widen the window in which other appends queue up
        if not slow_once.is_set():
            slow_once.set()
            time.sleep(0.05)

    store.before_commit = fsync_takes_a_while
    refused: list[str] = []

    def write(n: int) -> None:
        for i in range(25):
            store.append(f"s{n}-{i}", 0, [NewEvent(type="Tick", occurred_at=now(), data={"n": n})])
            try:
                store.append(f"s{n}-{i}", 0, [NewEvent(type="Tick", occurred_at=now(), data={})])
            except ConcurrencyError:
                refused.append(f"s{n}-{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    events = store.read_all(0, 1000)
    assert len(events) == 200 and len(refused) == 200
    assert [e.position for e in events] == list(range(1, 201))
    assert all(e.version == 1 for e in events)
    assert store.commits < 400  # concurrent appends were committed together, with fewer fsyncs
    assert first_broken_link(events, DEVELOPMENT_KEYRING) is None
