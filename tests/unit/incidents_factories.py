"""Factories for incidents tests: valid commands by default, any field overridden; the decider
with its facts; histories (`given`) that put an incident or a request in any status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.incidents.domain import incidents, request
from services.incidents.domain.incidents import Incident
from services.incidents.domain.lifecycle import (
    ActivateResponse,
    BeginRecovery,
    CloseIncident,
    DeclareContained,
    DismissIncident,
    IncidentCommand,
    IncidentReported,
    ReportIncident,
    VerifyIncident,
)
from services.incidents.domain.request import RequestCommand
from services.incidents.domain.request_commands import ApproveRequest, RaiseRequest
from services.incidents.domain.request_state import Request
from shared.decider import Event, parse

INCIDENT = "pi-river-flood"
#: When the flood happened; commands in these tests happen an hour later unless told otherwise.
OCCURRED = datetime(2024, 7, 2, 3, 15, tzinfo=UTC)
LATER = OCCURRED + timedelta(hours=1)


def report(**overrides: Any) -> ReportIncident:
    fields: dict[str, Any] = {
        "incident_id": INCIDENT, "title": "Pi river embankment breach", "incident_type": "flood",
        "category": "natural_disaster", "township": "sanshipu", "village": "Zhangxi",
        "reported_by": "information officer Zhou (A post)", "affected_people": 1200,
        "occurred_at": OCCURRED.isoformat(),
    }
    return parse(ReportIncident, {**fields, **overrides})


def crash(**overrides: Any) -> ReportIncident:
    return report(**{"incident_id": "g312-tanker-crash", "title": "Tanker crash on G312",
                     "incident_type": "road_traffic", "category": "accident", "affected_people": 0,
                     **overrides})


def decide(command: IncidentCommand, state: Incident, at: datetime = LATER,
           open_requests: tuple[str, ...] = ()) -> list[Event]:
    return incidents.decide(command, state, incidents.Facts(at=at, open_requests=open_requests))


def given(*events: Event) -> Incident:
    return incidents.incidents.fold(events)


def reported(**overrides: Any) -> IncidentReported:
    [event] = decide(report(**overrides), given())
    assert isinstance(event, IncidentReported)
    return event


def history(*commands: IncidentCommand) -> list[Event]:
    """The events of a report followed by `commands`, each decided on the state before it."""
    events: list[Event] = [reported()]
    for command in commands:
        events += decide(command, given(*events))
    return events


BASIS = {"people_relocated": 800}
TO_STATUS: dict[str, tuple[IncidentCommand, ...]] = {
    "reported": (),
    "verified": (VerifyIncident(incident_id=INCIDENT),),
    "response_active": (VerifyIncident(incident_id=INCIDENT),
                        parse(ActivateResponse, {"incident_id": INCIDENT, "level": "III", "basis": BASIS})),
}
TO_STATUS["contained"] = (*TO_STATUS["response_active"], DeclareContained(incident_id=INCIDENT))
TO_STATUS["recovering"] = (*TO_STATUS["contained"], BeginRecovery(incident_id=INCIDENT))


def incident_in(status: str) -> list[Event]:
    """A history that leaves the incident in `status` (reported … recovering, dismissed, closed)."""
    if status == "dismissed":
        return history(DismissIncident(incident_id=INCIDENT, reason="a duplicate of a report already in"))
    if status == "closed":
        return history(*TO_STATUS["recovering"], CloseIncident(incident_id=INCIDENT))
    return history(*TO_STATUS[status])


# --- requests ---------------------------------------------------------------------------------

def raise_request(**overrides: Any) -> RaiseRequest:
    fields: dict[str, Any] = {
        "incident_id": INCIDENT, "request_id": "r1", "priority": "urgent",
        "destination": "Sanshipu flood HQ, Zhangxi village",
        "materials": [{"item_id": "woven-sandbags", "quantity": 20000},
                      {"item_id": "rubber-boats", "quantity": 4},
                      {"item_id": "life-jackets", "quantity": 40}],
        "teams": [{"team_id": "longma-sanitation-rescue"},
                  {"capability": "flood_water_rescue", "people": 30}],
    }
    return parse(RaiseRequest, {**fields, **overrides})


def approve(**overrides: Any) -> ApproveRequest:
    return parse(ApproveRequest, {"incident_id": INCIDENT, "request_id": "r1", **overrides})


def decide_request(command: RequestCommand, state: Request, incident_status: str | None = "response_active"
                   ) -> list[Event]:
    return request.decide(command, state, request.Facts(incident_status=incident_status))


def given_request(*events: Event) -> Request:
    return request.requests.fold(events)


def request_history(*commands: RequestCommand) -> list[Event]:
    events: list[Event] = decide_request(raise_request(), given_request())
    for command in commands:
        events += decide_request(command, given_request(*events))
    return events
