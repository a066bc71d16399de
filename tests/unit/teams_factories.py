"""Factories for teams tests: valid commands by default, any field overridden."""

from __future__ import annotations

from typing import Any

from services.teams.domain import teams
from services.teams.domain.deployments import DeployTeam, RecordArrival, ReleaseTeam
from services.teams.domain.readiness import ReadinessReported, ReportEquipmentStatus, ReportReadiness
from services.teams.domain.registry import RegisterTeam, TeamRegistered
from services.teams.domain.teams import Team
from shared.decider import Event, parse

TEAM = "longma-sanitation-rescue"


def register(**overrides: Any) -> RegisterTeam:
    fields: dict[str, Any] = {
        "team_id": TEAM, "name": "Lu'an Longma sanitation rescue team", "name_zh": "六安龙马环卫抢险队",
        "team_type": "enterprise", "capabilities": ["drainage", "flood_water_rescue"], "members": 18,
        "equipment": [{"item_id": "self-priming-pump", "name": "trailer self-priming pump, 300 mm",
                       "quantity": 2},
                      {"item_id": "rubber-boat", "name": "rubber boat", "name_zh": "橡皮艇", "quantity": 2}],
        "duty": {"a": {"post": "duty post A"}, "b": {"post": "duty post B"}},
    }
    return parse(RegisterTeam, {**fields, **overrides})


def registered(**overrides: Any) -> TeamRegistered:
    return TeamRegistered(**register(**overrides).model_dump(exclude={"occurred_at"}))


def report(**overrides: Any) -> ReportReadiness:
    return parse(ReportReadiness, {"team_id": TEAM, "status": "ready", "people_available": 16, **overrides})


def reported(**overrides: Any) -> ReadinessReported:
    return ReadinessReported(**report(**overrides).model_dump(exclude={"occurred_at"}))


def equipment(**overrides: Any) -> ReportEquipmentStatus:
    return parse(ReportEquipmentStatus, {"team_id": TEAM, "item_id": "rubber-boat", "ready": 1, "damaged": 1,
                                         **overrides})


def deploy(**overrides: Any) -> DeployTeam:
    return parse(DeployTeam, {"team_id": TEAM, "incident_id": "pi-river-seepage", **overrides})


def arrive(**overrides: Any) -> RecordArrival:
    return parse(RecordArrival, {"team_id": TEAM, "incident_id": "pi-river-seepage", **overrides})


def release(**overrides: Any) -> ReleaseTeam:
    return parse(ReleaseTeam, {"team_id": TEAM, "incident_id": "pi-river-seepage", **overrides})


def given(*events: Event) -> Team:
    return teams.teams.fold(events)


def when(command: Any, state: Team) -> list[Event]:
    return teams.decide(command, state)
