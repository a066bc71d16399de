"""Undoing a dispatch: a cancelled request, a dismissed incident, a closed one.

`RequestCancelled`: every reservation still held is released, every call-off placed is closed
and every team deployed for the request is stood down, each recorded on the request's stream.
Stock already issued has left the warehouse: it stays issued (its return is a receipt in
inventory). `IncidentDismissed`: every request that can be cancelled is, which undoes it as
above. `IncidentClosed`: teams still deployed for its requests are released (their work is
done). Each call and record carries a command id derived from the event and the step.
"""

from __future__ import annotations

import contextlib

from shared.blocking import offload
from shared.envelope import EventEnvelope
from shared.errors import Conflict
from shared.reactors import Effects

from ..domain import request
from ..domain.dispatch_steps import RecordUndo
from ..domain.request import CANCELLABLE
from ..domain.request_commands import CancelRequest
from ..domain.request_state import Request
from ..read_keys import REQUESTS, incident_prefix
from .common import attempt, context, load_request, meta


class Undo:
    name = "undo"

    def wants(self, event: EventEnvelope) -> bool:
        return event.type in ("RequestCancelled", "IncidentDismissed", "IncidentClosed")

    def react(self, event: EventEnvelope, effects: Effects) -> None:
        incident_id = event.data["incident_id"]
        if event.type == "RequestCancelled":
            request_id = event.data["request_id"]
            undo_request(event, effects, load_request(effects, incident_id, request_id), request_id)
            return
        offload(effects.app.runner.catch_up)  # the requests read model, up to this event at least
        for doc in offload(effects.app.views.list, REQUESTS, incident_prefix(incident_id)):
            if event.type == "IncidentDismissed":
                _cancel(event, effects, doc["request_id"], doc["status"])
            else:
                state = load_request(effects, incident_id, doc["request_id"])
                _end_teams(event, effects, state, doc["request_id"], "release_team")


def _cancel(event: EventEnvelope, effects: Effects, request_id: str, status: str) -> None:
    if status not in CANCELLABLE:
        return
    incident_id = event.data["incident_id"]
    cancel = CancelRequest(incident_id=incident_id, request_id=request_id,
                           reason=f"incident dismissed: {event.data['reason']}")
    with contextlib.suppress(Conflict):  # settled meanwhile (cancelled by hand, or it failed): nothing to do
        effects.execute(request.stream_id(incident_id, request_id), request.requests, cancel,
                        context(event, "cancel", request_id))


def undo_request(event: EventEnvelope, effects: Effects, state: Request, request_id: str) -> None:
    stream = request.stream_id(state.incident_id, request_id)
    for source in state.sources:
        if source.awaits("release"):
            plan = source.plan
            payload = {"warehouse_id": plan.warehouse_id, "item_id": plan.item_id, "reservation_id": plan.ref,
                       "reason": f"request {request_id} cancelled"}
            refused = attempt(effects.call, "inventory", "release_reservation", payload,
                              meta(event, "release", plan.ref))[1]
            record = RecordUndo(incident_id=state.incident_id, request_id=request_id, step="release",
                                ref=plan.ref, refused=refused)
            effects.execute(stream, request.requests, record, context(event, "release", plan.ref))
    for call_off in state.call_offs:
        if call_off.awaits("close"):
            ref = call_off.plan.ref
            payload = {"agreement_id": call_off.plan.agreement_id, "call_off_id": ref,
                       "reason": f"request {request_id} cancelled"}
            refused = attempt(effects.call, "inventory", "close_call_off", payload,
                              meta(event, "close", ref))[1]
            record = RecordUndo(incident_id=state.incident_id, request_id=request_id, step="close_call_off",
                                ref=ref, refused=refused)
            effects.execute(stream, request.requests, record, context(event, "close", ref))
    _end_teams(event, effects, state, request_id, "stand_down")


def _end_teams(event: EventEnvelope, effects: Effects, state: Request, request_id: str,
               step: str) -> None:
    """Stand down (request cancelled) or release (incident closed) every team still deployed."""
    outcome = "stood_down" if step == "stand_down" else "released"
    for assignment in state.assignments:
        if not assignment.awaits("stand_down"):
            continue
        team_id = assignment.plan.team_id
        payload = {"team_id": team_id, "incident_id": state.incident_id, "outcome": outcome,
                   "note": f"request {request_id}: {event.type}"}
        refused = attempt(effects.call, "teams", "release_team", payload,
                          meta(event, request_id, step, team_id))[1]
        record = RecordUndo(incident_id=state.incident_id, request_id=request_id, step=step,
                            ref=team_id, refused=refused)
        effects.execute(request.stream_id(state.incident_id, request_id), request.requests, record,
                        context(event, request_id, step, team_id))
