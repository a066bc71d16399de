"""Incidents read model: each incident with its status and timeline."""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

INCIDENTS = "incidents"
_STATUS_AFTER = {"IncidentReported": "reported"}


def _timeline_entry(event: EventEnvelope) -> dict[str, str]:
    return {"type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "actor": event.metadata.actor}


def incident_doc(reported: EventEnvelope) -> dict[str, Any]:
    """An incident as its `IncidentReported` event describes it."""
    return {
        **reported.data,
        "status": _STATUS_AFTER[reported.type],
        "reported_at": reported.occurred_at.isoformat(),
        "recorded_at": reported.recorded_at.isoformat(),
        "timeline": [_timeline_entry(reported)],
    }


class Incidents:
    """Every incident as reported, its current status and every step in its timeline."""

    name = "incidents"
    collections = (INCIDENTS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "IncidentReported":
            views.put(INCIDENTS, event.data["incident_id"], incident_doc(event))


PROJECTIONS = (Incidents(),)
