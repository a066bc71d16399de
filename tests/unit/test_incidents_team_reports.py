"""What the teams service publishes about the teams we sent, noted on the incident: once however
often it is delivered, in whatever order, and only for our incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.envelope import EventEnvelope, Metadata
from tests.unit.incidents_world import INCIDENT, World

BLUE_SKY = "blue-sky-rescue"


def teams_event(kind: str, incident_id: str = INCIDENT, deployment: int = 1, **data: Any) -> dict[str, Any]:
    """A message as the teams service's relay publishes it on `teams.events`."""
    body = {"team_id": BLUE_SKY, "incident_id": incident_id, "deployment": deployment, "note": None, **data}
    return EventEnvelope(event_id=uuid.uuid4(), type=kind, schema_version=1, stream_id=f"team:{BLUE_SKY}",
                         version=7, position=42, occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
                         data=body, metadata=Metadata(actor="leader-wang"), hash="x").to_message()


@pytest.fixture
def world() -> World:
    world = World()
    world.live_flood()
    return world


def blue_sky(world: World) -> dict[str, Any]:
    teams = world.service.get_incident(INCIDENT)["dispatched_teams"]
    return next(team for team in teams if team["team_id"] == BLUE_SKY)


def notes(world: World) -> list[str]:
    stream = world.app.store.read_stream(f"incident:{INCIDENT}")
    return [event.type for event in stream if event.type == "TeamReportNoted"]


def test_an_arrival_puts_the_team_on_scene_once_however_often_it_is_delivered(world: World) -> None:
    world.request()
    world.settle()
    arrived = teams_event("TeamArrived")
    for _ in range(3):
        world.service.on_team_arrived(arrived)
    assert (blue_sky(world)["status"], notes(world)) == ("on_scene", ["TeamReportNoted"])
    assert blue_sky(world)["arrived_at"] is not None
    texts = [entry["text"] for entry in world.service.get_incident(INCIDENT)["timeline"]]
    assert "team blue-sky-rescue arrived on scene (deployment 1, as its team recorded it)" in texts


def test_a_release_by_its_leader_ends_the_deployment_and_an_arrival_after_it_does_not_reopen_it(
    world: World,
) -> None:
    world.request()
    world.settle()
    world.service.on_team_released(teams_event("TeamReleased", outcome="released"))
    world.service.on_team_arrived(teams_event("TeamArrived"))  # delivered late
    team = blue_sky(world)
    assert (team["status"], team["arrived_at"] is not None) == ("released", True)


def test_a_report_noted_before_its_dispatch_was_recorded_lands_on_it_once_it_is(world: World) -> None:
    world.service.on_team_arrived(teams_event("TeamArrived"))
    world.request()
    world.settle()
    assert blue_sky(world)["status"] == "on_scene"
    assert world.service.get_incident(INCIDENT)["team_reports"] == []
    assert world.service.verify()["ok"]


def test_a_report_of_another_deployment_or_of_an_incident_not_ours_changes_nothing(world: World) -> None:
    world.request()
    world.settle()
    world.service.on_team_arrived(teams_event("TeamArrived", deployment=7))
    world.service.on_team_arrived(teams_event("TeamArrived", incident_id="somebody-elses"))
    assert blue_sky(world)["status"] == "deployed"
    assert world.app.store.read_stream("incident:somebody-elses") == []


def test_our_own_stand_down_and_its_echo_from_teams_agree(world: World) -> None:
    world.request()
    world.settle()
    world.service.cancel_request({"incident_id": INCIDENT, "request_id": "r1", "reason": "receding"})
    world.settle()
    world.service.on_team_released(teams_event("TeamReleased", outcome="stood_down"))
    assert blue_sky(world)["status"] == "stood_down"
