"""A command whose twin (same command id, same content) lands between the idempotency check and the
load must answer with the twin's outcome, not with the refusal its own decide now makes.

Found by two teams processes deploying one team under one command id at once: one of them
answered `already_deployed` to its own retry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.application import Application, CommandContext
from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope
from shared.errors import Conflict
from shared.projections import ProjectionRunner
from shared.store.memory import InMemoryEventStore
from shared.views import ViewStore


class Claim(Command):
    by: str


class Claimed(Event):
    by: str


@dataclass(frozen=True)
class Slot:
    taken: bool = False


def decide(command: Claim, state: Slot) -> list[Event]:
    if state.taken:
        raise Conflict("already taken", code="taken")
    return [Claimed(by=command.by)]


def evolve(state: Slot, event: Event) -> Slot:
    return Slot(taken=True)


slot = Decider[Claim, Slot](decide, evolve, Slot(), (Claimed,))


class TwinLandsBeforeTheLoad(InMemoryEventStore):
    """Runs `twin` once, just before the first read of the stream."""

    twin: Application | None = None

    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        if self.twin is not None:
            twin, self.twin = self.twin, None
            twin.execute("slot-1", slot, Claim(by="dispatch-7"), CommandContext(command_id="claim-7"))
        return super().read_stream(stream_id, from_version, limit)


def application(store: InMemoryEventStore) -> Application:
    return Application(store, ProjectionRunner(store, ViewStore(":memory:"), []))


def test_a_command_whose_twin_lands_before_its_load_answers_with_the_twins_outcome() -> None:
    store = TwinLandsBeforeTheLoad()
    store.twin = application(InMemoryEventStore(store.shared))
    outcome = application(store).execute("slot-1", slot, Claim(by="dispatch-7"),
                                         CommandContext(command_id="claim-7"))
    assert outcome.replayed
    assert [event.data for event in outcome.events] == [{"by": "dispatch-7"}]
    assert len(store.read_stream("slot-1")) == 1


def test_a_different_command_refused_after_a_race_is_still_refused() -> None:
    store = TwinLandsBeforeTheLoad()
    store.twin = application(InMemoryEventStore(store.shared))
    with pytest.raises(Conflict) as raised:
        application(store).execute("slot-1", slot, Claim(by="dispatch-8"),
                                   CommandContext(command_id="claim-8"))
    assert raised.value.code == "taken"
