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
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from shared.blocking import Background, in_background, yield_to_others
from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope, Metadata, NewEvent, event_id_for, now
from shared.errors import AnbeiError, Conflict, InvalidCommand
from shared.projections import ProjectionRunner, VerifyReport
from shared.snapshots import StateCache
from shared.store.base import ConcurrencyError, EventIdReusedError, EventStore, Payload
from shared.upcasting import Upcasters

C = TypeVar("C", bound=Command)
S = TypeVar("S")
CLOCK_SKEW = timedelta(minutes=5)
#: A command that loses a race is decided again on fresh state, after a short random
#: pause (so racing writers spread out instead of colliding again), for this long at most;
#: then the conflict reaches the caller as a 409.
RETRY_CONFLICTS_FOR_S = 10.0
#: How many events a load folds at a time (a first load after a restart may fold a long history);
#: between pages it hands the GIL over, so the service's event loop keeps answering.
FOLD_PAGE = 100
#: A fold longer than a page is background work: every this many events it gives way to
#: RPC answers running meanwhile (`shared.blocking.give_way`).
GIVE_WAY_EVERY = 16
#: How long a command waits for its own write to reach the read models, past an earlier
#: writer's gap (Mongo gives up on a gap after 10 s and claims it).
READ_YOUR_WRITE_TIMEOUT_S = 15.0


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

    @property
    def position(self) -> int:
        """The highest store position of its events (the original's on a retry); 0 when it recorded none."""
        return max((event.position for event in self.events), default=0)


