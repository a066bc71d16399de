"""The outbox relay through broker outages, on a private RabbitMQ node the tests break on purpose.

Stopping the RabbitMQ application (`stop_app`) makes the broker unreachable while its
durable queues and persistent messages survive for `start_app`; `close_all_connections`
cuts every client off mid-stream. Throughout, appends must not depend on the broker,
nothing committed may be lost, and each stream must arrive in version order.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Queue

from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope
from shared.outbox import OutboxRelay
from shared.store.sqlite import SQLiteEventStore
from shared.views import Views, ViewStore
from tests.outbox_support import (
    append_round_robin,
    assert_every_event_delivered_in_stream_order,
    publish_all,
    relay_running,
    unique,
)
from tests.private_rabbit import PrivateRabbit, bind_event_queue, consuming, drain, wait_until

pytestmark = pytest.mark.rabbit

CHECKPOINT = "outbox-relay"


def events_of_a_new_service(rabbit: PrivateRabbit, tmp_path: Path, name: str,
                            **store_options: Any) -> tuple[str, Queue, SQLiteEventStore]:
    """A service name of its own, a durable queue `<name>-q` bound to its events (before
    anything is published), and its event store."""
    service = unique(name)
    queue = bind_event_queue(rabbit.amqp_uri, service, f"{name}-q")
    return service, queue, SQLiteEventStore(tmp_path / "events.db", **store_options)


def relay_failures(caplog: pytest.LogCaptureFixture) -> int:
    """How many times `run()` caught a publishing error and backed off."""
    return sum(r.name == "shared.outbox" and r.levelno == logging.WARNING for r in caplog.records)


def test_with_the_broker_down_appends_succeed_and_the_checkpoint_holds(
    rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, "outage")
    with OutboxRelay(store, service, rabbit.amqp_uri) as relay:
        before = append_round_robin(store, 3)
        assert relay.publish_pending() == 3
        assert store.get_checkpoint(CHECKPOINT) == 3

        rabbit.stop_app()
        started = time.monotonic()
        during = append_round_robin(store, 7)  # appends never wait for the broker
        assert time.monotonic() - started < 5
        assert [e.position for e in during] == list(range(4, 11))

        with pytest.raises(Exception):  # noqa: B017 - any connection error will do
            relay.publish_pending()
        assert store.get_checkpoint(CHECKPOINT) == 3
        assert relay.backlog() == 7

        during += append_round_robin(store, 5)
        assert relay.backlog() == 12
        with pytest.raises(Exception):  # noqa: B017
            relay.publish_pending()
        assert store.get_checkpoint(CHECKPOINT) == 3

        rabbit.start_app()
        assert publish_all(relay) == 12
        assert store.get_checkpoint(CHECKPOINT) == store.head_position() == 15
        assert relay.backlog() == 0

    messages = drain(rabbit.amqp_uri, queue, expect=15)
    assert_every_event_delivered_in_stream_order([m.payload for m in messages], before + during)


def test_publish_pending_recovers_by_itself_once_the_broker_is_back(
    rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    """`publish_pending()` raises while the broker is unreachable, and only then.

    Guards a bug found here: the relay kept its dead connection after one failure, so
    every later `publish_pending()` raised "Server unexpectedly closed connection" even
    with the broker back; only `run()` recovered.
    """
    service, _, store = events_of_a_new_service(rabbit, tmp_path, "recover")
    with OutboxRelay(store, service, rabbit.amqp_uri) as relay:
        append_round_robin(store, 2)
        assert relay.publish_pending() == 2
        rabbit.stop_app()
        append_round_robin(store, 2)
        with pytest.raises(Exception):  # noqa: B017
            relay.publish_pending()
        rabbit.start_app()
        assert relay.publish_pending() == 2
        assert relay.backlog() == 0


def test_events_confirmed_just_before_the_connection_broke_are_published_again(
    rabbit: PrivateRabbit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker stopping confirms what it routed to a classic queue that shuts down, even if
    the queue never wrote it; CI lost 2 of 1,357 events that way. So after a broken connection
    the relay resends the batches confirmed in the last `DOUBTFUL_CONFIRMS_S` (here 0.5 s)
    before it broke, and only those: the stored checkpoint never moves back."""
    monkeypatch.setattr("shared.outbox.DOUBTFUL_CONFIRMS_S", 0.5)
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, "doubt")
    with OutboxRelay(store, service, rabbit.amqp_uri) as relay:
        long_ago = append_round_robin(store, 3)
        assert relay.publish_pending() == 3
        time.sleep(1.0)
        just_before = append_round_robin(store, 2)
        assert relay.publish_pending() == 2
        rabbit.close_all_connections()
        after = append_round_robin(store, 2)
        wait_until(lambda: _fails(relay), 10, "the relay to find its connection cut")
        assert store.get_checkpoint(CHECKPOINT) == 5
        assert publish_all(relay) == 2  # new events; the two resent ones are not counted
        assert store.get_checkpoint(CHECKPOINT) == 7

    messages = drain(rabbit.amqp_uri, queue, expect=9)
    arrivals = [m.payload["position"] for m in messages]
    assert sorted(arrivals) == [1, 2, 3, 4, 4, 5, 5, 6, 7], arrivals
    assert_every_event_delivered_in_stream_order([m.payload for m in messages],
                                                 long_ago + just_before + after)


