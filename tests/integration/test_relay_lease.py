"""Replicas of a service on one store: only the relay holding the lease publishes, a replica takes
over when the lease runs out, and a paused ex-holder neither publishes nor moves the checkpoint."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shared.leases import Leadership, LeaseLost
from shared.outbox import RELAY_CHECKPOINT, OutboxRelay
from shared.store.sqlite import SQLiteEventStore
from tests.outbox_support import append_round_robin, publish_all
from tests.private_rabbit import bind_event_queue, drain

pytestmark = pytest.mark.rabbit
SERVICE = "inventory"


def replica(store: SQLiteEventStore, amqp_uri: str, name: str, ttl_s: float = 10.0) -> OutboxRelay:
    return OutboxRelay(store, SERVICE, amqp_uri, leadership=Leadership(store, RELAY_CHECKPOINT, name, ttl_s))


def test_only_the_replica_holding_the_lease_publishes(tmp_path: Path, amqp_uri: str) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "lease-only-one")
    store = SQLiteEventStore(tmp_path / "events.db")
    appended = append_round_robin(store, 10)
    with replica(store, amqp_uri, "a") as a, replica(store, amqp_uri, "b") as b:
        assert publish_all(a) == 10
        appended += append_round_robin(store, 5)
        assert b.publish_pending() == 0  # stands by: a holds the lease
        assert publish_all(a) == 5
    ids = [m.payload["event_id"] for m in drain(amqp_uri, queue, expect=15)]
    assert ids == [str(e.event_id) for e in appended]


def test_a_replica_takes_over_once_the_holders_lease_runs_out(tmp_path: Path, amqp_uri: str) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "lease-takeover")
    store = SQLiteEventStore(tmp_path / "events.db")
    appended = append_round_robin(store, 4)
    with replica(store, amqp_uri, "a", ttl_s=0.5) as a, replica(store, amqp_uri, "b", ttl_s=0.5) as b:
        assert publish_all(a) == 4
        time.sleep(0.6)  # a stops renewing (it died, or was paused)
        appended += append_round_robin(store, 3)
        assert publish_all(b) == 3
        assert b.leadership is not None and b.leadership.epoch == 2
        assert a.publish_pending() == 0  # a wakes up: b holds the lease now
    ids = [m.payload["event_id"] for m in drain(amqp_uri, queue, expect=7)]
    assert ids == [str(e.event_id) for e in appended]


def test_a_holder_paused_past_its_lease_stops_publishing_mid_batch(tmp_path: Path, amqp_uri: str) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "lease-paused")
    store = SQLiteEventStore(tmp_path / "events.db")
    append_round_robin(store, 10)
    with replica(store, amqp_uri, "a") as a:
        assert a.leadership is not None
        allowance = iter([True, True, True])  # the process is paused after its third message
        a.leadership.valid = lambda: next(allowance, False)  # type: ignore[method-assign]
        with pytest.raises(LeaseLost):
            a.publish_pending()
    assert store.get_checkpoint(RELAY_CHECKPOINT) == 3
    assert len(drain(amqp_uri, queue, expect=3)) == 3  # nothing after the pause went out


def test_an_ex_holder_cannot_move_the_checkpoint_once_another_took_over(
    tmp_path: Path, amqp_uri: str
) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    append_round_robin(store, 6)
    with replica(store, amqp_uri, "a", ttl_s=0.5) as a, replica(store, amqp_uri, "b", ttl_s=0.5) as b:
        assert a.leadership is not None and a.leadership.hold() is not None
        time.sleep(0.6)
        assert publish_all(b) == 6
        with pytest.raises(LeaseLost):
            a._save_checkpoint(2)  # what a paused a would write when it wakes
    assert store.get_checkpoint(RELAY_CHECKPOINT) == 6
