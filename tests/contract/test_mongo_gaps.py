"""Mongo-specific: how readers treat reserved positions that never fill (see shared/store/mongo.py)."""

from __future__ import annotations

import time

import mongomock
import pytest

from shared.envelope import NewEvent, now
from shared.store.base import ConcurrencyError
from shared.store.mongo import MongoEventStore


def event() -> NewEvent:
    return NewEvent(type="Tick", occurred_at=now(), data={})


def test_a_gap_left_by_a_crashed_writer_is_skipped_once_it_is_old() -> None:
    store = MongoEventStore(mongomock.MongoClient(tz_aware=True)["gaps"], gap_timeout_s=0.3)
    store.append("a", 0, [event()])
    store._reserve(2)  # a writer took positions 2-3, then died before inserting
    store.append("b", 0, [event()])

    assert [e.stream_id for e in store.read_all(0)] == ["a"]  # waits: the gap may still fill
    time.sleep(0.4)
    assert [(e.stream_id, e.position) for e in store.read_all(0)] == [("a", 1), ("b", 4)]


def test_a_writer_that_loses_a_race_voids_its_positions_so_readers_need_not_wait() -> None:
    store = MongoEventStore(mongomock.MongoClient(tz_aware=True)["gaps"], gap_timeout_s=60)
    rival = MongoEventStore(store._db, gap_timeout_s=60)

    def rival_writes_first() -> None:
        rival.append("s", 0, [event()])

    store.before_commit = rival_writes_first
    with pytest.raises(ConcurrencyError, match="expected 0"):
        store.append("s", 0, [event()])
    store.before_commit = None
    store.append("t", 0, [event()])
    assert [e.stream_id for e in store.read_all(0)] == ["s", "t"]


def test_a_writer_too_slow_after_reserving_retries_with_fresh_positions() -> None:
    store = MongoEventStore(mongomock.MongoClient(tz_aware=True)["gaps"], gap_timeout_s=0.2)
    delays = [0.15]

    def slow_once() -> None:
        if delays:
            time.sleep(delays.pop())

    store.before_commit = slow_once
    (stored,) = store.append("s", 0, [event()])
    assert stored.position == 2  # position 1 was voided, never filled late
    assert [e.position for e in store.read_all(0)] == [2]
