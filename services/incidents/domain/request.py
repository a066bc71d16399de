"""One request and its dispatch: the process manager's own state, event-sourced on its stream.

requested → approved → dispatching → fulfilled | partly_fulfilled | failed; or rejected (from
requested), or cancelled (until it failed, was rejected or cancelled). Outcomes of steps
already taken elsewhere are recorded whatever the status (a reservation made just before a
cancel is still a fact to undo); a step recorded twice is recorded once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

from shared.decider import Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.streams import stream_id as _stream_id

from .dispatch_steps import (
    CallOffClosed,
    CompleteDispatch,
    DispatchCompleted,
    DispatchPlanned,
    DispatchStepRefused,
    MaterialsCalledOff,
    MaterialsIssued,
    MaterialsReserved,
    PlanDispatch,
    RecordStep,
    RecordUndo,
    ReservationReleased,
    TeamDispatched,
    TeamStoodDown,
)
from .request_commands import (
    ApproveRequest,
    CancelRequest,
    MaterialLine,
    MaterialsPledged,
    PledgeMaterials,
    RaiseRequest,
    RejectRequest,
    RequestApproved,
    RequestCancelled,
    RequestRaised,
    RequestRejected,
    TeamLine,
)
from .request_state import (
    REQUEST_EVENTS,
    Request,
    RequestStatus,
    evolve,
    line_results,
    outcome_of,
    step_target,
)

RequestCommand = (RaiseRequest | ApproveRequest | RejectRequest | CancelRequest | PledgeMaterials
                  | PlanDispatch | RecordStep | RecordUndo | CompleteDispatch)
#: Incident statuses in which requests are taken and approved.
INCIDENT_ACTIVE = ("verified", "response_active", "contained", "recovering")
CANCELLABLE: tuple[RequestStatus, ...] = ("requested", "approved", "dispatching", "fulfilled",
                                          "partly_fulfilled")


@dataclass(frozen=True)
class Facts:
    """The incident's status, for commands that need a live incident (raise, approve)."""

    incident_status: str | None = None


def decide(command: RequestCommand, state: Request, facts: Facts) -> list[Event]:
    if isinstance(command, RaiseRequest):
        return _raise(command, state, facts)
    if state.status is None:
        raise NotFound(f"no request {command.request_id} for incident {command.incident_id}",
                       field="request_id")
    return _HANDLERS[type(command)](command, state, facts)  # type: ignore[no-any-return]


def _require_live_incident(incident_id: str, facts: Facts, what: str) -> None:
    if facts.incident_status is None:
        raise NotFound(f"no incident {incident_id}", field="incident_id")
    if facts.incident_status not in INCIDENT_ACTIVE:
        raise Conflict(f"incident {incident_id} is {facts.incident_status}: {what} once it is verified "
                       "and until it is closed", field="incident_id", code="incident_not_active")


def _refuse(state: Request, request_id: str, what: str, allowed: tuple[str, ...]) -> Conflict:
    return Conflict(f"request {request_id} is {state.status}: it can be {what} only while "
                    f"{' or '.join(allowed)}", field="status", code="illegal_transition")


def _raise(command: RaiseRequest, state: Request, facts: Facts) -> list[Event]:
    if state.status is not None:
        raise Conflict(f"request {command.request_id} already exists", field="request_id",
                       code="already_registered")
    _require_live_incident(command.incident_id, facts, "requests are taken")
    materials = tuple(MaterialLine(line=f"m{n}", item_id=ask.item_id, quantity=ask.quantity)
                      for n, ask in enumerate(command.materials, start=1))
    teams = tuple(TeamLine(line=f"t{n}", team_id=ask.team_id, capability=ask.capability, people=ask.people)
                  for n, ask in enumerate(command.teams, start=1))
    return [RequestRaised(incident_id=command.incident_id, request_id=command.request_id,
                          priority=command.priority, destination=command.destination,
                          coordinates=command.coordinates, materials=materials, teams=teams,
                          note=command.note)]


def _approve(command: ApproveRequest, state: Request, facts: Facts) -> list[Event]:
    if state.status != "requested":
        raise _refuse(state, command.request_id, "approved", ("requested",))
    _require_live_incident(command.incident_id, facts, "requests are approved")
    lines = {line.line for line in state.materials} | {line.line for line in state.teams}
    changes: dict[str, int] = {}
    for index, change in enumerate(command.changes):
        if change.line not in lines:
            raise InvalidCommand(f"no line {change.line}; this request has {', '.join(sorted(lines))}",
                                 field=f"changes.{index}.line")
        if change.line in changes:
            raise InvalidCommand(f"changes line {change.line} twice", field=f"changes.{index}.line")
        changes[change.line] = change.quantity
    materials = tuple(line.model_copy(update={"quantity": changes.get(line.line, line.quantity)})
                      for line in state.materials)
    teams = tuple(line.model_copy(update={"people": changes.get(line.line, line.people)})
                  for line in state.teams)
    if all(line.quantity == 0 for line in materials) and all(line.people == 0 for line in teams):
        raise InvalidCommand("approves nothing; reject the request instead", field="changes")
    return [RequestApproved(incident_id=command.incident_id, request_id=command.request_id,
                            materials=materials, teams=teams, note=command.note)]


def _reject(command: RejectRequest, state: Request, facts: Facts) -> list[Event]:
    if state.status != "requested":
        raise _refuse(state, command.request_id, "rejected", ("requested",))
    return [RequestRejected(incident_id=command.incident_id, request_id=command.request_id,
                            reason=command.reason)]


