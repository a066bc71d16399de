"""Whether another service shows a dispatch step taken: asked only for a request cancelled in the
middle of its dispatch, about the step whose answer a dying process may have lost.

The dispatch takes no new step once its request is cancelled; but the step it was taking when
its process died may have happened. Re-sending it under its command id would take it if it had
not, so the dispatch asks first: a reservation (or a call-off) we made is there under our own
id; an issue has used up our reservation; a deployment of ours names our request in its note.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.reactors import Effects

from ..domain.request_state import AssignmentState, CallOffState, SourceState, Target

PAGE = 1000


def deploy_note(request_id: str, line: str) -> str:
    """The note every deployment of ours carries: how a deployment is known for ours."""
    return f"request {request_id} line {line}"


def _everything(effects: Effects, service: str, method: str, *args: Any) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = {"limit": PAGE}
    while True:
        page = effects.call(service, method, *args, query)
        yield from page["items"]
        if page["next"] is None:
            return
        query = {"limit": PAGE, "after": page["next"]}


def _held(effects: Effects, target: SourceState) -> bool:
    line = effects.call("inventory", "get_stock_line", target.plan.warehouse_id, target.plan.item_id)
    return target.plan.ref in line["reservations"]


def took_place(effects: Effects, step: str, target: Target, incident_id: str, request_id: str) -> bool:
    """Whether `step` on `target` shows as done in the service it was sent to."""
    if isinstance(target, SourceState):
        return _held(effects, target) if step == "reserve" else step == "issue" and not _held(effects, target)
    if isinstance(target, CallOffState):
        return any(doc["call_off_id"] == target.plan.ref
                   for doc in _everything(effects, "inventory", "list_call_offs", target.plan.agreement_id))
    assert isinstance(target, AssignmentState)
    note = deploy_note(request_id, target.plan.line)
    return any(doc["incident_id"] == incident_id and doc["note"] == note
               for doc in _everything(effects, "teams", "list_deployments", target.plan.team_id))
