from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from services.teams import handlers
from services.teams.domain.teams import RegisterTeam, ReportReadiness
from services.teams.projections import PROJECTIONS, READINESS, TEAMS
from shared.application import Application, CommandContext
from shared.decider import parse
from shared.testing import in_memory_application

REGISTERED_AT = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
REPORTED_AT = datetime(2024, 7, 1, 22, 30, tzinfo=UTC)


@pytest.fixture
def app() -> Application:
    return in_memory_application(PROJECTIONS)


def context(at: datetime, actor: str = "system") -> CommandContext:
    return CommandContext(command_id=str(uuid.uuid4()), actor=actor, occurred_at=at)


def register(app: Application, **overrides: Any) -> None:
    command = parse(RegisterTeam, {
        "team_id": "forest-fire-professional", "name": "Forest-fire professional team",
        "name_zh": "扑火专业队伍", "team_type": "professional", "members": 23, **overrides,
    })
    handlers.register_team(app, command, context(REGISTERED_AT, "admin"))


def report(app: Application, **overrides: Any) -> None:
    command = parse(ReportReadiness, {"team_id": "forest-fire-professional", "status": "ready",
                                      "people_available": 21, **overrides})
    handlers.report_readiness(app, command, context(REPORTED_AT, "leader-wang"))


def test_a_newly_registered_team_is_on_the_board_with_unknown_readiness(app: Application) -> None:
    register(app)
    assert app.views.list(READINESS) == [{
        "team_id": "forest-fire-professional", "name": "Forest-fire professional team",
        "name_zh": "扑火专业队伍", "team_type": "professional", "units": 1, "members": 23,
        "status": "unknown", "people_available": None, "equipment_notes": None, "note": None,
        "reported_at": None, "recorded_at": None, "reported_by": None,
    }]


def test_a_readiness_report_shows_on_the_board_with_who_reported_it_and_when(app: Application) -> None:
    register(app)
    report(app, status="partially_ready", equipment_notes="two chainsaws out")
    line = app.views.get(READINESS, "forest-fire-professional")
    assert line is not None
    assert (line["status"], line["people_available"], line["equipment_notes"]) == (
        "partially_ready", 21, "two chainsaws out")
    assert (line["reported_at"], line["reported_by"]) == (REPORTED_AT.isoformat(), "leader-wang")
    assert datetime.fromisoformat(line["recorded_at"]) >= REPORTED_AT


def test_the_team_document_carries_its_registration_and_latest_readiness(app: Application) -> None:
    register(app, equipment=[{"name": "wind extinguisher", "quantity": 10}])
    report(app, status="ready")
    report(app, status="not_ready", people_available=0, note="crew stood down")
    team = app.views.get(TEAMS, "forest-fire-professional")
    assert team is not None
    assert team["registered_at"] == REGISTERED_AT.isoformat()
    assert team["equipment"] == [{"name": "wind extinguisher", "name_zh": None, "quantity": 10}]
    assert (team["readiness"]["status"], team["readiness"]["note"]) == ("not_ready", "crew stood down")


def test_the_board_lists_teams_by_id(app: Application) -> None:
    register(app, team_id="mass-forest-fire-teams", team_type="mass_volunteer", units=19, members=174)
    register(app)
    assert [line["team_id"] for line in app.views.list(READINESS)] == [
        "forest-fire-professional", "mass-forest-fire-teams"]


def test_the_read_models_equal_a_rebuild_from_the_log(app: Application) -> None:
    register(app)
    report(app)
    report(app, status="not_ready", people_available=3)
    assert app.runner.verify().ok
