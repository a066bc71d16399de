"""A team's readiness as of any past moment, answered from an index instead of a replay.

Each fact that makes up readiness — the latest report, the deployment, each equipment
item's status — is indexed by when it happened, newest first, so "the latest fact at
or before T" is the first key at or after T's key: one indexed lookup per fact
whatever the history's length. The answer equals a replay of the team's events up
to T (`services.teams.domain.history`), tested on random histories.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.envelope import EventEnvelope
from shared.timestamps import EARLIEST
from shared.views import Views

from .domain.history import ReadinessAsOf

HISTORY = "readiness_history"
_NEWEST_FIRST = 10**20 - 1
_LAST_POSITION = 10**12 - 1
_MICROSECOND = timedelta(microseconds=1)


def _moment_key(moment: datetime) -> str:
    """Later moments sort first: microseconds since 1900 subtracted from a fixed maximum."""
    micros = (moment - EARLIEST) // _MICROSECOND
    return f"{_NEWEST_FIRST - micros:020d}"



def _key(prefix: str, event: EventEnvelope) -> str:
    # ties at one moment: the later recorded fact wins, so it sorts first too
    return f"{prefix}{_moment_key(event.occurred_at)}{_LAST_POSITION - event.position:012d}"


def _prefixes(team_id: str) -> tuple[str, str]:
    return f"{team_id}/readiness/", f"{team_id}/deployment/"


def _equipment_prefix(team_id: str, item_id: str) -> str:
    return f"{team_id}/equipment/{item_id}/"


class AsOfIndex:
    """Every readiness, deployment and equipment fact of a team, newest first by when it happened."""

    name = "readiness_history"
    collections = (HISTORY,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data, at = event.data, event.occurred_at.isoformat()
        readiness, deployment = _prefixes(data.get("team_id", ""))
        if event.type == "ReadinessReported":
            views.put(HISTORY, _key(readiness, event), {
                "status": data["status"], "people_available": data["people_available"], "reported_at": at})
        elif event.type in ("TeamDeployed", "TeamArrived"):
            views.put(HISTORY, _key(deployment, event), {"deployment": {
                "incident_id": data["incident_id"], "deployment": data["deployment"],
                "status": "on_scene" if event.type == "TeamArrived" else "deployed"}})
        elif event.type == "TeamReleased":
            views.put(HISTORY, _key(deployment, event), {"deployment": None})
        elif event.type == "EquipmentStatusReported":
            views.put(HISTORY, _key(_equipment_prefix(data["team_id"], data["item_id"]), event),
                      {"counts": data["counts"]})


def _latest(views: Views, prefix: str, moment: datetime) -> dict[str, Any] | None:
    """The newest fact under `prefix` at or before `moment` (every key of that moment sorts after)."""
    docs, _ = views.page(HISTORY, prefix, after_key=prefix + _moment_key(moment), limit=1)
    return docs[0] if docs else None


def readiness_as_of(views: Views, team_id: str, item_ids: list[str], moment: datetime) -> dict[str, Any]:
    """The team's readiness at `moment`, as `as_of_doc` shapes it."""
    readiness_prefix, deployment_prefix = _prefixes(team_id)
    report = _latest(views, readiness_prefix, moment) or {}
    deployment = _latest(views, deployment_prefix, moment) or {"deployment": None}
    equipment = {}
    for item_id in item_ids:
        fact = _latest(views, _equipment_prefix(team_id, item_id), moment)
        if fact is not None:
            equipment[item_id] = fact["counts"]
    return {"team_id": team_id, "as_of": moment.isoformat(), "status": report.get("status", "unknown"),
            "people_available": report.get("people_available"), "reported_at": report.get("reported_at"),
            "deployment": deployment["deployment"], "equipment": equipment}


def as_of_doc(team_id: str, moment: datetime, replayed: ReadinessAsOf) -> dict[str, Any]:
    """A replayed `ReadinessAsOf` in the read model's shape, to compare the two."""
    deployment = None
    if replayed.deployment is not None:
        incident_id, number, arrived = replayed.deployment
        deployment = {"incident_id": incident_id, "deployment": number,
                      "status": "on_scene" if arrived else "deployed"}
    return {"team_id": team_id, "as_of": moment.isoformat(), "status": replayed.status,
            "people_available": replayed.people_available,
            "reported_at": replayed.reported_at.isoformat() if replayed.reported_at else None,
            "deployment": deployment,
            "equipment": {item: counts.model_dump() for item, counts in replayed.equipment.items()}}
