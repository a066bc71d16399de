"""The teams read models: team records, the board, deployments, timeline, rosters; rebuild equals live."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.teams import handlers
from services.teams.domain.roster import AddMember, RecordCertificate, RemoveMember
from services.teams.domain.townships import RegisterTownship
from services.teams.projections import DEPLOYMENTS, PROJECTIONS, READINESS, TEAMS, TIMELINE
from services.teams.registers import CERTIFICATES, MEMBERS
from services.teams.upcasters import UPCASTERS
from shared.application import Application, CommandContext
from shared.decider import parse
from shared.testing import in_memory_application
from tests.unit.teams_factories import TEAM, arrive, deploy, equipment, register, release, report

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def app() -> Application:
    return in_memory_application(PROJECTIONS, UPCASTERS)


def at(hours: float, actor: str = "leader-wang") -> CommandContext:
    return CommandContext(command_id=str(uuid.uuid4()), actor=actor, occurred_at=T0 + timedelta(hours=hours))


def run(app: Application, command: Any, hours: float = 0, actor: str = "leader-wang") -> None:
    if command.__class__.__name__ == "RegisterTeam":
        handlers.register_team(app, command, at(hours, actor))
    elif command.__class__.__name__ in ("AddMember", "RecordCertificate", "RemoveMember"):
        handlers.run_roster_command(app, command, at(hours, actor))
    else:
        handlers.run_team_command(app, command, at(hours, actor))


def board(app: Application) -> dict[str, Any]:
    line = app.views.get(READINESS, TEAM)
    assert line is not None
    return line


def test_a_new_team_is_on_the_board_with_unknown_readiness_going_stale_a_day_after_registration(
    app: Application,
) -> None:
    run(app, register(), hours=0)
    line = board(app)
    assert (line["status"], line["people_available"], line["deployment"]) == ("unknown", None, None)
    assert line["capabilities"] == ["drainage", "flood_water_rescue"]
    assert line["stale_at"] == (T0 + timedelta(hours=24)).isoformat()
    assert line["machines_available"] == 4


def test_a_readiness_report_shows_who_reported_when_and_moves_the_stale_moment(app: Application) -> None:
    run(app, register())
    run(app, report(status="partially_ready", equipment_notes="one pump out"), hours=5, actor="leader-li")
    line = board(app)
    assert (line["status"], line["people_available"], line["equipment_notes"]) == (
        "partially_ready", 16, "one pump out")
    assert (line["reported_at"], line["reported_by"]) == ((T0 + timedelta(hours=5)).isoformat(), "leader-li")
    assert line["stale_at"] == (T0 + timedelta(hours=29)).isoformat()


def test_machines_available_come_from_the_report_where_it_says_and_ready_units_elsewhere(
    app: Application,
) -> None:
    run(app, register())
    run(app, equipment(item_id="self-priming-pump", ready=1, damaged=1), hours=1)
    assert board(app)["machines_available"] == 3  # 1 pump ready + 2 boats
    run(app, report(equipment_available=[{"item_id": "rubber-boat", "quantity": 0}]), hours=2)
    assert board(app)["machines_available"] == 1  # the report says no boats; pumps from the status


def test_equipment_time_out_of_service_adds_up_between_status_reports(app: Application) -> None:
    run(app, register())
    run(app, equipment(ready=1, damaged=1), hours=1)
    run(app, equipment(ready=0, maintenance=2, damaged=0), hours=3)
    run(app, equipment(ready=2, damaged=0), hours=4)
    team = app.views.get(TEAMS, TEAM)
    assert team is not None
    boat = next(line for line in team["equipment"] if line["item_id"] == "rubber-boat")
    assert boat["out_of_service_unit_seconds"] == (1 * 2 + 2 * 1) * 3600
    assert boat["out_of_service_since"] is None
    assert board(app)["equipment_out_of_service"] == 0


def test_deployment_shows_on_the_board_and_its_history_keeps_every_step(app: Application) -> None:
    run(app, register())
    run(app, report(), hours=1)
    run(app, deploy(people=12), hours=2, actor="commander-zhao")
    assert board(app)["deployment"] == {
        "deployment": 1, "incident_id": "pi-river-seepage", "status": "deployed",
        "deployed_at": (T0 + timedelta(hours=2)).isoformat(), "arrived_at": None, "people": 12}
    run(app, arrive(), hours=3)
    assert board(app)["deployment"]["status"] == "on_scene"
    run(app, release(outcome="stood_down", note="water receded"), hours=9)
    assert board(app)["deployment"] is None
    [record] = app.views.list(DEPLOYMENTS, f"{TEAM}/")
    assert (record["status"], record["deployed_by"], record["release_note"]) == (
        "stood_down", "commander-zhao", "water receded")
    assert record["arrived_at"] == (T0 + timedelta(hours=3)).isoformat()


def test_the_timeline_lists_everything_in_the_order_recorded_with_a_summary(app: Application) -> None:
    run(app, register())
    run(app, report(), hours=1)
    run(app, deploy(), hours=2)
    summaries = [entry["summary"] for entry in app.views.list(TIMELINE, f"{TEAM}/")]
    assert summaries == ["registered as enterprise with 18 members", "reported ready, 16 people available",
                         "deployed to incident pi-river-seepage (deployment 1)"]


def test_certificates_are_indexed_by_expiry_and_a_renewal_or_removal_retires_the_old_entry(
    app: Application,
) -> None:
    run(app, register())
    run(app, parse(AddMember, {"team_id": TEAM, "member_id": "pump-operator", "name": "pump operator",
                               "role": "pump operator", "special_operations": True}))
    certificate = {"team_id": TEAM, "member_id": "pump-operator", "certificate_id": "electrician",
                   "kind": "electrician", "expires_on": "2024-07-01"}
    run(app, parse(RecordCertificate, certificate))
    run(app, parse(RecordCertificate, {**certificate, "expires_on": "2027-07-01"}), hours=1)
    entries = {(doc["expires_on"], doc["current"]) for doc in app.views.list(CERTIFICATES)}
    assert entries == {("2024-07-01", False), ("2027-07-01", True)}
    member = app.views.get(MEMBERS, f"{TEAM}/pump-operator")
    assert member is not None and [held["expires_on"] for held in member["certificates"]] == ["2027-07-01"]
    run(app, parse(RemoveMember, {"team_id": TEAM, "member_id": "pump-operator"}), hours=2)
    assert not any(doc["current"] for doc in app.views.list(CERTIFICATES))
    assert app.views.get(MEMBERS, f"{TEAM}/pump-operator")["active"] is False  # type: ignore[index]


def test_the_read_models_equal_a_rebuild_from_the_log(app: Application) -> None:
    handlers.register_township(app, parse(RegisterTownship, {
        "township_id": "sanshipu", "name": "Sanshipu", "name_zh": "三十铺镇", "kind": "town",
        "location": {"lat": 31.78, "lon": 116.62}}), at(0))
    run(app, register(township="sanshipu"))
    run(app, report(), hours=1)
    run(app, equipment(), hours=2)
    run(app, deploy(), hours=3)
    run(app, arrive(), hours=4)
    run(app, release(), hours=5)
    run(app, parse(AddMember, {"team_id": TEAM, "member_id": "diver", "name": "diver", "role": "diver"}))
    assert app.runner.verify().ok
