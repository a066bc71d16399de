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

Confirms are pipelined: a batch is published in position order on one confirm-mode
channel and the broker's acks are collected afterwards, instead of one round trip per
message. The checkpoint moves to the end of the longest confirmed prefix; everything
after the first message not confirmed (nacked, or no answer in time) is published
again, in order, so every stream's events go out in version order and none is lost.
A broker nack can still let a later event of the same stream through before the
resend of the nacked one; consumers that need strict order apply a stream's version
v only after v-1 (the resend brings v again). Messages are published `mandatory`: one
that no queue is bound for comes back and is counted (`unroutable`), not retried —
the event stays in the store and in the HTTP feed for a consumer that binds later.

A confirm received just before the connection broke is not trusted. When a classic queue
shuts down normally (the broker stopping), RabbitMQ confirms the messages still routed to
it, and a message that reached the queue too late to be written is lost although
confirmed. So after a broken connection the relay publishes again, once it is back, the
events confirmed in the last `DOUBTFUL_CONFIRMS_S` seconds before the break; consumers
drop the repeats. (The stored checkpoint does not move back: a relay that dies in the
same outage, or loses its lease then, does not resend them.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from amqp import Message
from amqp.exceptions import MessageNacked
from kombu import Connection, Exchange

from shared.blocking import cooperate, offload
from shared.envelope import EventEnvelope, isoformat, now
from shared.integrity import make_seal
from shared.leases import Leadership, LeaseLost
from shared.sealing import seal_pending, sealed_through
from shared.store.base import EventStore

log = logging.getLogger(__name__)


#: The relay's checkpoint in the event store: the position up to which the broker confirmed.
RELAY_CHECKPOINT = "outbox-relay"

#: Confirms received this many seconds before a broken connection are published again.
DOUBTFUL_CONFIRMS_S = 5.0


def event_exchange(service: str) -> Exchange:
    """The exchange nameko's EventDispatcher uses for `service` (same name and flags)."""
    return Exchange(f"{service}.events", type="topic", durable=True, delivery_mode="persistent")


class ConfirmTimeout(Exception):
    """The broker did not confirm every message of a batch in time."""


class ConfirmingPublisher:
    """One connection and confirm-mode channel; publishes a batch and waits for its acks."""

    def __init__(self, amqp_uri: str, exchange: Exchange, timeout_s: float) -> None:
        self.amqp_uri, self.exchange, self.timeout_s = amqp_uri, exchange, timeout_s
        self._connection: Connection | None = None
        self._channel: Any = None
        self._next_tag = 1
        self._first_tag = 1
        self._settled: list[bool | None] = []
        #: messages the broker returned because no queue was bound for them
        self.unroutable = 0

    def publish(
        self, events: list[EventEnvelope], may_go_on: Callable[[], bool] = lambda: True,
        headers: dict[str, Any] | None = None,
    ) -> tuple[int, Exception | None]:
        """Publish `events` in order, each only while `may_go_on()`, with AMQP `headers`; how
        many from the start were confirmed, and why not all."""
        try:
            channel = self._ensure_channel()
            self._first_tag, self._settled = self._next_tag, [None] * len(events)
            for count, event in enumerate(events, 1):  # the socket's timeout (set once) bounds a hung broker
                message = _message(event, headers)  # built first: the lease is checked right before sending
                if not may_go_on():
                    self._settled = self._settled[:count - 1]
                    self._wait_for_confirms()
                    return self._confirmed(), LeaseLost("the relay's lease ran out while publishing")
                channel.basic_publish(message, exchange=self.exchange.name,
                                      routing_key=event.type, mandatory=True)
                self._next_tag += 1
                if count % 50 == 0:
                    cooperate()  # publishing runs on the event loop: let RPC workers in between
            self._wait_for_confirms()
        except Exception as error:
            self.disconnect(broken=True)
            return self._confirmed(), error
        confirmed = self._confirmed()
        if confirmed < len(events):
            refused = events[confirmed].position
            return confirmed, MessageNacked(f"the broker refused the event at position {refused}")
        return confirmed, None

    def _confirmed(self) -> int:
        count = 0
        for state in self._settled:
            if state is not True:
                break
            count += 1
        return count

    def _wait_for_confirms(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        assert self._connection is not None
        while None in self._settled:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConfirmTimeout(f"no confirm within {self.timeout_s:.0f}s")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                raise ConfirmTimeout(f"no confirm within {self.timeout_s:.0f}s") from None

    def _settle(self, delivery_tag: int, multiple: bool, acked: bool) -> None:
        first = self._first_tag if multiple else delivery_tag
        for tag in range(max(first, self._first_tag), delivery_tag + 1):
            index = tag - self._first_tag
            if index < len(self._settled) and self._settled[index] is None:
                self._settled[index] = acked

    def _on_return(self, *returned: Any) -> None:
        self.unroutable += 1
        log.debug("no queue is bound for %s: the event stays in the store and the feed", returned[3:4])

    def _ensure_channel(self) -> Any:
        if self._channel is None:
            connection = Connection(self.amqp_uri, connect_timeout=5)
            connection.ensure_connection(max_retries=1)
            connection.connection.transport.sock.settimeout(self.timeout_s)
            channel = connection.channel()
            self.exchange(channel).declare()
            channel.events["basic_ack"].add(lambda tag, multiple: self._settle(tag, multiple, True))
            channel.events["basic_nack"].add(lambda tag, multiple: self._settle(tag, multiple, False))
            channel.events["basic_return"].add(self._on_return)
            channel.confirm_select()
            self._connection, self._channel, self._next_tag = connection, channel, 1
        return self._channel

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
        self._connection = self._channel = None


def _message(event: EventEnvelope, headers: dict[str, Any] | None = None) -> Message:
    return Message(event.model_dump_json().encode(), content_type="application/json",
                   content_encoding="utf-8", delivery_mode=2, message_id=str(event.event_id),
                   application_headers=headers or {})


#: AMQP headers on every message a replica's relay publishes: which replica and under which
#: lease epoch (for diagnosis; not part of the event contract, which is the body).
RELAY_HEADER, EPOCH_HEADER = "anbei-relay", "anbei-relay-epoch"


class OutboxRelay:
    """Publishes committed events in position order, one checkpoint per service."""

    def __init__(
        self,
        store: EventStore,
        service: str,
        amqp_uri: str,
        *,
        batch: int = 2000,
        poll_s: float = 0.5,
        confirm_timeout_s: float = 10.0,
        checkpoint: str = RELAY_CHECKPOINT,
        leadership: Leadership | None = None,
    ) -> None:
        self.store, self.service, self.amqp_uri = store, service, amqp_uri
        #: with replicas, only the holder of this lease publishes; None: a single process
        self.leadership = leadership
        self.batch, self.poll_s, self.checkpoint = batch, poll_s, checkpoint
        self.exchange = event_exchange(service)
        self.publisher = ConfirmingPublisher(amqp_uri, self.exchange, confirm_timeout_s)
        self._wakeup = threading.Event()
        #: (when, position before the batch) of each batch confirmed lately, oldest first
        self._recent_confirms: deque[tuple[float, int]] = deque()
        #: after a broken connection: publish again from after this position
        self._resend_after: int | None = None

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
        """Publish one batch after the checkpoint; returns how many new events were confirmed.

        The checkpoint moves over the confirmed prefix even when the rest fails. Raises
        when the broker is unreachable, nacks a message (`MessageNacked`) or does not
        confirm within the timeout (`ConfirmTimeout`); the next call resends the rest,
        and after a broken connection also what was confirmed just before it broke.
        """
        leadership = self.leadership
        if leadership is not None and offload(leadership.hold) is None:
            self._recent_confirms.clear()
            self._resend_after = None
            return 0  # another replica publishes: stand by
        checkpoint = offload(self.store.get_checkpoint, self.checkpoint)
        after = checkpoint if self._resend_after is None else min(self._resend_after, checkpoint)
        events = offload(self._sealed_pending, after)
        if not events:
            return 0
        if leadership is None:
            confirmed, error = self.publisher.publish(events)
        else:
            confirmed, error = self.publisher.publish(
                events, leadership.valid, {RELAY_HEADER: leadership.owner, EPOCH_HEADER: leadership.epoch})
        if confirmed:
            through = events[confirmed - 1].position
            self._resend_after = through if through < checkpoint else None
            self._remember_confirmed(after)
            if through > checkpoint:
                self._save_checkpoint(through)
        if error is not None:
            if not isinstance(error, (LeaseLost, MessageNacked)):
                self._doubt_recent_confirms()
            raise error
        return sum(event.position > checkpoint for event in events[:confirmed])

    def _remember_confirmed(self, after: int) -> None:
        """A batch that started after position `after` was confirmed just now."""
        confirmed_at = time.monotonic()
        self._recent_confirms.append((confirmed_at, after))
        while self._recent_confirms[0][0] < confirmed_at - DOUBTFUL_CONFIRMS_S:
            self._recent_confirms.popleft()

    def _doubt_recent_confirms(self) -> None:
        """The connection broke: publish again what was confirmed shortly before it."""
        if self._recent_confirms:
            resend_after = min(after for _, after in self._recent_confirms)
            if self._resend_after is not None:
                resend_after = min(resend_after, self._resend_after)
            self._resend_after = resend_after
            self._recent_confirms.clear()

    def _save_checkpoint(self, position: int) -> None:
        if self.leadership is None:
            offload(self.store.set_checkpoint, self.checkpoint, position)
        elif not offload(self.store.set_fenced_checkpoint, self.checkpoint, position, self.leadership.epoch):
            raise LeaseLost("another replica took the relay over; its checkpoint stands")

    def _sealed_pending(self, after: int) -> list[EventEnvelope]:
        """The next batch after position `after`, sealed first: published implies sealed.

        When the seals end where the batch starts (the usual case) the batch read for
        publishing is sealed as it is; otherwise the seals catch up first."""
        last = self.store.last_seal()
        if (last.through_position if last else 0) == after:
            events = self.store.read_all(after, self.batch)
            if events and self.store.add_seal(make_seal(self.store.keyring, last, events, isoformat(now()))):
                return events
        seal_pending(self.store)
        through = sealed_through(self.store)
        events = self.store.read_all(after, self.batch)
        return [event for event in events if event.position <= through]

    def disconnect(self, broken: bool = False) -> None:
        self.publisher.disconnect(broken)

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
