"""The outbox relay against the real local RabbitMQ (a fresh vhost per test).

What a consumer of `<service>.events` sees: every committed event, in position order,
as the JSON envelope, routing key = type, persistent; nameko's `@event_handler` reads
the same messages; a replay delivers duplicates that an `IdempotentConsumer` applies
once; the relay's checkpoint moves only once the broker has confirmed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections import Counter
from pathlib import Path

import pytest
from amqp.exceptions import MessageNacked
from kombu import Connection

from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope
from shared.outbox import OutboxRelay
from shared.store.sqlite import SQLiteEventStore
from shared.views import Views, ViewStore
from tests.outbox_support import append_round_robin, publish_all
from tests.private_rabbit import bind_event_queue, drain, wait_until

pytestmark = pytest.mark.rabbit

SERVICE = "inventory"
TYPES = ("StockReceived", "StockIssued", "StockCounted")


@pytest.fixture
def store(tmp_path: Path) -> SQLiteEventStore:
    return SQLiteEventStore(tmp_path / "events.db")


def append_interleaved(
    store: SQLiteEventStore, count: int, types: tuple[str, ...] = TYPES
) -> list[EventEnvelope]:
    """`count` events, one per append, round-robin over three streams and the given types."""
    return append_round_robin(store, count, streams=3, types=types)


def test_every_event_reaches_a_real_consumer_in_order_as_a_persistent_json_envelope(
    store: SQLiteEventStore, amqp_uri: str
) -> None:
    everything = bind_event_queue(amqp_uri, SERVICE, "test-all")
    issued_only = bind_event_queue(amqp_uri, SERVICE, "test-issued", routing_key="StockIssued")
    appended = append_interleaved(store, 25)

    with OutboxRelay(store, SERVICE, amqp_uri, batch=7) as relay:  # several batches
        assert publish_all(relay) == 25

    messages = drain(amqp_uri, everything, expect=25)
    assert len(messages) == 25
    assert [m.payload["position"] for m in messages] == list(range(1, 26))
    for message, event in zip(messages, appended, strict=True):
        assert message.content_type == "application/json"
        assert json.loads(message.body) == event.to_message()
        assert EventEnvelope.model_validate(message.payload) == event
        assert message.delivery_info["exchange"] == f"{SERVICE}.events"
        assert message.delivery_info["routing_key"] == event.type
        assert message.properties["delivery_mode"] == 2  # persistent
        assert message.properties["message_id"] == str(event.event_id)

    # routing key = type is what lets a consumer (and nameko) subscribe to one type
    issued = drain(amqp_uri, issued_only, expect=sum(e.type == "StockIssued" for e in appended))
    assert [m.payload["event_id"] for m in issued] == [
        str(e.event_id) for e in appended if e.type == "StockIssued"
    ]


def test_the_exchange_is_the_one_nameko_declares(store: SQLiteEventStore, amqp_uri: str) -> None:
    append_interleaved(store, 1)
    with OutboxRelay(store, SERVICE, amqp_uri) as relay:
        assert relay.publish_pending() == 1
    # nameko's get_event_exchange(): topic, durable, not auto-delete. A passive declare with
    # other flags, or of a missing exchange, would be refused by the broker.
    from nameko.standalone.events import get_event_exchange

    exchange = get_event_exchange(SERVICE, {})
    with Connection(amqp_uri, connect_timeout=5) as connection:
        exchange(connection.default_channel).declare(passive=True)  # it exists
        exchange(connection.default_channel).declare()  # and with nameko's flags: not refused


_NAMEKO_LISTENER = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()

    import json
    import os
    import sys

    from nameko.containers import ServiceContainer
    from nameko.events import event_handler

    received, ready = sys.argv[1], sys.argv[2]


    class OutboxProbe:
        name = "outbox_probe"

        @event_handler("inventory", "StockReceived")
        def on_stock_received(self, payload):
            with open(received, "a") as out:
                out.write(json.dumps(payload) + "\\n")


    container = ServiceContainer(OutboxProbe, config={"AMQP_URI": os.environ["AMQP_URI"]})
    container.start()  # returns once its queue is declared, bound and consumed
    open(ready, "w").close()
    container.wait()
""")


def test_a_nameko_event_handler_receives_what_the_relay_publishes(
    store: SQLiteEventStore, amqp_uri: str, tmp_path: Path
) -> None:
    """nameko needs eventlet's monkey patching, so the service runs in its own process."""
    script, received, ready = tmp_path / "listener.py", tmp_path / "received.jsonl", tmp_path / "ready"
    script.write_text(_NAMEKO_LISTENER)
    log = (tmp_path / "nameko.log").open("w")
    listener = subprocess.Popen(
        [sys.executable, str(script), str(received), str(ready)],
        env={**os.environ, "AMQP_URI": amqp_uri}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: ready.exists() or listener.poll() is not None, 30, "the nameko service to start")
        assert listener.poll() is None, (tmp_path / "nameko.log").read_text()

        appended = append_interleaved(store, 6, types=("StockReceived", "StockIssued"))
        with OutboxRelay(store, SERVICE, amqp_uri) as relay:
            assert publish_all(relay) == 6
        expected = [e.to_message() for e in appended if e.type == "StockReceived"]

        def lines() -> list[str]:
            return received.read_text().splitlines() if received.exists() else []

        wait_until(lambda: len(lines()) >= len(expected), 20, "nameko to handle the events")
        assert [json.loads(line) for line in lines()] == expected
    finally:
        listener.send_signal(signal.SIGTERM)
        try:
            listener.wait(10)
        except subprocess.TimeoutExpired:
            listener.kill()
            listener.wait(10)
        log.close()


