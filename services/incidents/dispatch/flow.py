"""The dispatch process manager: an approved request is planned, then carried out step by step.

On `RequestApproved` it asks inventory and teams what there is and records the plan
(`DispatchPlanned`): stock nearest first, then other warehouses, then agreement reserves; teams
by name or by capability nearest first; and what cannot be covered. On `DispatchPlanned` it
reserves every source, places the call-offs, deploys the teams, issues what it reserved,
releases a reservation whose issue was refused, and records the outcome of each step on the
request's stream before the next, then the completion (fulfilled, partly fulfilled, failed).

Every call carries a command id derived from the event and the step, and every record a
command id of its own, so the event offered again after a crash repeats no step: a step
recorded is skipped, a step made but not recorded is answered by the other service from its
first outcome. Once the request is cancelled no new step is taken; a step whose answer a dying
process lost is recorded only if the other service shows it taken (`evidence.py`), and the
cancellation's own flow (`undo.py`) then undoes it.
"""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.errors import NotFound
from shared.reactors import Effects

from ..domain import request
from ..domain.dispatch_steps import (
    Assignment,
    CallOff,
    CompleteDispatch,
    PlanDispatch,
    RecordStep,
    RecordUndo,
    Shortfall,
    Source,
)
from ..domain.incidents import ACTIVE
from ..domain.request_commands import CancelRequest
from ..domain.request_state import Request, SourceState, step_target
from ..domain.sourcing import plan_capability, plan_material, plan_named_team
from . import lookups
from .common import attempt, context, load_incident, load_request, meta
from .evidence import deploy_note, took_place


class Dispatch:
    name = "dispatch"

    def wants(self, event: EventEnvelope) -> bool:
        return event.type in ("RequestApproved", "DispatchPlanned")

    def react(self, event: EventEnvelope, effects: Effects) -> None:
        if event.type == "RequestApproved":
            plan(event, effects)
        else:
            carry_out(event, effects)


def plan(event: EventEnvelope, effects: Effects) -> None:
    incident_id, request_id = event.data["incident_id"], event.data["request_id"]
    stream = request.stream_id(incident_id, request_id)
    state = load_request(effects, incident_id, request_id)
    if state.status != "approved":
        return  # planned already (this event offered again), or cancelled before the plan
    incident = load_incident(effects, incident_id)
    if incident.status not in ACTIVE:
        cancel = CancelRequest(incident_id=incident_id, request_id=request_id,
                               reason=f"incident {incident_id} is {incident.status}")
        effects.execute(stream, request.requests, cancel, context(event, "cancel"))
        return
    place = lookups.township(effects, incident.township)
    origin = state.coordinates or incident.coordinates or (place[1] if place else None)
    command = PlanDispatch(incident_id=incident_id, request_id=request_id)
    sources: list[Source] = []
    call_offs: list[CallOff] = []
    shortfalls: list[Shortfall] = []
    places: lookups.Places = {}
    for line in state.approved_materials:
        if line.quantity == 0:
            continue
        try:
            stock = lookups.stock_options(effects, line.item_id, origin, places)
        except NotFound as error:
            shortfalls.append(Shortfall(line=line.line, missing=line.quantity, reason=error.message))
            continue
        covered = sum(option.available for option in stock) >= line.quantity
        agreements = [] if covered else lookups.agreement_options(effects, line.item_id)
        material = plan_material(incident_id, request_id, line, stock, agreements)
        sources += material.sources
        call_offs += material.call_offs
        shortfalls += [material.shortfall] if material.shortfall else []
    assignments, short = _plan_teams(effects, state, place[0] if place else None)
    command = command.model_copy(update={"sources": tuple(sources), "call_offs": tuple(call_offs),
                                         "assignments": assignments, "shortfalls": (*shortfalls, *short)})
    effects.execute(stream, request.requests, command, context(event, "plan"))