def _fails(relay: OutboxRelay) -> bool:
    try:
        relay.publish_pending()
    except Exception:  # any connection error will do
        return True
    return False


def test_a_running_relay_catches_up_after_an_outage_and_loses_nothing(
    rabbit: PrivateRabbit, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="shared.outbox")
    n = 40
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, "outage-run")
    relay = OutboxRelay(store, service, rabbit.amqp_uri, batch=10, poll_s=0.05)
    with relay_running(relay):
        before = append_round_robin(store, n, relay=relay)
        wait_until(lambda: relay.backlog() == 0, 15, "the relay to publish the first events")
        confirmed_before_outage = store.get_checkpoint(CHECKPOINT)
        assert confirmed_before_outage == n

        rabbit.stop_app()
        started = time.monotonic()
        during = append_round_robin(store, n, relay=relay)
        assert time.monotonic() - started < 5, "appends waited for the broker"
        wait_until(lambda: relay_failures(caplog) >= 1, 15, "the relay to hit the outage")
        assert store.get_checkpoint(CHECKPOINT) == confirmed_before_outage
        assert relay.backlog() == n

        rabbit.start_app()
        wait_until(lambda: relay.backlog() == 0, 30, "the relay to catch up after the outage")
    assert store.get_checkpoint(CHECKPOINT) == store.head_position() == 2 * n

    messages = drain(rabbit.amqp_uri, queue, expect=2 * n)
    assert_every_event_delivered_in_stream_order([m.payload for m in messages], before + during)


def test_cutting_every_connection_mid_stream_loses_nothing(
    rabbit: PrivateRabbit, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="shared.outbox")
    total = 20_000
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, "cut", synchronous="NORMAL")
    committed = append_round_robin(store, total, streams=10)  # a backlog the relay needs seconds for
    relay = OutboxRelay(store, service, rabbit.amqp_uri, batch=50, poll_s=0.05)
    cuts_mid_stream = 0
    with relay_running(relay):
        for _ in range(3):
            def progressed(since: int = store.get_checkpoint(CHECKPOINT)) -> bool:
                return store.get_checkpoint(CHECKPOINT) > since or relay.backlog() == 0

            wait_until(progressed, 15, "the relay to make progress")
            if relay.backlog() == 0:
                break
            rabbit.close_all_connections()
            cuts_mid_stream += relay.backlog() > 0
        wait_until(lambda: relay.backlog() == 0, 60, "the relay to publish everything")
    assert cuts_mid_stream >= 1, "the relay finished before any cut: make the backlog bigger"
    assert relay_failures(caplog) >= 1, "no cut ever hit the relay"

    messages = drain(rabbit.amqp_uri, queue, expect=total, timeout_s=30)
    assert_every_event_delivered_in_stream_order([m.payload for m in messages], committed)


