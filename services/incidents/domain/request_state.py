"""A request's state as its events build it: the lines asked and approved, and where each planned
step stands (planned, done, refused, undone); and what each line got in the end."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from shared.decider import Event

from .dispatch_steps import (
    Assignment,
    CallOff,
    CallOffClosed,
    DispatchCompleted,
    DispatchPlanned,
    DispatchStepRefused,
    LineResult,
    MaterialsCalledOff,
    MaterialsIssued,
    MaterialsReserved,
    Outcome,
    ReservationReleased,
    Shortfall,
    Source,
    TeamDispatched,
    TeamStoodDown,
)
from .kinds import GeoPoint
from .request_commands import (
    MaterialLine,
    MaterialsPledged,
    RequestApproved,
    RequestCancelled,
    RequestRaised,
    RequestRejected,
    TeamLine,
)

RequestStatus = Literal["requested", "approved", "dispatching", "fulfilled", "partly_fulfilled", "failed",
                        "rejected", "cancelled"]
#: For each step, the statuses its target may have for the step to be still to do (a reservation
#: whose issue was refused is still held, and released).
_AWAITS = {"reserve": ("planned",), "issue": ("reserved",), "release": ("reserved", "issue_refused"),
           "call_off": ("planned",), "close": ("placed",), "deploy": ("planned",),
           "stand_down": ("deployed",)}


class _StepTarget:
    """What the three kinds of step target share: the request line they serve and whether a step
    is still to do for them."""

    plan: Source | CallOff | Assignment
    status: str

    @property
    def line(self) -> str:
        return self.plan.line

    def awaits(self, step: str) -> bool:
        return self.status in _AWAITS.get(step, ())


@dataclass(frozen=True)
class SourceState(_StepTarget):
    plan: Source
    status: Literal["planned", "reserved", "issued", "refused", "issue_refused", "released"] = "planned"
    reason: str | None = None


@dataclass(frozen=True)
class CallOffState(_StepTarget):
    plan: CallOff
    status: Literal["planned", "placed", "refused", "closed"] = "planned"
    reason: str | None = None


@dataclass(frozen=True)
class AssignmentState(_StepTarget):
    plan: Assignment
    status: Literal["planned", "deployed", "refused", "stood_down", "released"] = "planned"
    people: int | None = None
    reason: str | None = None


Target = SourceState | CallOffState | AssignmentState


@dataclass(frozen=True)
class Request:
    status: RequestStatus | None = None
    incident_id: str = ""
    destination: str = ""
    coordinates: GeoPoint | None = None
    materials: tuple[MaterialLine, ...] = ()
    teams: tuple[TeamLine, ...] = ()
    approved_materials: tuple[MaterialLine, ...] = ()
    approved_teams: tuple[TeamLine, ...] = ()
    sources: tuple[SourceState, ...] = ()
    call_offs: tuple[CallOffState, ...] = ()
    assignments: tuple[AssignmentState, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    pledges: tuple[str, ...] = field(default=())


def step_target(state: Request, step: str, ref: str) -> Target | None:
    """The source, call-off or team assignment a step acts on (`ref`: its reservation or
    call-off id, or the team id)."""
    targets: tuple[Target, ...]
    if step in ("reserve", "issue", "release"):
        targets = state.sources
    elif step in ("call_off", "close"):
        targets = state.call_offs
    else:
        return next((a for a in state.assignments if a.plan.team_id == ref), None)
    return next((t for t in targets if t.plan.ref == ref), None)


def _with(state: Request, ref: str, step: str, **changes: object) -> Request:
    target = step_target(state, step, ref)
    if isinstance(target, SourceState):
        return replace(state, sources=tuple(replace(s, **changes) if s is target else s  # type: ignore[arg-type]
                                            for s in state.sources))
    if isinstance(target, CallOffState):
        return replace(state, call_offs=tuple(replace(c, **changes) if c is target else c  # type: ignore[arg-type]
                                              for c in state.call_offs))
    return replace(state, assignments=tuple(replace(a, **changes) if a is target else a  # type: ignore[arg-type]
                                            for a in state.assignments))


_REFUSED = {"reserve": "refused", "issue": "issue_refused", "call_off": "refused", "deploy": "refused"}


def evolve(state: Request, event: Event) -> Request:
    match event:
        case RequestRaised():
            return Request(status="requested", incident_id=event.incident_id, destination=event.destination,
                           coordinates=event.coordinates, materials=event.materials, teams=event.teams)
        case RequestApproved():
            return replace(state, status="approved", approved_materials=event.materials,
                           approved_teams=event.teams)
        case RequestRejected():
            return replace(state, status="rejected")
        case RequestCancelled():
            return replace(state, status="cancelled")
        case MaterialsPledged():
            return replace(state, pledges=(*state.pledges, event.pledge_id))
        case DispatchPlanned():
            return replace(state, status="dispatching", shortfalls=event.shortfalls,
                           sources=tuple(SourceState(s) for s in event.sources),
                           call_offs=tuple(CallOffState(c) for c in event.call_offs),
                           assignments=tuple(AssignmentState(a) for a in event.assignments))
        case MaterialsReserved():
            return _with(state, event.ref, "reserve", status="reserved")
        case MaterialsIssued():
            return _with(state, event.ref, "issue", status="issued")
        case MaterialsCalledOff():
            return _with(state, event.ref, "call_off", status="placed")
        case TeamDispatched():
            return _with(state, event.team_id, "deploy", status="deployed", people=event.people)
        case DispatchStepRefused():
            return _with(state, event.ref, event.step, status=_REFUSED[event.step],
                         reason=f"{event.code}: {event.reason}")
        case ReservationReleased():
            return _with(state, event.ref, "release", status="released")
        case CallOffClosed():
            return _with(state, event.ref, "close", status="closed")
        case TeamStoodDown():
            return _with(state, event.team_id, "stand_down", status=event.outcome)
        case DispatchCompleted():
            return replace(state, status=event.outcome)
    return state


REQUEST_EVENTS: tuple[type[Event], ...] = (
    RequestRaised, RequestApproved, RequestRejected, RequestCancelled, MaterialsPledged, DispatchPlanned,
    MaterialsReserved, MaterialsIssued, MaterialsCalledOff, TeamDispatched, DispatchStepRefused,
    ReservationReleased, CallOffClosed, TeamStoodDown, DispatchCompleted,
)


def _targets(state: Request) -> tuple[Target, ...]:
    return (*state.sources, *state.call_offs, *state.assignments)


def _reasons(state: Request, line: str) -> tuple[str, ...]:
    planned = [shortfall.reason for shortfall in state.shortfalls if shortfall.line == line]
    refused = [t.reason for t in _targets(state) if t.line == line and t.reason is not None]
    return (*planned, *refused)


def line_results(state: Request) -> tuple[LineResult, ...]:
    """What each approved line got: items issued or called off, people deployed."""
    asked_items = {line.line: line.quantity for line in state.materials}
    asked_people = {line.line: line.people for line in state.teams}
    results = []
    for material in state.approved_materials:
        delivered = (sum(s.plan.quantity for s in state.sources
                         if s.line == material.line and s.status == "issued")
                     + sum(c.plan.quantity for c in state.call_offs
                           if c.line == material.line and c.status in ("placed", "closed")))
        results.append(LineResult(
            line=material.line, unit="items", asked=asked_items[material.line],
            approved=material.quantity, delivered=delivered, missing=max(material.quantity - delivered, 0),
            fulfilled=delivered >= material.quantity, reasons=_reasons(state, material.line)))
    for team in state.approved_teams:
        went = [a for a in state.assignments if a.line == team.line and a.status != "planned"
                and a.status != "refused"]
        delivered = sum(a.people or 0 for a in went)
        fulfilled = bool(went) if team.people is None else delivered >= team.people
        planned = sum(a.plan.people or 0 for a in state.assignments if a.line == team.line)
        missing = (0 if fulfilled else planned) if team.people is None else max(team.people - delivered, 0)
        results.append(LineResult(
            line=team.line, unit="people", asked=asked_people[team.line],
            approved=team.people, delivered=delivered, missing=missing, fulfilled=fulfilled,
            reasons=_reasons(state, team.line)))
    return tuple(results)


def outcome_of(state: Request, lines: tuple[LineResult, ...]) -> Outcome:
    """Fulfilled when every line got all it was approved; failed when nothing at all went."""
    if all(line.fulfilled for line in lines):
        return "fulfilled"
    went = any(s.status == "issued" for s in state.sources) or any(
        c.status in ("placed", "closed") for c in state.call_offs) or any(
        a.status not in ("planned", "refused") for a in state.assignments)
    return "partly_fulfilled" if went else "failed"
