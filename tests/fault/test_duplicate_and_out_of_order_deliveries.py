"""Duplicate and out-of-order deliveries through a real broker, to the kernel's idempotent consumer
(`shared.consumer`) and the example consumer other systems copy (`examples/consumer.py`).

What `test_broker_outage.py` already covers is left out here (a message requeued, messages
redelivered after a lost consumer connection), and so is the incidents service's handler of
teams events, which `tests/unit/test_incidents_team_reports.py` gives the same report three
times and a release before its arrival. Added here:

- a relay that published a batch and died before saving its checkpoint; once its lease ran out
  the next replica's relay publishes the same envelopes again, byte for byte;
- a stream's events arriving out of version order, some of them twice (a resend after a nack,
  two relays, a requeue).

Each time every event is applied once and the consumers end as if each had arrived once, in order.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Producer

from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope, Metadata, NewEvent, now
from shared.leases import Leadership
from shared.outbox import RELAY_CHECKPOINT, OutboxRelay, event_exchange
from shared.store.sqlite import SQLiteEventStore
from shared.streams import stream_id
from shared.views import Views, ViewStore
from tests.outbox_support import publish_all
from tests.private_rabbit import bind_event_queue, drain
from tests.unit.test_example_consumer import OfflineConsumer

pytestmark = pytest.mark.rabbit
SERVICE = "inventory"  # the example consumer validates what it reads by the inventory's schemas
STREAMS = [stream_id("stock", "depot", item) for item in ("rope", "boats")]


def receipts(store: SQLiteEventStore, per_stream: int) -> list[EventEnvelope]:
    """Stock receipts as the inventory service records them, interleaved over `STREAMS`."""
    appended: list[EventEnvelope] = []
    for version in range(per_stream):
        for stream in STREAMS:
            data = {"warehouse_id": "depot", "item_id": stream.rsplit(":", 1)[1], "quantity": 10 + version,
                    "source": "purchase", "reference": None, "note": None}
            event = NewEvent(type="StockReceived", occurred_at=now(), data=data,
                             metadata=Metadata(actor="keeper-li"))
            appended += store.append(stream, version, [event])
    return appended


def totals(views: Views, event: EventEnvelope) -> None:
    """An effect a consumer must not apply twice: a running total and each version it saw."""
    total = views.get("totals", event.stream_id) or {"quantity": 0, "versions": []}
    views.put("totals", event.stream_id, {"quantity": total["quantity"] + event.data["quantity"],
                                          "versions": [*total["versions"], event.version]})


def consumed_by_the_kernel(payloads: list[dict[str, Any]], tmp_path: Path) -> tuple[int, ViewStore]:
    consumer = IdempotentConsumer(ViewStore(tmp_path / "kernel-consumer.db"), "fault-totals")
    return sum(consumer.handle(payload, totals) for payload in payloads), consumer.views


def consumed_by_the_example(payloads: list[dict[str, Any]], feed: list[EventEnvelope], tmp_path: Path,
                            ) -> dict[str, list[int]]:
    """What the example consumer applied, per stream in the order it applied it."""
    example = OfflineConsumer(tmp_path / "example-consumer.db", [e.to_message() for e in feed])
    for payload in payloads:
        assert example.handle(payload), payload
    applied: dict[str, list[int]] = {}
    for stream, version in example.ledger.db.execute("SELECT stream_id, version FROM applied ORDER BY rowid"):
        applied.setdefault(stream, []).append(version)
    return applied


def assert_as_if_each_arrived_once_in_order(kernel: tuple[int, ViewStore], example: dict[str, list[int]],
                                            committed: list[EventEnvelope]) -> None:
    applied, views = kernel
    assert applied == len(committed)
    for stream in STREAMS:
        mine = [e for e in committed if e.stream_id == stream]
        total = views.get("totals", stream)
        assert total is not None and total["quantity"] == sum(e.data["quantity"] for e in mine)
        assert sorted(total["versions"]) == [e.version for e in mine]  # each once, whatever the order
        assert example[stream] == [e.version for e in mine]  # the example restores the order too


def test_a_second_relay_after_a_lease_handover_publishes_the_same_envelopes_and_each_is_applied_once(
    amqp_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "handover-dupes")
    store = SQLiteEventStore(tmp_path / "events.db")
    committed = receipts(store, per_stream=3)

    def died(position: int) -> None:
        raise RuntimeError("killed after the broker confirmed, before the checkpoint was saved")

    first = OutboxRelay(store, SERVICE, amqp_uri, leadership=Leadership(store, RELAY_CHECKPOINT, "a", 0.5))
    monkeypatch.setattr(first, "_save_checkpoint", died)
    with pytest.raises(RuntimeError, match="killed"):
        first.publish_pending()
    first.disconnect()
    assert store.get_checkpoint(RELAY_CHECKPOINT) == 0
    time.sleep(0.6)  # its lease runs out
    taking_over = Leadership(store, RELAY_CHECKPOINT, "b", 0.5)
    with OutboxRelay(store, SERVICE, amqp_uri, leadership=taking_over) as second:
        assert publish_all(second) == len(committed)
        assert second.leadership is not None and second.leadership.epoch == 2

    messages = drain(amqp_uri, queue, expect=2 * len(committed))
    copies: dict[str, set[bytes]] = {}
    for message in messages:
        copies.setdefault(message.payload["event_id"], set()).add(message.body)
    assert Counter(m.payload["event_id"] for m in messages) == {str(e.event_id): 2 for e in committed}
    assert all(len(bodies) == 1 for bodies in copies.values()), "the two relays sent different envelopes"

    payloads = [m.payload for m in messages]
    assert_as_if_each_arrived_once_in_order(consumed_by_the_kernel(payloads, tmp_path),
                                            consumed_by_the_example(payloads, committed, tmp_path), committed)


def test_events_arriving_out_of_order_and_repeated_leave_the_consumers_as_if_in_order_once(
    amqp_uri: str, tmp_path: Path,
) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "scrambled")
    store = SQLiteEventStore(tmp_path / "events.db")
    committed = receipts(store, per_stream=4)
    by_version = {(e.stream_id, e.version): e for e in committed}
    scrambled = [by_version[(stream, version)] for version in (1, 3, 2, 4, 3, 1) for stream in STREAMS]
    with Connection(amqp_uri, connect_timeout=5) as connection:
        producer = Producer(connection.default_channel, exchange=event_exchange(SERVICE))
        for event in scrambled:  # as a relay publishes: the envelope as JSON, the type as key
            producer.publish(event.model_dump_json(), routing_key=event.type, content_type="application/json",
                             delivery_mode=2, message_id=str(event.event_id), retry=False)

    messages = drain(amqp_uri, queue, expect=len(scrambled))
    payloads = [m.payload for m in messages]
    assert [(p["stream_id"], p["version"]) for p in payloads] == [(e.stream_id, e.version) for e in scrambled]
    assert_as_if_each_arrived_once_in_order(consumed_by_the_kernel(payloads, tmp_path),
                                            consumed_by_the_example(payloads, committed, tmp_path), committed)
    assert uuid.UUID(payloads[0]["event_id"]) == scrambled[0].event_id
