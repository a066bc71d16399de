"""How command RPCs answer: documents built from a command's `Outcome` alone, so a retry answers
the same byte for byte (never a re-read of a read model)."""

from __future__ import annotations

from typing import Any

from shared.application import Outcome

from .domain.incidents import Incident
from .domain.request_state import Request
from .domain.sites import Site
from .incident_docs import incident_doc
from .timeline import timeline_entry

Json = dict[str, Any]


def reported(outcome: Outcome[Incident]) -> Json:
    """A new incident as its report describes it, with the first entry of its timeline."""
    event = outcome.events[0]
    return {**incident_doc(event), "timeline": [timeline_entry(event)]}


def incident_answer(incident_id: str, outcome: Outcome[Incident]) -> Json:
    state = outcome.state
    return {"incident_id": incident_id, "status": state.status, "response_level": state.level,
            "figures": state.figures, "events": [event.to_message() for event in outcome.events]}


def request_answer(incident_id: str, request_id: str, outcome: Outcome[Request]) -> Json:
    state = outcome.state
    return {"incident_id": incident_id, "request_id": request_id, "status": state.status,
            "materials": [line.model_dump() for line in state.approved_materials or state.materials],
            "teams": [line.model_dump() for line in state.approved_teams or state.teams],
            "events": [event.to_message() for event in outcome.events]}


def site_answer(site_id: str, outcome: Outcome[Site]) -> Json:
    state = outcome.state
    return {"site_id": site_id, "capacity": state.capacity, "occupancy": state.occupancy,
            "by_incident": dict(sorted(state.by_incident.items())),
            "events": [event.to_message() for event in outcome.events]}
