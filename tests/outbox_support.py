"""Helpers for the outbox tests (integration and fault): appending, relaying, delivery checks."""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from shared.envelope import EventEnvelope, NewEvent, now
from shared.outbox import OutboxRelay
from shared.store.base import EventStore


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def append_round_robin(
    store: EventStore, count: int, streams: int = 4, relay: OutboxRelay | None = None,
    types: Sequence[str] = ("StockIssued", "StockReceived", "StockReceived"),
) -> list[EventEnvelope]:
    """`count` events, one append each, round-robin over `streams` streams and `types`;
    tells `relay` after each."""
    appended: list[EventEnvelope] = []
    for i in range(count):
        stream = f"stock-w{i % streams}-rice"
        event = NewEvent(type=types[i % len(types)], occurred_at=now(),
                         data={"item": "rice", "qty": i + 1})
        appended += store.append(stream, store.stream_version(stream), [event])
        if relay is not None:
            relay.notify()
    return appended


def publish_all(relay: OutboxRelay) -> int:
    """Call publish_pending until it has nothing left; return how many it confirmed."""
    total = 0
    for _ in range(10_000):
        published = relay.publish_pending()
        if published == 0:
            return total
        total += published
    raise AssertionError("the relay never ran out of events")


@contextmanager
def relay_running(relay: OutboxRelay, max_backoff_s: float = 0.5) -> Iterator[threading.Thread]:
    """`relay.run(stop)` in a background thread; stopped and joined (bounded) on exit."""
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"max_backoff_s": max_backoff_s},
                              name="outbox-relay", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        relay.notify()
        thread.join(30)
    assert not thread.is_alive(), "the relay did not stop within 30 s"


def assert_every_event_delivered_in_stream_order(
    payloads: Sequence[dict[str, Any]], committed: Sequence[EventEnvelope]
) -> None:
    """At-least-once, nothing lost, nothing invented, and each stream in version order.

    Duplicates are dropped by `event_id` (as an idempotent consumer would); the first
    deliveries of each stream must then be versions 1..n in arrival order.
    """
    first: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        first.setdefault(payload["event_id"], payload)
    by_id = {str(event.event_id): event for event in committed}
    assert len(by_id) == len(committed)
    missing = by_id.keys() - first.keys()
    assert not missing, f"{len(missing)} committed events never arrived, e.g. {sorted(missing)[:3]}"
    invented = first.keys() - by_id.keys()
    assert not invented, f"{len(invented)} events arrived that were never committed"
    for event_id, payload in first.items():
        assert EventEnvelope.model_validate(payload) == by_id[event_id]
    versions: dict[str, list[int]] = defaultdict(list)
    for payload in first.values():  # dicts keep insertion order: the order of first arrival
        versions[payload["stream_id"]].append(payload["version"])
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"{stream} arrived out of order: {seen}"
