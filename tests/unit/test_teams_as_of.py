"""A team's readiness as of a past moment, from the index, equals a replay of its events up to then."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.teams import handlers
from services.teams.as_of import as_of_doc, readiness_as_of
from services.teams.domain import teams
from services.teams.domain.history import Timed, replay_as_of
from services.teams.projections import PROJECTIONS
from services.teams.upcasters import UPCASTERS
from shared.application import Application, CommandContext
from shared.errors import AnbeiError
from shared.testing import in_memory_application
from tests.unit.teams_factories import TEAM, arrive, deploy, equipment, register, release, report

T0 = datetime(2024, 7, 1, tzinfo=UTC)
ITEMS = ["self-priming-pump", "rubber-boat"]

steps = st.one_of(
    st.builds(lambda status, people: report(status=status, people_available=people),
              st.sampled_from(["ready", "partially_ready", "not_ready"]), st.integers(0, 18)),
    st.builds(lambda incident: deploy(incident_id=incident), st.sampled_from(["flood-a", "flood-b"])),
    st.builds(lambda incident: arrive(incident_id=incident), st.sampled_from(["flood-a", "flood-b"])),
    st.builds(lambda incident: release(incident_id=incident), st.sampled_from(["flood-a", "flood-b"])),
    st.builds(lambda item, ready: equipment(item_id=item, ready=ready, damaged=2 - ready),
              st.sampled_from(ITEMS), st.integers(0, 2)),
)
#: minutes after T0, few distinct values so that moments tie and reports arrive out of order
moments = st.integers(0, 40).map(lambda minutes: T0 + timedelta(minutes=minutes * 15))


def record(app: Application, history: list[tuple[Any, datetime]]) -> None:
    handlers.register_team(app, register(), CommandContext(command_id="register", occurred_at=T0))
    for command, moment in history:
        context = CommandContext(command_id=str(uuid.uuid4()), occurred_at=moment)
        with contextlib.suppress(AnbeiError):  # a refused step records nothing, as in life
            handlers.run_team_command(app, command, context)


def replayed(app: Application, moment: datetime) -> dict[str, Any]:
    stored = map(app.upcasters.upcast, app.store.read_stream(teams.stream_id(TEAM)))
    history = [Timed(envelope.occurred_at, envelope.version,
                     teams.teams.event_from(envelope.type, envelope.data)) for envelope in stored]
    return as_of_doc(TEAM, moment, replay_as_of(history, moment))


def indexed(app: Application, moment: datetime) -> dict[str, Any]:
    with app.views.reading() as views:
        return readiness_as_of(views, TEAM, ITEMS, moment)


@settings(max_examples=150, deadline=None)
@given(history=st.lists(st.tuples(steps, moments), max_size=25),
       asked=st.lists(moments, min_size=1, max_size=8))
def test_readiness_as_of_any_moment_equals_a_replay_up_to_that_moment(
    history: list[tuple[Any, datetime]], asked: list[datetime]
) -> None:
    app = in_memory_application(PROJECTIONS, UPCASTERS)
    record(app, history)
    for moment in [*asked, *(moment for _, moment in history)]:
        assert indexed(app, moment) == replayed(app, moment)


def test_before_any_report_a_team_s_readiness_is_unknown_and_a_later_report_does_not_leak_back() -> None:
    app = in_memory_application(PROJECTIONS, UPCASTERS)
    record(app, [(report(status="ready"), T0 + timedelta(hours=2))])
    assert indexed(app, T0 + timedelta(hours=1))["status"] == "unknown"
    assert indexed(app, T0 + timedelta(hours=2))["status"] == "ready"


def test_a_late_paper_report_counts_from_when_it_happened_not_when_it_was_typed_in() -> None:
    app = in_memory_application(PROJECTIONS, UPCASTERS)
    record(app, [(report(status="not_ready", people_available=0), T0 + timedelta(hours=5)),
                 (report(status="ready"), T0 + timedelta(hours=1))])  # typed in after, happened before
    assert indexed(app, T0 + timedelta(hours=3))["status"] == "ready"
    assert indexed(app, T0 + timedelta(hours=6))["status"] == "not_ready"
