"""Load → decide → append, with a tiny counter aggregate on the in-memory store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.application import Application, CommandContext, IdempotencyKeyReused
from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope
from shared.errors import Conflict, InvalidCommand
from shared.projections import ProjectionRunner
from shared.store.base import ConcurrencyError
from shared.store.memory import InMemoryEventStore
from shared.views import ViewStore


class Add(Command):
    amount: int


class Added(Event):
    amount: int


@dataclass(frozen=True)
class Total:
    value: int = 0


def decide(command: Add, state: Total) -> list[Event]:
    if state.value + command.amount > 10:
        raise Conflict("the total may not pass 10", field="amount")
    return [Added(amount=command.amount)] if command.amount else []


def evolve(state: Total, event: Event) -> Total:
    return Total(state.value + event.amount) if isinstance(event, Added) else state


counter = Decider[Add, Total](decide, evolve, Total(), (Added,))


def application(store: InMemoryEventStore | None = None) -> Application:
    store = store or InMemoryEventStore()
    return Application(store, ProjectionRunner(store, ViewStore(":memory:"), []))


def context(command_id: str, **overrides: object) -> CommandContext:
    return CommandContext(command_id=command_id, actor="keeper-li", **overrides)  # type: ignore[arg-type]


def test_a_command_appends_its_events_and_returns_the_new_state() -> None:
    app = application()
    outcome = app.execute("counter-1", counter, Add(amount=3), context("c1"))
    assert outcome.state == Total(3)
    recorded = [(e.type, e.data, e.metadata.actor) for e in outcome.events]
    assert recorded == [("Added", {"amount": 3}, "keeper-li")]
    assert app.load("counter-1", counter) == (Total(3), 1)


def test_a_command_retried_with_its_id_returns_the_original_events_and_writes_nothing() -> None:
    app = application()
    first = app.execute("counter-1", counter, Add(amount=3), context("c1"))
    again = app.execute("counter-1", counter, Add(amount=3), context("c1"))
    assert again.replayed and again.events == first.events
    assert app.load("counter-1", counter) == (Total(3), 1)


def test_a_command_id_reused_for_another_stream_is_refused() -> None:
    app = application()
    app.execute("counter-1", counter, Add(amount=1), context("c1"))
    with pytest.raises(IdempotencyKeyReused, match="on counter-1") as error:
        app.execute("counter-2", counter, Add(amount=1), context("c1"))
    assert error.value.code == "idempotency_key_reused"
    assert app.store.read_stream("counter-2") == []


def test_a_command_id_reused_for_a_different_command_is_refused_and_writes_nothing() -> None:
    app = application()
    app.execute("counter-1", counter, Add(amount=2), context("c1"))
    with pytest.raises(IdempotencyKeyReused):
        app.execute("counter-1", counter, Add(amount=3), context("c1"))
    assert app.load("counter-1", counter) == (Total(2), 1)


def test_a_retry_returns_the_state_right_after_the_original_not_the_current_one() -> None:
    app = application()
    first = app.execute("counter-1", counter, Add(amount=2), context("c1"))
    app.execute("counter-1", counter, Add(amount=5), context("c2"))
    again = app.execute("counter-1", counter, Add(amount=2), context("c1"))
    assert again.replayed
    assert (again.state, again.events) == (first.state, first.events) == (Total(2), first.events)


def test_a_rejected_command_records_nothing() -> None:
    app = application()
    app.execute("counter-1", counter, Add(amount=9), context("c1"))
    with pytest.raises(Conflict):
        app.execute("counter-1", counter, Add(amount=2), context("c2"))
    assert app.store.read_all() == app.store.read_stream("counter-1") and len(app.store.read_all()) == 1


def test_a_command_that_decides_nothing_appends_nothing() -> None:
    app = application()
    assert app.execute("counter-1", counter, Add(amount=0), context("c1")).events == []
    assert app.store.head_position() == 0


def test_the_real_world_time_of_the_command_is_kept() -> None:
    app = application()
    form_date = datetime(2024, 7, 1, 6, 0, tzinfo=UTC)
    [event] = app.execute("counter-1", counter, Add(amount=1), context("c1", occurred_at=form_date)).events
    assert event.occurred_at == form_date and event.recorded_at > form_date


def test_a_command_dated_in_the_future_is_rejected() -> None:
    with pytest.raises(InvalidCommand) as error:
        application().execute("counter-1", counter, Add(amount=1),
                               context("c1", occurred_at=datetime.now(UTC) + timedelta(days=1)))
    assert error.value.field == "occurred_at"


def test_a_command_that_loses_a_race_is_decided_again_and_appended_once() -> None:
    store = InMemoryEventStore()
    app, rival = application(store), application(InMemoryEventStore(store.shared))
    interrupted: list[bool] = []

    def lose_the_first_race() -> None:
        if not interrupted:
            interrupted.append(True)
            store.before_commit = None
            raise ConcurrencyError.stream_moved("counter-1", 0, 1)

    store.before_commit = lose_the_first_race
    rival.execute("counter-1", counter, Add(amount=4), context("rival"))
    outcome = app.execute("counter-1", counter, Add(amount=5), context("c1"))
    assert interrupted and outcome.state == Total(9)
    assert [e.data["amount"] for e in store.read_stream("counter-1")] == [4, 5]


class TwinAppendsFirst(InMemoryEventStore):
    """The same command, on another replica, is appended just before this one's append."""

    twin: Application | None = None

    def append(self, stream_id: str, expected_version: int, events: Any) -> list[EventEnvelope]:
        if self.twin is not None:
            twin, self.twin = self.twin, None
            twin.execute("counter-1", counter, Add(amount=3), context("c1"))
        return super().append(stream_id, expected_version, events)


def test_a_twin_appended_between_the_load_and_the_append_answers_with_the_twins_events() -> None:
    store = TwinAppendsFirst()
    app = application(store)
    store.twin = application(InMemoryEventStore(store.shared))
    outcome = app.execute("counter-1", counter, Add(amount=3), context("c1"))
    assert outcome.replayed and outcome.state == Total(3)
    assert len(store.read_stream("counter-1")) == 1
