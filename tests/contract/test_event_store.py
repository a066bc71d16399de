"""The event store contract, run against every backend (see conftest.BACKENDS)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest

from shared.envelope import GENESIS_HASH, NewEvent
from shared.integrity import first_broken_link
from shared.store.base import ConcurrencyError, EventIdReusedError, EventStore
from tests.contract.conftest import Backend

WHEN = datetime(2024, 7, 1, 8, 30, tzinfo=UTC)


def new(type: str = "StockReceived", **data: object) -> NewEvent:
    return NewEvent(type=type, occurred_at=WHEN, data=data or {"quantity": 1})


def stream() -> str:
    return f"stock-{uuid.uuid4().hex[:8]}"


def test_append_to_a_new_stream_numbers_versions_from_one(store: EventStore) -> None:
    sid = stream()
    stored = store.append(sid, 0, [new(quantity=1), new(quantity=2)])
    assert [e.version for e in stored] == [1, 2]
    assert stored[1].position == stored[0].position + 1
    assert store.stream_version(sid) == 2
    assert [e.data["quantity"] for e in store.read_stream(sid)] == [1, 2]


def test_stored_event_keeps_occurred_at_and_gets_recorded_at(store: EventStore) -> None:
    (event,) = store.append(stream(), 0, [new()])
    (read,) = store.read_all(event.position - 1, 1)
    assert read.occurred_at == WHEN
    assert read.recorded_at > WHEN
    assert read == event


def test_read_stream_from_a_version(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new(quantity=n) for n in range(1, 6)])
    assert [e.version for e in store.read_stream(sid, from_version=4)] == [4, 5]
    assert store.read_stream("stock-none") == []


def test_payloads_are_what_a_fold_needs_of_the_same_events_as_read_stream(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new(quantity=n) for n in range(1, 4)])
    store.append(sid, 3, [new("StockIssued", quantity=9), NewEvent(type="StockCounted", schema_version=2,
                                                                    occurred_at=WHEN, data={"counted": 7})])
    store.append(stream(), 0, [new(quantity=100)])  # another stream's events stay out
    for from_version, limit in ((1, None), (2, 3), (4, 10), (6, None), (1, 0)):
        events = store.read_stream(sid, from_version, limit)
        assert store.read_payloads(sid, from_version, limit) == [
            (e.version, e.type, e.schema_version, e.data) for e in events]
    assert store.read_payloads(sid, 4) == [(4, "StockIssued", 1, {"quantity": 9}),
                                           (5, "StockCounted", 2, {"counted": 7})]
    assert store.read_payloads("stock-none") == []


def test_append_at_a_stale_version_is_rejected_and_writes_nothing(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new()])
    store.append(sid, 1, [new()])
    with pytest.raises(ConcurrencyError, match="at version 2, expected 1"):
        store.append(sid, 1, [new(), new()])
    assert store.stream_version(sid) == 2


def test_creating_a_stream_that_exists_is_a_conflict(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new()])
    with pytest.raises(ConcurrencyError):
        store.append(sid, 0, [new()])


def test_reappending_the_same_event_ids_returns_the_original_result(store: EventStore) -> None:
    sid = stream()
    batch = [new(quantity=5), new(quantity=6)]
    first = store.append(sid, 0, batch)
    again = store.append(sid, 0, batch)
    assert again == first
    assert store.stream_version(sid) == 2
    assert len(store.read_all(0, 100)) == 2


def test_a_retry_after_the_stream_moved_on_still_returns_the_original(store: EventStore) -> None:
    sid = stream()
    batch = [new()]
    first = store.append(sid, 0, batch)
    store.append(sid, 1, [new()])
    assert store.append(sid, 0, batch) == first
    assert store.stream_version(sid) == 2


def test_reusing_some_event_ids_in_a_new_batch_is_rejected(store: EventStore) -> None:
    sid = stream()
    old = new()
    store.append(sid, 0, [old])
    with pytest.raises(EventIdReusedError):
        store.append(sid, 1, [old, new()])
    with pytest.raises(EventIdReusedError):
        store.append(stream(), 0, [old])
    assert store.stream_version(sid) == 1


def test_a_batch_that_fails_before_commit_leaves_no_trace(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new()])

    def crash() -> None:
        raise RuntimeError("process died mid-append")

    store.before_commit = crash
    with pytest.raises(RuntimeError):
        store.append(sid, 1, [new(), new(), new()])
    store.before_commit = None
    assert store.stream_version(sid) == 1
    assert [e.version for e in store.read_all(0, 100)] == [1]
    assert store.append(sid, 1, [new()])[0].version == 2


def test_read_all_returns_every_stream_in_global_order_with_paging(store: EventStore) -> None:
    streams = [stream() for _ in range(3)]
    for round_ in range(4):
        for sid in streams:
            store.append(sid, round_, [new(quantity=round_)])
    everything = store.read_all(0, 1000)
    positions = [e.position for e in everything]
    assert len(everything) == 12
    assert positions == sorted(positions) and len(set(positions)) == 12
    page = store.read_all(positions[4], 3)
    assert [e.position for e in page] == positions[5:8]
    assert store.head_position() == positions[-1]


def test_read_all_can_start_in_the_middle_of_a_batch(store: EventStore) -> None:
    stored = store.append(stream(), 0, [new(quantity=n) for n in range(5)])
    page = store.read_all(stored[1].position, 2)
    assert [e.data["quantity"] for e in page] == [2, 3]


def test_get_event_by_id(store: EventStore) -> None:
    (event,) = store.append(stream(), 0, [new(quantity=9)])
    assert store.get_event(event.event_id) == event
    assert store.get_event(uuid.uuid4()) is None


def test_checkpoints_start_at_zero_and_persist(backend: Backend) -> None:
    store = backend.open()
    assert store.get_checkpoint("relay") == 0
    store.set_checkpoint("relay", 41)
    store.set_checkpoint("relay", 42)
    assert backend.open().get_checkpoint("relay") == 42


def test_each_event_is_chained_to_the_previous_one_in_its_stream(store: EventStore) -> None:
    sid = stream()
    first, second = store.append(sid, 0, [new(), new()])
    other = store.append(stream(), 0, [new()])[0]
    assert first.hash != GENESIS_HASH and second.hash != first.hash
    assert other.hash != first.hash
    assert first_broken_link(store.read_all(0, 100), store.keyring) is None


def test_an_edited_event_is_named_by_the_chain_check(backend: Backend) -> None:
    store = backend.open()
    sid = stream()
    stored = store.append(sid, 0, [new(quantity=n) for n in range(1, 5)])
    backend.tamper(stored[2].position, {"quantity": 300})
    broken = first_broken_link(store.read_all(0, 100), store.keyring)
    assert broken is not None
    assert (broken.stream_id, broken.version) == (sid, 3)


def test_concurrent_writers_on_one_stream_exactly_one_wins_each_version(backend: Backend) -> None:
    sid = stream()
    outcomes: list[str] = []

    def write() -> None:
        handle = backend.open()
        try:
            handle.append(sid, 0, [new()])
            outcomes.append("won")
        except ConcurrencyError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["won"]
    assert backend.open().stream_version(sid) == 1


def test_a_tailing_reader_does_not_skip_an_event_that_commits_late(backend: Backend) -> None:
    slow, fast, reader = backend.open(), backend.open(), backend.open()
    paused, release = threading.Event(), threading.Event()

    def pause() -> None:
        paused.set()
        assert release.wait(10)

    slow.before_commit = pause
    slow_writer = threading.Thread(target=slow.append, args=(stream(), 0, [new(quantity=1)]))
    slow_writer.start()
    assert paused.wait(10)
    fast_writer = threading.Thread(target=fast.append, args=(stream(), 0, [new(quantity=2)]))
    fast_writer.start()
    fast_writer.join(0.5)  # SQLite: blocked on the write lock; Mongo: committed past a gap

    seen = reader.read_all(0, 100)
    checkpoint = seen[-1].position if seen else 0
    release.set()
    slow_writer.join(10)
    fast_writer.join(10)
    seen += reader.read_all(checkpoint, 100)

    assert sorted(e.data["quantity"] for e in seen) == [1, 2]
    assert [e.position for e in seen] == sorted(e.position for e in seen)


def test_a_tailer_keeps_up_with_many_concurrent_writers(backend: Backend) -> None:
    writers, per_writer = 4, 25
    done = threading.Event()
    seen: list[int] = []

    def write(n: int) -> None:
        handle = backend.open()
        for i in range(per_writer):
            handle.append(f"w{n}-{uuid.uuid4().hex[:6]}", 0, [new(quantity=i)])

    def tail() -> None:
        handle, checkpoint = backend.open(), 0
        while True:
            finished = done.is_set()
            for event in handle.read_all(checkpoint, 50):
                seen.append(event.position)
                checkpoint = event.position
            if finished and checkpoint == handle.head_position():
                return
            time.sleep(0.001)

    tailer = threading.Thread(target=tail)
    tailer.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    tailer.join(30)
    assert len(seen) == writers * per_writer
    assert seen == sorted(set(seen))


def test_an_expected_version_ahead_of_the_stream_is_a_conflict(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new()])
    with pytest.raises(ConcurrencyError, match="at version 1, expected 3"):
        store.append(sid, 3, [new()])
    with pytest.raises(ConcurrencyError):
        store.append(stream(), 1, [new()])  # a stream that does not exist is at version 0
    assert store.stream_version(sid) == 1


@pytest.mark.parametrize(("after", "limit"), [(-1, 10), (0, -1), (-5, -5)])
def test_a_negative_position_or_limit_is_refused_the_same_way_everywhere(
    store: EventStore, after: int, limit: int
) -> None:
    store.append(stream(), 0, [new()])
    with pytest.raises(ValueError, match="must be >= 0"):
        store.read_all(after, limit)


def test_a_limit_of_zero_reads_nothing(store: EventStore) -> None:
    store.append(stream(), 0, [new()])
    assert store.read_all(0, 0) == []


def test_reappending_known_event_ids_with_other_content_is_refused(store: EventStore) -> None:
    sid = stream()
    original = new(quantity=200)
    store.append(sid, 0, [original])
    changed = original.model_copy(update={"data": {"quantity": 2000}})
    with pytest.raises(EventIdReusedError, match="different content"):
        store.append(sid, 0, [changed])
    other_type = original.model_copy(update={"type": "StockIssued"})
    with pytest.raises(EventIdReusedError, match="different content"):
        store.append(sid, 0, [other_type])
    assert [e.data for e in store.read_stream(sid)] == [{"quantity": 200}]


def test_ids_from_two_earlier_batches_are_not_one_replay(store: EventStore) -> None:
    sid = stream()
    first, second = new(quantity=1), new(quantity=2)
    store.append(sid, 0, [first])
    store.append(sid, 1, [second])
    with pytest.raises(EventIdReusedError, match="2 batch"):
        store.append(sid, 0, [first, second])


def test_part_of_an_earlier_batch_is_not_a_replay(store: EventStore) -> None:
    sid = stream()
    first, second = new(quantity=1), new(quantity=2)
    store.append(sid, 0, [first, second])
    with pytest.raises(EventIdReusedError):
        store.append(sid, 0, [first])
    with pytest.raises(EventIdReusedError):
        store.append(sid, 0, [second, first])
    assert store.stream_version(sid) == 2


def test_a_stream_can_be_read_in_pages(store: EventStore) -> None:
    sid = stream()
    store.append(sid, 0, [new(quantity=n) for n in range(1, 4)])
    store.append(sid, 3, [new(quantity=n) for n in range(4, 8)])
    assert [e.version for e in store.read_stream(sid, 1, limit=2)] == [1, 2]
    assert [e.version for e in store.read_stream(sid, 3, limit=3)] == [3, 4, 5]
    assert [e.version for e in store.read_stream(sid, 6, limit=10)] == [6, 7]
    first = store.read_stream(sid)[0]
    tail, recorded = store.read_for_command(sid, 5, first.event_id, limit=2)
    assert [e.version for e in tail] == [5, 6] and recorded == first
