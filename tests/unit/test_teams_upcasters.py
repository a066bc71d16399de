"""Teams events stored in their first shape still load, replay and project."""

from __future__ import annotations

from datetime import UTC, datetime

from services.teams.domain import teams
from services.teams.projections import PROJECTIONS, READINESS, TEAMS
from services.teams.upcasters import UPCASTERS
from shared.envelope import NewEvent
from shared.testing import in_memory_application

AT = datetime(2023, 5, 1, tzinfo=UTC)
V1_REGISTERED = {"team_id": "longma-sanitation-rescue", "name": "Longma", "name_zh": "六安龙马环卫抢险队",
                 "team_type": "enterprise", "agency": None, "township": None, "units": 1, "members": 18,
                 "equipment": [{"name": "rubber boat", "name_zh": "橡皮艇", "quantity": 2}]}
V1_REPORTED = {"team_id": "longma-sanitation-rescue", "status": "ready", "people_available": 18,
               "equipment_notes": None, "note": None}


def test_first_shape_team_events_replay_into_state_and_read_models() -> None:
    app = in_memory_application(PROJECTIONS, UPCASTERS)
    app.store.append(teams.stream_id("longma-sanitation-rescue"), 0, [
        NewEvent(type="TeamRegistered", schema_version=1, occurred_at=AT, data=V1_REGISTERED),
        NewEvent(type="ReadinessReported", schema_version=1, occurred_at=AT, data=V1_REPORTED),
    ])
    app.runner.catch_up()
    state, version = app.load(teams.stream_id("longma-sanitation-rescue"), teams.teams)
    assert (version, state.items, state.status) == (2, {"item-1": 2}, "ready")
    team = app.views.get(TEAMS, "longma-sanitation-rescue")
    assert team is not None and team["capabilities"] == [] and team["equipment"][0]["item_id"] == "item-1"
    line = app.views.get(READINESS, "longma-sanitation-rescue")
    assert line is not None and (line["status"], line["machines_available"]) == ("ready", 2)
    assert app.runner.verify().ok