def _count_stock(views: Views, event: EventEnvelope) -> None:
    """A projection-like effect: adds up quantities per stream and logs every application."""
    total = views.get("totals", event.stream_id) or {"qty": 0}
    views.put("totals", event.stream_id, {"qty": total["qty"] + event.data["qty"]})
    applications = views.get("meta", "applications") or {"n": 0}
    views.put("meta", "applications", {"n": applications["n"] + 1})


def test_a_replay_delivers_duplicates_and_the_idempotent_consumer_applies_each_event_once(
    store: SQLiteEventStore, amqp_uri: str, tmp_path: Path
) -> None:
    queue = bind_event_queue(amqp_uri, SERVICE, "test-replay")
    appended = append_interleaved(store, 10)
    with OutboxRelay(store, SERVICE, amqp_uri) as relay:
        assert relay.publish_pending() == 10
        store.set_checkpoint("outbox-relay", 0)  # as after a crash before the checkpoint was saved
        assert relay.backlog() == 10
        assert relay.publish_pending() == 10

    messages = drain(amqp_uri, queue, expect=20)
    assert len(messages) == 20
    assert Counter(m.payload["event_id"] for m in messages) == {str(e.event_id): 2 for e in appended}

    applied_now: list[uuid.UUID] = []

    def apply(views: Views, event: EventEnvelope) -> None:
        applied_now.append(event.event_id)
        _count_stock(views, event)

    consumer = IdempotentConsumer(ViewStore(tmp_path / "views.db"), "stock-totals")
    outcomes = [consumer.handle(m.payload, apply) for m in messages]
    assert outcomes.count(True) == 10
    assert outcomes.count(False) == 10
    assert sorted(applied_now) == sorted(e.event_id for e in appended)

    # the record of what was applied is durable: a restarted consumer still ignores repeats
    views = ViewStore(tmp_path / "views.db")
    restarted = IdempotentConsumer(views, "stock-totals")
    assert not any(restarted.handle(m.payload, apply) for m in messages)
    assert views.get("meta", "applications") == {"n": 10}
    for stream in sorted({event.stream_id for event in appended}):
        assert views.get("totals", stream) == {
            "qty": sum(e.data["qty"] for e in appended if e.stream_id == stream)
        }


def test_the_checkpoint_moves_to_the_last_confirmed_position(store: SQLiteEventStore, amqp_uri: str) -> None:
    bind_event_queue(amqp_uri, SERVICE, "test-checkpoint")
    appended = append_interleaved(store, 10)
    with OutboxRelay(store, SERVICE, amqp_uri, batch=4) as relay:
        assert relay.backlog() == 10
        assert store.get_checkpoint("outbox-relay") == 0
        assert relay.publish_pending() == 4
        assert store.get_checkpoint("outbox-relay") == appended[3].position
        assert relay.backlog() == 6
        assert publish_all(relay) == 6
        assert store.get_checkpoint("outbox-relay") == appended[-1].position == store.head_position()
        assert relay.backlog() == 0
        assert relay.publish_pending() == 0  # nothing new: nothing sent, checkpoint unchanged
        assert store.get_checkpoint("outbox-relay") == appended[-1].position


def test_a_publish_the_broker_refuses_to_confirm_moves_the_checkpoint_only_over_the_confirmed_prefix(
    store: SQLiteEventStore, amqp_uri: str
) -> None:
    """A full queue with `reject-publish` makes RabbitMQ nack: a real negative confirm."""
    capped = bind_event_queue(amqp_uri, SERVICE, "test-capped",
                              arguments={"x-max-length": 2, "x-overflow": "reject-publish"})
    everything = bind_event_queue(amqp_uri, SERVICE, "test-everything")
    appended = append_interleaved(store, 5)
    with OutboxRelay(store, SERVICE, amqp_uri) as relay:
        with pytest.raises(MessageNacked, match=f"position {appended[2].position}"):
            relay.publish_pending()
        assert store.get_checkpoint("outbox-relay") == appended[1].position  # the two the queue took
        assert relay.backlog() == 3

        with Connection(amqp_uri, connect_timeout=5) as connection:  # make room: the next try is confirmed
            capped(connection.default_channel).delete()
        assert relay.publish_pending() == 3
        assert store.get_checkpoint("outbox-relay") == appended[-1].position
        assert relay.backlog() == 0

    # at-least-once: everything after the first refused message went out again, in order
    ids = [m.payload["event_id"] for m in drain(amqp_uri, everything, expect=5 + 3)]
    assert ids == [str(e.event_id) for e in appended] + [str(e.event_id) for e in appended[2:]]


def test_a_message_no_queue_is_bound_for_is_counted_not_retried(
    store: SQLiteEventStore, amqp_uri: str
) -> None:
    bind_event_queue(amqp_uri, SERVICE, "test-issued-only", routing_key="StockIssued")
    appended = append_interleaved(store, 6)
    with OutboxRelay(store, SERVICE, amqp_uri) as relay:
        assert publish_all(relay) == 6
        assert relay.publisher.unroutable == sum(e.type != "StockIssued" for e in appended) == 4
        assert relay.backlog() == 0