class Application:
    """A service's event-sourced core: its store, its read models, its upcasters and its
    state cache (snapshots, `shared.snapshots`)."""

    def __init__(
        self,
        store: EventStore,
        runner: ProjectionRunner,
        upcasters: Upcasters | None = None,
        *,
        snapshot_every: int = 100,
        cache_capacity: int = 10_000,
    ) -> None:
        self.store, self.runner = store, runner
        self.views = runner.views
        self.upcasters = upcasters or Upcasters()
        self.states = StateCache(self.views, self.upcasters, every=snapshot_every, capacity=cache_capacity)
        #: how many times a command was decided again because another writer got in first
        self.conflicts_retried = 0

    def load(self, stream_id: str, decider: Decider[C, S], to_version: int | None = None) -> tuple[S, int]:
        """The stream's state and version, now or right after `to_version`."""
        if to_version is None:
            state, version, _, _ = self._load(stream_id, decider)
            return state, version
        start, version, _ = self.states.start(stream_id, decider)
        if version > to_version:
            start, version = decider.initial_state, 0
        tail = [e for e in self.store.read_stream(stream_id, version + 1) if e.version <= to_version]
        state = decider.fold((self._decode(decider, e) for e in tail), start)
        return state, tail[-1].version if tail else version

    def _load(
        self, stream_id: str, decider: Decider[C, S], command_id: str | None = None
    ) -> tuple[S, int, int, EventEnvelope | None]:
        """Current state, version and snapshot version: the cached or snapshotted state plus
        only the events after it; and, in the same read, the first event a command with
        `command_id` recorded, if it already ran."""
        state, version, snapshot_version = self.states.start(stream_id, decider)
        first_id = event_id_for(command_id, 0) if command_id is not None else None
        tail, recorded = self.store.read_for_command(stream_id, version + 1, first_id, FOLD_PAGE)
        known = version
        if tail:
            state = decider.fold((self._decode(decider, envelope) for envelope in tail), state)
            version = tail[-1].version
        if len(tail) == FOLD_PAGE:
            state, version = self._fold_long(stream_id, decider, state, version)
        if version > known:
            self.states.remember(stream_id, decider, state, version, snapshot_version)
        return state, version, snapshot_version, recorded

    def _fold_long(self, stream_id: str, decider: Decider[C, S], state: S, version: int) -> tuple[S, int]:
        """The rest of a history longer than a page, as background work: page by page, so few
        objects live at once, giving way to RPC answers now and then."""
        with in_background() as background:
            while tail := self.store.read_payloads(stream_id, version + 1, FOLD_PAGE):
                yield_to_others()
                state = decider.fold(self._giving_way(decider, tail, background), state)
                version = tail[-1].version
                if len(tail) < FOLD_PAGE:
                    break
        return state, version

    def _giving_way(
        self, decider: Decider[C, S], tail: list[Payload], background: Background
    ) -> Iterator[Event]:
        for index, payload in enumerate(tail):
            if index % GIVE_WAY_EVERY == 0:
                background.give_way()
            yield self._decode(decider, payload)

    def _decode(self, decider: Decider[C, S], event: EventEnvelope | Payload) -> Event:
        _, data = self.upcasters.upcast_data(event.type, event.schema_version, event.data)
        return decider.event_from(event.type, data)

    def execute(
        self, stream_id: str, decider: Decider[C, S], command: C, context: CommandContext
    ) -> Outcome[S]:
        if context.occurred_at > now() + CLOCK_SKEW:
            raise InvalidCommand("must not be in the future", field="occurred_at")
        digest = command_digest(stream_id, command)
        give_up_at = time.monotonic() + RETRY_CONFLICTS_FOR_S
        attempt = 0
        while True:
            attempt += 1
            state, version, snapshot_version, recorded = self._load(stream_id, decider, context.command_id)
            if recorded is not None:
                replay = self._already_recorded(stream_id, context.command_id, digest, recorded)
                return self._replayed(stream_id, decider, replay)
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
            except EventIdReusedError:
                # a twin recorded this command between our check and our append (its events
                # differ from ours only in the defaulted time): its outcome is our answer
                if replay := self._already_recorded(stream_id, context.command_id, digest):
                    return self._replayed(stream_id, decider, replay)
                raise
            except ConcurrencyError:
                if time.monotonic() > give_up_at:
                    raise
                self.conflicts_retried += 1
                time.sleep(random.uniform(0, min(0.001 * 2 ** min(attempt, 6), 0.05)))
                continue
            new_state = decider.fold(events, state)
            self.states.remember(stream_id, decider, new_state, stored[-1].version, snapshot_version)
            self.runner.catch_up_to(stored[-1].position, READ_YOUR_WRITE_TIMEOUT_S, known=stored)
            return Outcome(new_state, stored)

    def _replayed(self, stream_id: str, decider: Decider[C, S], replay: list[EventEnvelope]) -> Outcome[S]:
        state = self.load(stream_id, decider, to_version=replay[-1].version)[0]
        return Outcome(state, replay, replayed=True)

    def _already_recorded(
        self, stream_id: str, command_id: str, digest: str, first: EventEnvelope | None = None
    ) -> list[EventEnvelope]:
        """The events a command with this id recorded (none if it never ran); refused when
        they were recorded by a different command."""
        recorded: list[EventEnvelope] = []
        while (event := first if first is not None and not recorded
               else self.store.get_event(event_id_for(command_id, len(recorded)))) is not None:
            if event.stream_id != stream_id or event.metadata.command_digest != digest:
                raise IdempotencyKeyReused(
                    f"this command id already recorded a different command (on {event.stream_id}, "
                    f"at {event.recorded_at.isoformat()}); use a new key for a new command",
                    field="command_id",
                )
            recorded.append(event)
        return recorded

    def verify(self, anchors: dict[str, int] | None = None) -> VerifyReport:
        """The read models' and the log's checks (`ProjectionRunner.verify`), and every
        snapshot compared with its stream folded from the events."""
        report = self.runner.verify(anchors)
        return report.model_copy(update={"snapshot_problems": self._snapshot_problems()})

    def _snapshot_problems(self) -> list[str]:
        deciders = self.states.deciders_by_fingerprint()
        problems, after = [], ""
        while page := self.views.snapshots_after(after):
            for stream_id, fingerprint, version, state in page:
                decider = deciders.get(fingerprint)
                if decider is None:
                    continue  # stale (older code or upcasters): never used, rewritten on next load
                codec = self.states.codec(decider)
                history = [e for e in self.store.read_stream(stream_id) if e.version <= version]
                replayed = decider.fold(self._decode(decider, e) for e in history)
                try:
                    matches = codec.load(state) == replayed and len(history) == version
                except ValueError as error:
                    problems.append(f"{stream_id}: snapshot at version {version} cannot be read: {error}")
                    continue
                if not matches:
                    problems.append(f"{stream_id}: snapshot at version {version} differs from its events")
            after = page[-1][0]
        return problems

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
