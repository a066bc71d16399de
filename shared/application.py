"""Load → decide → append: how every command is carried out, in one place.

`execute` replays the stream into state, asks the decider, appends the new events
with the expected version, retries on a concurrent write, and lets the projections
catch up so the caller can read its own write at once.

Idempotency is by key *and* content. A command carries a `command_id`; its events get
ids derived from it and a digest of the command in their metadata. A retry with the
same id and the same command returns the original outcome (the recorded events and
the state right after them, so a response built from the outcome is the same byte
for byte) and writes nothing; the same id with a different command is refused
(`idempotency_key_reused`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope, Metadata, NewEvent, event_id_for, now
from shared.errors import AnbeiError, Conflict, InvalidCommand
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

    def metadata(self, command_digest: str) -> Metadata:
        return Metadata(actor=self.actor, command_id=self.command_id,
                        correlation_id=self.correlation_id or self.command_id,
                        causation_id=self.causation_id, command_digest=command_digest)


class IdempotencyKeyReused(Conflict):
    """A command id (an `Idempotency-Key`) already recorded a different command."""

    default_code = "idempotency_key_reused"


def command_digest(stream_id: str, command: Command) -> str:
    """What a retry must repeat: the command's type, its fields as sent, and its stream."""
    body = json.dumps([stream_id, type(command).__name__, command.model_dump(mode="json")],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


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
    ) -> None:
        self.store, self.runner = store, runner
        self.views = runner.views
        self.upcasters = upcasters or Upcasters()

    def load(self, stream_id: str, decider: Decider[C, S], to_version: int | None = None) -> tuple[S, int]:
        """The stream's state and version, now or right after `to_version`."""
        history = self.store.read_stream(stream_id)
        if to_version is not None:
            history = [envelope for envelope in history if envelope.version <= to_version]
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
        digest = command_digest(stream_id, command)
        for attempt in range(1, ATTEMPTS + 1):
            replay = self._already_recorded(stream_id, context.command_id, digest)
            if replay:
                return self._replayed(stream_id, decider, replay)
            state, version = self.load(stream_id, decider)
            try:
                events = decider.decide(command, state)
            except AnbeiError:
                # a twin (same id, same command, e.g. a retry on another replica) may have
                # landed between the check above and the load: its outcome is our answer
                if replay := self._already_recorded(stream_id, context.command_id, digest):
                    return self._replayed(stream_id, decider, replay)
                raise
            if not events:
                return Outcome(state, [])
            try:
                stored = self.store.append(stream_id, version,
                                           self._new_events(events, context, digest))
            except ConcurrencyError:
                if attempt == ATTEMPTS:
                    raise
                continue
            self.runner.catch_up()
            return Outcome(decider.fold(events, state), stored)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _replayed(self, stream_id: str, decider: Decider[C, S], replay: list[EventEnvelope]) -> Outcome[S]:
        state = self.load(stream_id, decider, to_version=replay[-1].version)[0]
        return Outcome(state, replay, replayed=True)

    def _already_recorded(self, stream_id: str, command_id: str, digest: str) -> list[EventEnvelope]:
        recorded: list[EventEnvelope] = []
        while (event := self.store.get_event(event_id_for(command_id, len(recorded)))) is not None:
            if event.stream_id != stream_id or event.metadata.command_digest != digest:
                raise IdempotencyKeyReused(
                    f"this command id already recorded a different command (on {event.stream_id}, "
                    f"at {event.recorded_at.isoformat()}); use a new key for a new command",
                    field="command_id",
                )
            recorded.append(event)
        return recorded

    @staticmethod
    def _new_events(events: list[Event], context: CommandContext, digest: str) -> list[NewEvent]:
        metadata = context.metadata(digest)
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