def test_a_hung_broker_is_detected_and_the_relay_catches_up_after_it(
    rabbit: PrivateRabbit, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broker that accepts TCP but answers nothing (wedged, or a half-open connection
    after a partition) must count as an outage: the relay gives up the unconfirmed
    publish, backs off and retries, rather than wait for a confirm forever.

    Guards a bug found here: `publish()` waited for the confirm with no timeout, so the
    relay blocked silently, its `stop` event unheeded, until the broker answered again.
    """
    caplog.set_level(logging.WARNING, logger="shared.outbox")
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, "hung")
    relay = OutboxRelay(store, service, rabbit.amqp_uri, poll_s=0.05)
    with relay_running(relay):
        before = append_round_robin(store, 5, relay=relay)
        wait_until(lambda: relay.backlog() == 0, 15, "the relay to publish the first events")
        with rabbit.frozen():
            during = append_round_robin(store, 5, relay=relay)
            try:
                wait_until(lambda: relay_failures(caplog) >= 1, 20,
                           "the relay to give up on a broker that does not confirm")
            finally:
                assert store.get_checkpoint(CHECKPOINT) == 5
        wait_until(lambda: relay.backlog() == 0, 30, "the relay to catch up once the broker answers")

    messages = drain(rabbit.amqp_uri, queue, expect=10)
    assert_every_event_delivered_in_stream_order([m.payload for m in messages], before + during)


def _published_to_a_consumer(
    rabbit: PrivateRabbit, tmp_path: Path, name: str, count: int = 6
) -> tuple[Queue, list[EventEnvelope], IdempotentConsumer]:
    """`count` events committed and confirmed onto a fresh queue, and a consumer for them."""
    service, queue, store = events_of_a_new_service(rabbit, tmp_path, name)
    committed = append_round_robin(store, count, streams=2)
    with OutboxRelay(store, service, rabbit.amqp_uri) as relay:
        assert publish_all(relay) == count
    return queue, committed, IdempotentConsumer(ViewStore(tmp_path / "views.db"), "totals")


def _apply_quantity(views: Views, event: EventEnvelope) -> None:
    total = views.get("totals", event.stream_id) or {"qty": 0, "applications": 0}
    views.put("totals", event.stream_id,
              {"qty": total["qty"] + event.data["qty"], "applications": total["applications"] + 1})


def test_a_requeued_message_is_ignored_by_the_idempotent_consumer(
    rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    """The consumer applied the event but nacked/requeued it (as if it failed before its ack)."""
    queue, committed, consumer = _published_to_a_consumer(rabbit, tmp_path, "requeue")
    applied: list[uuid.UUID] = []

    def apply(views: Views, event: EventEnvelope) -> None:
        applied.append(event.event_id)
        _apply_quantity(views, event)

    requeue = {str(e.event_id) for e in committed[::2]}
    fresh: list[Any] = []
    repeats: list[Any] = []
    with consuming(rabbit.amqp_uri, queue) as simple:
        deadline = time.monotonic() + 15
        while len(fresh) + len(repeats) < 6 + len(requeue):
            assert time.monotonic() < deadline, "redeliveries did not arrive"
            message = simple.get(block=True, timeout=5)
            outcome = consumer.handle(message.payload, apply)
            (fresh if outcome else repeats).append(message)
            if message.payload["event_id"] in requeue and not message.delivery_info["redelivered"]:
                message.requeue()
            else:
                message.ack()

    assert len(fresh) == 6 and len(repeats) == len(requeue)
    assert all(m.delivery_info["redelivered"] for m in repeats)
    assert {m.payload["event_id"] for m in repeats} == requeue
    assert sorted(applied) == sorted(e.event_id for e in committed)
    _assert_totals_applied_once(consumer.views, committed)


def test_messages_redelivered_after_a_lost_consumer_connection_are_ignored(
    rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    """Applied, not yet acked, connection cut: the broker redelivers all of them."""
    queue, committed, consumer = _published_to_a_consumer(rabbit, tmp_path, "redeliver")
    connection = Connection(rabbit.amqp_uri, connect_timeout=5)
    try:
        simple = connection.SimpleQueue(queue)
        first = [simple.get(block=True, timeout=5) for _ in committed]
        assert all(consumer.handle(m.payload, _apply_quantity) for m in first)
        rabbit.close_all_connections()  # the consumer is cut off before acking anything
    finally:
        with contextlib.suppress(Exception):  # closing a connection the broker already closed
            connection.release()

    again = drain(rabbit.amqp_uri, queue, expect=6)
    assert all(m.delivery_info["redelivered"] for m in again)
    assert sorted(m.payload["event_id"] for m in again) == sorted(str(e.event_id) for e in committed)
    assert not any(consumer.handle(m.payload, _apply_quantity) for m in again)
    _assert_totals_applied_once(consumer.views, committed)


def _assert_totals_applied_once(views: ViewStore, committed: list[EventEnvelope]) -> None:
    for stream in {e.stream_id for e in committed}:
        mine = [e for e in committed if e.stream_id == stream]
        assert views.get("totals", stream) == {
            "qty": sum(e.data["qty"] for e in mine), "applications": len(mine)
        }
