"""Mongo-specific: how readers treat reserved positions that have not filled (see shared/store/mongo.py).

A reader that gives up on a gap claims it; a writer that was merely slow then loses
its positions and retries at fresh ones, so no event can ever commit behind a reader.
"""

from __future__ import annotations

import threading
import time

import mongomock
import pymongo
import pytest

from shared.envelope import NewEvent, now
from shared.store.base import ConcurrencyError
from shared.store.mongo import MongoEventStore


def event(name: str = "tick") -> NewEvent:
    return NewEvent(type="Tick", occurred_at=now(), data={"name": name})


def fresh(gap_timeout_s: float) -> MongoEventStore:
    return MongoEventStore(mongomock.MongoClient(tz_aware=True)["gaps"], gap_timeout_s=gap_timeout_s)


def test_a_gap_left_by_a_crashed_writer_is_claimed_once_it_is_old() -> None:
    store = fresh(gap_timeout_s=0.3)
    store.append("a", 0, [event()])
    store._reserve(2)  # a writer took positions 2-3, then died before inserting
    store.append("b", 0, [event()])

    assert [e.stream_id for e in store.read_all(0)] == ["a"]  # waits: the gap may still fill
    time.sleep(0.4)
    assert [(e.stream_id, e.position) for e in store.read_all(0)] == [("a", 1), ("b", 4)]
    claimed = store._commits.find({"void": True}, sort=[("_id", 1)])
    assert [doc["_id"] for doc in claimed] == [2, 3]


def test_a_writer_stalled_past_the_gap_timeout_retries_at_fresh_positions_and_is_never_skipped() -> None:
    store = fresh(gap_timeout_s=0.2)
    rival = MongoEventStore(store._db, gap_timeout_s=0.2)
    reader = MongoEventStore(store._db, gap_timeout_s=0.2)
    store.append("a", 0, [event("a")])
    seen: list[tuple[str, int]] = []

    def stall_after_reserving() -> None:  # the insert stalls (failover, pool wait, starved thread)
        store.before_commit = None
        rival.append("b", 0, [event("b")])  # commits past the stalled writer's position
        time.sleep(0.3)  # longer than the gap timeout: readers give up on the gap and claim it
        seen.extend((e.data["name"], e.position) for e in reader.read_all(0))

    store.before_commit = stall_after_reserving
    (late,) = store.append("c", 0, [event("c")])

    assert seen == [("a", 1), ("b", 3)]
    assert late.position == 4  # position 2 was claimed: the writer retried behind the reader
    everything = [(e.data["name"], e.position) for e in reader.read_all(0)]
    assert everything == [("a", 1), ("b", 3), ("c", 4)]
    assert [(e.data["name"], e.position) for e in reader.read_all(3)] == [("c", 4)]


def test_a_writer_that_loses_a_race_voids_its_positions_so_readers_need_not_wait() -> None:
    store = fresh(gap_timeout_s=60)
    rival = MongoEventStore(store._db, gap_timeout_s=60)

    def rival_writes_first() -> None:
        store.before_commit = None
        rival.append("s", 0, [event()])

    store.before_commit = rival_writes_first
    with pytest.raises(ConcurrencyError, match="expected 0"):
        store.append("s", 0, [event()])
    store.append("t", 0, [event()])
    assert [e.stream_id for e in store.read_all(0)] == ["s", "t"]


def test_more_voids_than_the_limit_never_stall_a_reader() -> None:
    store = fresh(gap_timeout_s=60)
    for _ in range(201):  # 201 writers that lost their race and voided their positions
        position = store._reserve(1)
        store._claim(position, position)
    (real,) = store.append("s", 0, [event()])
    assert [e.position for e in store.read_all(0, 200)] == [real.position] == [202]


def test_voids_count_neither_in_the_head_nor_in_a_backlog() -> None:
    store = fresh(gap_timeout_s=60)
    (first,) = store.append("s", 0, [event()])
    position = store._reserve(1)  # a lost race at the end of the log
    store._claim(position, position)
    assert store.head_position() == first.position
    assert store.count_after(0) == 1
    assert store.count_after(first.position) == 0


def test_concurrent_stalled_writers_and_claiming_readers_lose_and_duplicate_nothing() -> None:
    store = fresh(gap_timeout_s=0.05)
    written: list[int] = []

    def writer(n: int) -> None:
        handle = MongoEventStore(store._db, gap_timeout_s=0.05)
        handle.before_commit = lambda: time.sleep(0.02 * (n % 4))
        for i in range(10):
            handle.append(f"w{n}-{i}", 0, [event(f"{n}-{i}")])
            written.append(1)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    seen: list[str] = []
    checkpoint = 0
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads) or checkpoint < store.head_position():
        for e in store.read_all(checkpoint, 7):
            seen.append(e.data["name"])
            checkpoint = e.position
        time.sleep(0.01)
    assert sorted(seen) == sorted(f"{n}-{i}" for n in range(6) for i in range(10))


def test_every_collection_is_written_with_majority_and_journal_and_read_at_majority() -> None:
    store = fresh(gap_timeout_s=60)
    for collection in (store._commits, store._counters, store._checkpoints, store._seals):
        assert collection.write_concern.document == {"w": "majority", "j": True}
        assert collection.read_concern.level == "majority"
        assert collection.read_preference == pymongo.ReadPreference.PRIMARY


def test_a_command_reads_its_own_write_while_an_earlier_writer_holds_a_gap() -> None:
    from shared.application import Application, CommandContext
    from shared.projections import ProjectionRunner
    from shared.views import ViewStore
    from tests.unit.test_application import Add, counter
    from tests.unit.test_projections import Totals

    store = fresh(gap_timeout_s=60)
    slow = MongoEventStore(store._db, gap_timeout_s=60)
    reserved, release = threading.Event(), threading.Event()

    def hold_the_position() -> None:
        reserved.set()
        assert release.wait(10)

    slow.before_commit = hold_the_position
    earlier = threading.Thread(target=slow.append, args=("stock:w:boats", 0, [
        NewEvent(type="StockReceived", occurred_at=now(), data={"item_id": "boats", "quantity": 2})]))
    earlier.start()
    assert reserved.wait(10)  # position 1 is reserved, not yet written
    threading.Timer(0.3, release.set).start()

    app = Application(store, ProjectionRunner(store, ViewStore(":memory:"), [Totals()]))
    outcome = app.execute("counter:c", counter, Add(amount=3), CommandContext(command_id="c1"))
    earlier.join(10)

    assert outcome.events[0].position == 2
    assert app.runner.checkpoint() >= 2  # its own write is in the read models when it returns
    assert app.views.get("totals", "boats") == {"item_id": "boats", "quantity": 2}
