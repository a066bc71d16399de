"""Teams read models: each team with its latest readiness, and the readiness board."""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

TEAMS, READINESS = "teams", "readiness"
_IDENTITY = ("team_id", "name", "name_zh", "team_type", "units", "members")


def _unreported() -> dict[str, Any]:
    return {"status": "unknown", "people_available": None, "equipment_notes": None, "note": None,
            "reported_at": None, "recorded_at": None, "reported_by": None}


def readiness_doc(event: EventEnvelope) -> dict[str, Any]:
    """What a `ReadinessReported` event says about the team's readiness."""
    data = event.data
    return {"status": data["status"], "people_available": data["people_available"],
            "equipment_notes": data["equipment_notes"], "note": data["note"],
            "reported_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "reported_by": event.metadata.actor}


def team_doc(registered: EventEnvelope) -> dict[str, Any]:
    """A team as its `TeamRegistered` event describes it, before any readiness report."""
    return {**registered.data, "registered_at": registered.occurred_at.isoformat(),
            "readiness": _unreported()}


class Teams:
    """Every team as registered, with its latest readiness under `readiness`."""

    name = "teams"
    collections = (TEAMS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type == "TeamRegistered":
            views.put(TEAMS, data["team_id"], team_doc(event))
        elif event.type == "ReadinessReported" and (team := views.get(TEAMS, data["team_id"])):
            views.put(TEAMS, data["team_id"], {**team, "readiness": readiness_doc(event)})


class ReadinessBoard:
    """One line per team: who it is and its latest readiness ("unknown" until a first report)."""

    name = "readiness"
    collections = (READINESS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type == "TeamRegistered":
            identity = {key: data[key] for key in _IDENTITY}
            views.put(READINESS, data["team_id"], {**identity, **_unreported()})
        elif event.type == "ReadinessReported" and (line := views.get(READINESS, data["team_id"])):
            views.put(READINESS, data["team_id"], {**line, **readiness_doc(event)})


PROJECTIONS = (Teams(), ReadinessBoard())