def _cancel(command: CancelRequest, state: Request, facts: Facts) -> list[Event]:
    if state.status not in CANCELLABLE:
        raise _refuse(state, command.request_id, "cancelled", CANCELLABLE)
    assert state.status is not None
    return [RequestCancelled(incident_id=command.incident_id, request_id=command.request_id,
                             reason=command.reason, was=state.status)]


def _pledge(command: PledgeMaterials, state: Request, facts: Facts) -> list[Event]:
    if state.status in ("rejected", "cancelled"):
        raise Conflict(f"request {command.request_id} is {state.status}: nothing to pledge against",
                       field="status", code="illegal_transition")
    if command.pledge_id in state.pledges:
        raise Conflict(f"pledge {command.pledge_id} is already recorded", field="pledge_id",
                       code="already_registered")
    asked = {line.item_id for line in state.materials}
    for index, line in enumerate(command.lines):
        if line.item_id not in asked:
            raise InvalidCommand(f"the request asks for no {line.item_id}; it asks for "
                                 f"{', '.join(sorted(asked)) or 'no materials'}",
                                 field=f"lines.{index}.item_id")
    return [MaterialsPledged(**command.model_dump(exclude={"occurred_at"}))]


def _plan(command: PlanDispatch, state: Request, facts: Facts) -> list[Event]:
    if state.status == "cancelled":
        return []  # cancelled before the plan: nothing to carry out
    if state.status != "approved":
        raise _refuse(state, command.request_id, "planned", ("approved",))
    approved = {line.line for line in state.approved_materials} | {line.line for line in state.approved_teams}
    planned = ([s.line for s in command.sources] + [c.line for c in command.call_offs]
               + [a.line for a in command.assignments] + [s.line for s in command.shortfalls])
    if unknown := sorted(set(planned) - approved):
        raise InvalidCommand(f"plans for lines {', '.join(unknown)}, which are not approved", field="line")
    return [DispatchPlanned(**command.model_dump())]


def _record(command: RecordStep, state: Request, facts: Facts) -> list[Event]:
    target = step_target(state, command.step, command.ref)
    if target is None:
        raise InvalidCommand(f"no planned {command.step} step {command.ref}", field="ref")
    if not target.awaits(command.step):
        return []  # recorded already
    ids = {"incident_id": command.incident_id, "request_id": command.request_id}
    if command.refused is not None:
        return [DispatchStepRefused(**ids, step=command.step, line=target.line, ref=command.ref,
                                    code=command.refused.code, reason=command.refused.reason)]
    plan: Any = target.plan
    if command.step == "deploy":
        return [TeamDispatched(**ids, line=plan.line, team_id=plan.team_id,
                               people=command.people if command.people is not None else plan.people,
                               deployment=command.deployment)]
    if command.step == "call_off":
        return [MaterialsCalledOff(**ids, **plan.model_dump())]
    made = MaterialsReserved if command.step == "reserve" else MaterialsIssued
    return [made(**ids, **plan.model_dump(exclude={"distance_km"}))]


def _undo(command: RecordUndo, state: Request, facts: Facts) -> list[Event]:
    step = {"release": "release", "close_call_off": "close", "stand_down": "stand_down",
            "release_team": "stand_down"}[command.step]
    target = step_target(state, step, command.ref)
    if target is None:
        raise InvalidCommand(f"no {command.step} step {command.ref}", field="ref")
    if not target.awaits(step):
        return []
    ids = {"incident_id": command.incident_id, "request_id": command.request_id}
    detail = None if command.refused is None else f"{command.refused.code}: {command.refused.reason}"
    done = command.refused is None
    plan: Any = target.plan
    if command.step == "release":
        return [ReservationReleased(**ids, ref=plan.ref, warehouse_id=plan.warehouse_id, item_id=plan.item_id,
                                    released=done, detail=detail)]
    if command.step == "close_call_off":
        return [CallOffClosed(**ids, ref=plan.ref, agreement_id=plan.agreement_id, closed=done,
                              detail=detail)]
    outcome: Literal["stood_down", "released"] = "stood_down" if command.step == "stand_down" else "released"
    return [TeamStoodDown(**ids, team_id=plan.team_id, outcome=outcome, done=done, detail=detail)]


def _complete(command: CompleteDispatch, state: Request, facts: Facts) -> list[Event]:
    if state.status != "dispatching":
        return []  # completed already, or cancelled on the way
    lines = line_results(state)
    return [DispatchCompleted(incident_id=command.incident_id, request_id=command.request_id,
                              outcome=outcome_of(state, lines), lines=lines)]


_HANDLERS: dict[type[Any], Any] = {
    ApproveRequest: _approve, RejectRequest: _reject, CancelRequest: _cancel, PledgeMaterials: _pledge,
    PlanDispatch: _plan, RecordStep: _record, RecordUndo: _undo, CompleteDispatch: _complete,
}


def stream_id(incident_id: str, request_id: str) -> str:
    return _stream_id("request", incident_id, request_id)


def deciding(facts: Facts) -> Decider[RequestCommand, Request]:
    return replace(requests, decide=partial(decide, facts=facts))


requests = Decider[RequestCommand, Request](partial(decide, facts=Facts()), evolve, Request(), REQUEST_EVENTS)
