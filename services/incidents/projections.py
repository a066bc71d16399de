"""Incidents read model: each incident with its status and timeline."""

from __future__ import annotations

from shared.envelope import EventEnvelope
from shared.views import Views

INCIDENTS = "incidents"
_STATUS_AFTER = {"IncidentReported": "reported"}


def _timeline_entry(event: EventEnvelope) -> dict[str, str]:
    return {"type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "actor": event.metadata.actor}


class Incidents:
    """Every incident as reported, its current status and every step in its timeline."""

    name = "incidents"
    collections = (INCIDENTS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "IncidentReported":
            views.put(INCIDENTS, event.data["incident_id"], {
                **event.data,
                "status": _STATUS_AFTER[event.type],
                "reported_at": event.occurred_at.isoformat(),
                "recorded_at": event.recorded_at.isoformat(),
                "timeline": [_timeline_entry(event)],
            })


PROJECTIONS = (Incidents(),)
