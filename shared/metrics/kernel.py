"""Metrics of the event-sourcing kernel, taken from outside its classes.

The store's `append` and the relay's `publish_pending` are wrapped on the instances a
service uses (their signatures are the kernel's stable contract), and the outbox
backlog and projection lag are read at scrape time from `relay.backlog()` and
`runner.lag()`. The kernel's modules stay free of metrics code but for one call in
the idempotent consumer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from shared.envelope import EventEnvelope, NewEvent, now
from shared.metrics import catalogue as c
from shared.metrics.readmodels import ReadModelGauges, RegisterGauges
from shared.metrics.registry import READINGS, Sample
from shared.streams import parse_stream_id

if TYPE_CHECKING:
    from shared.outbox import OutboxRelay
    from shared.projections import ProjectionRunner
    from shared.store.base import EventStore


def aggregate_kind(stream_id: str) -> str:
    """The kind of aggregate a stream belongs to (`stock` for `stock:w:i`): a bounded label."""
    try:
        return parse_stream_id(stream_id)[0]
    except ValueError:
        return "unknown"


def instrument_appends(service: str, store: EventStore) -> None:
    """Count and time every append `store` accepts, by aggregate kind."""
    append = store.append

    def timed_append(
        stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        started = time.perf_counter()
        stored = append(stream_id, expected_version, events)
        c.EVENT_APPEND_DURATION.observe(service, value=time.perf_counter() - started)
        c.EVENTS_APPENDED.inc(service, aggregate_kind(stream_id), amount=len(stored))
        return stored

    store.append = timed_append  # type: ignore[method-assign]


def instrument_publishing(service: str, relay: OutboxRelay) -> None:
    """Count what the relay publishes, time each confirmed batch, and count failed attempts."""
    publish_pending = relay.publish_pending

    def timed_publish_pending() -> int:
        started = time.perf_counter()
        try:
            published = publish_pending()
        except Exception:
            c.OUTBOX_PUBLISH_FAILURES.inc(service)
            raise
        if published:
            c.OUTBOX_PUBLISH_DURATION.observe(service, value=time.perf_counter() - started)
            c.EVENTS_PUBLISHED.inc(service, amount=published)
        return published

    relay.publish_pending = timed_publish_pending  # type: ignore[method-assign]


def instrument_event_sourcing(
    service: str,
    store: EventStore,
    relay: OutboxRelay,
    runner: ProjectionRunner,
    register_gauges: RegisterGauges | None = None,
) -> Callable[[], None]:
    """Metrics for one service's store, relay and read models; returns what stops the readings."""
    instrument_appends(service, store)
    instrument_publishing(service, relay)
    gauges = ReadModelGauges()
    if register_gauges is not None:
        register_gauges(gauges)

    def reading() -> Iterator[Sample]:
        yield c.OUTBOX_BACKLOG, (service,), float(relay.backlog())
        yield c.PROJECTION_LAG, (service,), float(runner.lag())
        yield from gauges.read(runner.views)

    return READINGS.add(service, lambda: list(reading()))


def record_consumed(consumer: str, event: EventEnvelope, applied: bool) -> None:
    """An idempotent consumer applied `event`, or ignored it as a duplicate."""
    c.CONSUMER_EVENTS.inc(consumer, "applied" if applied else "duplicate")
    if applied:
        c.CONSUMER_DELAY.observe(consumer, value=max((now() - event.recorded_at).total_seconds(), 0.0))
