"""Idempotent consumption of events delivered at least once (RabbitMQ redeliveries, relay replays)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.envelope import EventEnvelope
from shared.metrics import record_consumed
from shared.views import Views, ViewStore

Apply = Callable[[Views, EventEnvelope], None]


class IdempotentConsumer:
    """Applies each `event_id` once: the effect and the record of it commit together."""

    def __init__(self, views: ViewStore, name: str) -> None:
        self.views, self.name = views, name

    def handle(self, message: EventEnvelope | dict[str, Any], apply: Apply) -> bool:
        """Apply the event unless already applied; True when it was applied now."""
        event = message if isinstance(message, EventEnvelope) else EventEnvelope.model_validate(message)
        with self.views.transaction() as views:
            applied = views.mark_applied(self.name, str(event.event_id))
            if applied:
                apply(views, event)
        record_consumed(self.name, event, applied)
        return applied
