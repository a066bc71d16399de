"""What every dispatch reaction needs: ids and contexts derived from the event it reacts to, the
request's and incident's current state, and another service's refusal as a recorded outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.application import CommandContext
from shared.blocking import offload
from shared.envelope import EventEnvelope
from shared.errors import AnbeiError
from shared.reactors import Effects, step_id

from ..domain import incidents, request
from ..domain.dispatch_steps import Refusal
from ..domain.incidents import Incident
from ..domain.request_state import Request

#: Who the other services and the request's stream see acting: the process manager.
ACTOR = "incidents-dispatch"


def meta(event: EventEnvelope, *step: str) -> dict[str, Any]:
    """`meta` for a call to another service: a command id the same on every retry of this step."""
    return {"command_id": step_id(event, *step), "actor": ACTOR,
            "correlation_id": event.metadata.correlation_id, "causation_id": str(event.event_id)}


def context(event: EventEnvelope, *step: str) -> CommandContext:
    """The context of a command this service runs on itself as one step of the flow."""
    return CommandContext(command_id=step_id(event, "record", *step), actor=ACTOR,
                          correlation_id=event.metadata.correlation_id, causation_id=str(event.event_id))


def load_request(effects: Effects, incident_id: str, request_id: str) -> Request:
    return offload(effects.app.load, request.stream_id(incident_id, request_id), request.requests)[0]


def load_incident(effects: Effects, incident_id: str) -> Incident:
    return offload(effects.app.load, incidents.stream_id(incident_id), incidents.incidents)[0]


def attempt(call: Callable[..., Any], *args: Any) -> tuple[Any, Refusal | None]:
    """`call(*args)`: the other service's answer, or its refusal (a typed error) as data; anything
    else (the broker down, a timeout) propagates and the reactor offers the event again."""
    try:
        return call(*args), None
    except AnbeiError as error:
        return None, Refusal(code=error.code, reason=error.message)
