"""The transactional outbox and its relay to RabbitMQ.

The event log *is* the outbox: an event is committed once, in the same atomic append
as everything else about it, and the relay publishes everything after its checkpoint
(kept in the same store). So a committed event is always published eventually and an
uncommitted one never is. Delivery is at-least-once: after a crash or a broker outage
the relay resends from its checkpoint, in position order, and consumers drop repeats
by `event_id` (`shared.consumer`). The relay seals the log before it publishes
(`shared.sealing`), so every published event is covered by a seal.

Messages go where nameko's `@event_handler(service, type)` and any AMQP client expect
them: exchange `<service>.events` (topic, durable), routing key = event type, body =
the JSON envelope, persistent, with publisher confirms.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kombu import Connection, Exchange, Producer

from shared.blocking import offload
from shared.envelope import EventEnvelope
from shared.sealing import seal_pending, sealed_through
from shared.store.base import EventStore

log = logging.getLogger(__name__)


#: The relay's checkpoint in the event store: the position up to which the broker confirmed.
RELAY_CHECKPOINT = "outbox-relay"


def event_exchange(service: str) -> Exchange:
    """The exchange nameko's EventDispatcher uses for `service` (same name and flags)."""
    return Exchange(f"{service}.events", type="topic", durable=True, delivery_mode="persistent")


class OutboxRelay:
    """Publishes committed events in position order, one checkpoint per service."""

    def __init__(
        self,
        store: EventStore,
        service: str,
        amqp_uri: str,
        *,
        batch: int = 200,
        poll_s: float = 0.5,
        confirm_timeout_s: float = 10.0,
        checkpoint: str = RELAY_CHECKPOINT,
    ) -> None:
        self.store, self.service, self.amqp_uri = store, service, amqp_uri
        self.batch, self.poll_s, self.checkpoint = batch, poll_s, checkpoint
        self.confirm_timeout_s = confirm_timeout_s
        self.exchange = event_exchange(service)
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._wakeup = threading.Event()

    def backlog(self) -> int:
        """How many committed events are not yet confirmed by the broker."""
        return self.store.count_after(self.store.get_checkpoint(self.checkpoint))

    def published_position(self) -> int:
        """The position up to which the broker confirmed every event."""
        return self.store.get_checkpoint(self.checkpoint)

    def notify(self) -> None:
        """Something was appended: publish now rather than at the next poll."""
        self._wakeup.set()

    def publish_pending(self) -> int:
        """Publish one batch after the checkpoint; returns how many were confirmed.

        Raises when the broker is unreachable, refuses a message or does not confirm
        within `confirm_timeout_s`; the connection is dropped so the next call starts afresh.
        """
        events = offload(self._sealed_pending)
        if not events:
            return 0
        try:
            producer = self._ensure_producer()
            for event in events:
                self._publish(producer, event)
        except Exception:
            self.disconnect(broken=True)
            raise
        offload(self.store.set_checkpoint, self.checkpoint, events[-1].position)
        return len(events)

    def _sealed_pending(self) -> list[EventEnvelope]:
        """The next batch after the checkpoint, sealed first: published implies sealed."""
        seal_pending(self.store)
        through = sealed_through(self.store)
        events = self.store.read_all(self.store.get_checkpoint(self.checkpoint), self.batch)
        return [event for event in events if event.position <= through]

    def _publish(self, producer: Producer, event: EventEnvelope) -> None:
        producer.publish(
            event.to_message(),
            exchange=self.exchange,
            routing_key=event.type,
            serializer="json",
            delivery_mode="persistent",
            message_id=str(event.event_id),
            headers={"stream_id": event.stream_id, "position": event.position},
            declare=[self.exchange],
            retry=False,
            # a frozen broker or a half-open connection must not block the relay forever
            timeout=self.confirm_timeout_s,
            confirm_timeout=self.confirm_timeout_s,
        )

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            connection = Connection(
                self.amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=5
            )
            connection.ensure_connection(max_retries=1)
            self._connection, self._producer = connection, Producer(connection.channel())
        return self._producer

    def disconnect(self, broken: bool = False) -> None:
        """Close the connection; a broken one is dropped without talking to the broker."""
        if self._connection is not None:
            try:
                if broken:
                    self._connection.collect()
                else:
                    self._connection.release()
            except Exception:
                log.debug("closing a broken AMQP connection failed", exc_info=True)
        self._connection = self._producer = None

    def run(self, stop: threading.Event, max_backoff_s: float = 5.0) -> None:
        """Publish until `stop` is set, surviving broker outages with a capped backoff."""
        backoff = 0.1
        while not stop.is_set():
            try:
                published = self.publish_pending()
            except Exception as error:
                log.warning("outbox relay for %s: %s; retrying in %.1fs", self.service, error, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            backoff = 0.1
            if published < self.batch:
                self._wakeup.wait(self.poll_s)
                self._wakeup.clear()
        self.disconnect()

    def __enter__(self) -> OutboxRelay:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.disconnect()