def _plan_teams(effects: Effects, state: Request,
                township: str | None) -> tuple[tuple[Assignment, ...], tuple[Shortfall, ...]]:
    taken = {line.team_id for line in state.approved_teams if line.team_id is not None and line.people != 0}
    assignments: list[Assignment] = []
    shortfalls: list[Shortfall] = []
    for line in state.approved_teams:
        if line.people == 0:
            continue
        if line.team_id is not None:
            try:
                people = line.people
                if people is None:
                    people = lookups.people_available(effects, line.team_id)
            except NotFound as error:
                shortfalls.append(Shortfall(line=line.line, missing=line.people or 0, reason=error.message))
                continue
            assignments.append(plan_named_team(line, line.team_id, people))
            continue
        assert line.capability is not None and line.people is not None
        found = lookups.candidates(effects, line.capability, line.people, township)
        chosen, shortfall = plan_capability(line, found, taken)
        assignments += chosen
        shortfalls += [shortfall] if shortfall else []
    return tuple(assignments), tuple(shortfalls)


def _steps(state: Request) -> list[tuple[str, str]]:
    """Every step of the plan, in the order they are taken: hold all the stock first."""
    refs = [source.plan.ref for source in state.sources]
    return ([("reserve", ref) for ref in refs] + [("call_off", c.plan.ref) for c in state.call_offs]
            + [("deploy", a.plan.team_id) for a in state.assignments] + [("issue", ref) for ref in refs]
            + [("release", ref) for ref in refs])


def carry_out(event: EventEnvelope, effects: Effects) -> None:
    incident_id, request_id = event.data["incident_id"], event.data["request_id"]
    stream = request.stream_id(incident_id, request_id)
    state = load_request(effects, incident_id, request_id)
    for step, ref in _steps(state):
        target = step_target(state, step, ref)
        if target is None or not target.awaits(step):
            continue
        if state.status == "cancelled" and (
                step == "release" or not took_place(effects, step, target, incident_id, request_id)):
            break  # no new step after a cancel; one the other service shows taken is recorded first
        if step == "release":
            assert isinstance(target, SourceState)
            refused = _release(event, effects, state, target)
            undo = RecordUndo(incident_id=incident_id, request_id=request_id, step="release", ref=ref,
                              refused=refused)
            state = effects.execute(stream, request.requests, undo, context(event, step, ref)).state
            continue
        answer, refusal = attempt(_perform, event, effects, state, step, target)
        record = RecordStep(incident_id=incident_id, request_id=request_id, step=step, ref=ref,
                            refused=refusal, deployment=(answer or {}).get("deployment"),
                            people=(answer or {}).get("people"))
        state = effects.execute(stream, request.requests, record, context(event, step, ref)).state
    if state.status == "dispatching":
        complete = CompleteDispatch(incident_id=incident_id, request_id=request_id)
        effects.execute(stream, request.requests, complete, context(event, "complete"))


def _perform(event: EventEnvelope, effects: Effects, state: Request, step: str, target: Any) -> Any:
    plan, incident_id = target.plan, state.incident_id
    note = deploy_note(event.data["request_id"], plan.line)
    if step == "deploy":
        payload = {"team_id": plan.team_id, "incident_id": incident_id, "note": note}
        if plan.people is not None:
            payload["people"] = plan.people
        return effects.call("teams", "deploy_team", payload, meta(event, step, plan.team_id))
    if step == "call_off":
        payload = {"agreement_id": plan.agreement_id, "call_off_id": plan.ref,
                   "destination": state.destination, "incident_id": incident_id, "note": note,
                   "lines": [{"item_id": plan.item_id, "quantity": plan.quantity}]}
        return effects.call("inventory", "request_call_off", payload, meta(event, step, plan.ref))
    line = {"warehouse_id": plan.warehouse_id, "item_id": plan.item_id, "quantity": plan.quantity,
            "reservation_id": plan.ref, "incident_id": incident_id}
    if step == "reserve":
        return effects.call("inventory", "reserve_stock", {**line, "note": note}, meta(event, step, plan.ref))
    return effects.call("inventory", "issue_stock", {**line, "destination": state.destination},
                        meta(event, step, plan.ref))


def _release(event: EventEnvelope, effects: Effects, state: Request, target: SourceState) -> Any:
    """A reservation whose issue was refused is given back at once."""
    plan = target.plan
    payload = {"warehouse_id": plan.warehouse_id, "item_id": plan.item_id, "reservation_id": plan.ref,
               "reason": f"request {event.data['request_id']}: the issue was refused ({target.reason})"}
    return attempt(effects.call, "inventory", "release_reservation", payload,
                   meta(event, "release", plan.ref))[1]
