"""Load → decide → append: how every command is carried out, in one place.

`execute` replays the stream into state, asks the decider, appends the new events
with the expected version, retries on a concurrent write, and lets the projections
catch up so the caller can read its own write at once. A command carries a
`command_id`: its events get ids derived from it, so a retried command (a network
retry, an `Idempotency-Key`) returns the original outcome and writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope, Metadata, NewEvent, event_id_for, now
from shared.errors import Conflict, InvalidCommand
from shared.projections import ProjectionRunner
from shared.store.base import ConcurrencyError, EventStore
from shared.upcasting import Upcasters

C = TypeVar("C", bound=Command)
S = TypeVar("S")
CLOCK_SKEW = timedelta(minutes=5)
ATTEMPTS = 5


@dataclass(frozen=True)
class CommandContext:
    """Who asked, under which id, and when the thing happened in the world."""

    command_id: str
    actor: str = "system"
    correlation_id: str | None = None
    causation_id: str | None = None
    occurred_at: datetime = field(default_factory=now)

    def metadata(self) -> Metadata:
        return Metadata(actor=self.actor, command_id=self.command_id,
                        correlation_id=self.correlation_id or self.command_id,
                        causation_id=self.causation_id)


@dataclass(frozen=True)
class Outcome(Generic[S]):
    """The state after the command and the events it recorded (the originals on a retry)."""

    state: S
    events: list[EventEnvelope]
    replayed: bool = False


class Application:
    """A service's event-sourced core: its store, its read models and its upcasters."""

    def __init__(
        self,
        store: EventStore,
        runner: ProjectionRunner,
        upcasters: Upcasters | None = None,
        on_append: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.runner = store, runner
        self.views = runner.views
        self.upcasters = upcasters or Upcasters()
        self._on_append = on_append

    def load(self, stream_id: str, decider: Decider[C, S]) -> tuple[S, int]:
        """The stream's current state and version."""
        history = self.store.read_stream(stream_id)
        events = [self._decode(decider, envelope) for envelope in history]
        return decider.fold(events), history[-1].version if history else 0

    def _decode(self, decider: Decider[C, S], envelope: EventEnvelope) -> Event:
        current = self.upcasters.upcast(envelope)
        return decider.event_from(current.type, current.data)

    def execute(
        self, stream_id: str, decider: Decider[C, S], command: C, context: CommandContext
    ) -> Outcome[S]:
        if context.occurred_at > now() + CLOCK_SKEW:
            raise InvalidCommand("must not be in the future", field="occurred_at")
        for attempt in range(1, ATTEMPTS + 1):
            replay = self._already_recorded(stream_id, context.command_id)
            if replay:
                return Outcome(self.load(stream_id, decider)[0], replay, replayed=True)
            state, version = self.load(stream_id, decider)
            events = decider.decide(command, state)
            if not events:
                return Outcome(state, [])
            try:
                stored = self.store.append(stream_id, version, self._new_events(events, context))
            except ConcurrencyError:
                if attempt == ATTEMPTS:
                    raise
                continue
            self.runner.catch_up()
            if self._on_append is not None:
                self._on_append()
            return Outcome(decider.fold(events, state), stored)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _already_recorded(self, stream_id: str, command_id: str) -> list[EventEnvelope]:
        recorded: list[EventEnvelope] = []
        while (event := self.store.get_event(event_id_for(command_id, len(recorded)))) is not None:
            if event.stream_id != stream_id:
                raise Conflict(
                    f"this command id was already used for {event.stream_id}",
                    field="command_id", code="command_id_reused",
                )
            recorded.append(event)
        return recorded

    @staticmethod
    def _new_events(events: list[Event], context: CommandContext) -> list[NewEvent]:
        metadata = context.metadata()
        return [
            NewEvent(
                event_id=event_id_for(context.command_id, index),
                type=event.type_name(),
                schema_version=event.schema_version,
                occurred_at=context.occurred_at,
                data=event.model_dump(mode="json"),
                metadata=metadata,
            )
            for index, event in enumerate(events)
        ]
