"""Teams read models: each team's record, the readiness board, deployments and a team's timeline.

Deterministic (no clock): what depends on "now" — whether a report is stale, how long
equipment has been out of service so far — is stored as the moment it changes
(`stale_at`, `status_reported_at`) and finished at read time (`services.teams.reads`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

from .as_of import AsOfIndex
from .registers import Registers

TEAMS, READINESS, DEPLOYMENTS, TIMELINE = "teams", "readiness", "deployments", "timeline"
#: A team with no readiness report for this long is stale.
STALE_AFTER = timedelta(hours=24)
_IDENTITY = ("team_id", "name", "name_zh", "team_type", "capabilities", "township", "location", "units",
             "members")
Doc = dict[str, Any]


def _unreported() -> Doc:
    return {"status": "unknown", "people_available": None, "equipment_available": None,
            "equipment_notes": None, "location": None, "coordinates": None, "note": None,
            "reported_at": None, "recorded_at": None, "reported_by": None}


def readiness_doc(event: EventEnvelope) -> Doc:
    """What a `ReadinessReported` event says about the team's readiness."""
    return {**{key: value for key, value in event.data.items() if key != "team_id"},
            "reported_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "reported_by": event.metadata.actor}


def _equipment_line(line: Doc) -> Doc:
    return {**line, "status": {"ready": line["quantity"], "in_use": 0, "maintenance": 0, "damaged": 0},
            "status_reported_at": None, "status_note": None, "out_of_service_since": None,
            "out_of_service_unit_seconds": 0.0}


def team_doc(registered: EventEnvelope) -> Doc:
    """A team as its `TeamRegistered` event describes it, before anything else happened to it."""
    data = registered.data
    return {**data, "equipment": [_equipment_line(line) for line in data["equipment"]],
            "registered_at": registered.occurred_at.isoformat(),
            "stale_at": (registered.occurred_at + STALE_AFTER).isoformat(),
            "readiness": _unreported(), "deployment": None, "deployments": 0}


def deployment_change_doc(event: EventEnvelope) -> Doc:
    """What one deploy, arrival or release did: the answer of those commands to their caller."""
    data = event.data
    status = {"TeamDeployed": "deployed", "TeamArrived": "on_scene"}.get(event.type, data.get("outcome"))
    return {"team_id": data["team_id"], "incident_id": data["incident_id"],
            "deployment": data["deployment"], "status": status, "at": event.occurred_at.isoformat(),
            "people": data.get("people"), "note": data["note"], "event_id": str(event.event_id)}


def equipment_change_doc(event: EventEnvelope) -> Doc:
    """What an equipment status report recorded: the answer to its caller."""
    return {**event.data, "reported_at": event.occurred_at.isoformat(), "reported_by": event.metadata.actor}


def machines_available(team: Doc) -> int:
    """Machines on hand: the latest report's figures where it gave them, else the ready units."""
    stated = {line["item_id"]: line["quantity"] for line in team["readiness"]["equipment_available"] or ()}
    return sum(stated.get(line["item_id"], line["status"]["ready"])
               for line in team["equipment"] if line["machine"])


def board_line(team: Doc) -> Doc:
    """A team's line on the readiness board: who it is, its latest readiness, where it is sent."""
    readiness = team["readiness"]
    return {**{key: team[key] for key in _IDENTITY},
            "status": readiness["status"], "people_available": readiness["people_available"],
            "machines_available": machines_available(team),
            "equipment_out_of_service": sum(line["status"]["maintenance"] + line["status"]["damaged"]
                                            for line in team["equipment"]),
            "equipment_notes": readiness["equipment_notes"], "note": readiness["note"],
            "reported_at": readiness["reported_at"], "recorded_at": readiness["recorded_at"],
            "reported_by": readiness["reported_by"], "registered_at": team["registered_at"],
            "stale_at": team["stale_at"], "deployment": team["deployment"]}


class TeamRecords:
    """Every team with its latest readiness, equipment status and current deployment; the board."""

    name = "teams"
    collections = (TEAMS, READINESS)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "TeamRegistered":
            team = team_doc(event)
        else:
            found = views.get(TEAMS, event.data.get("team_id", ""))
            if found is None or not _change_team(found, event):
                return
            team = found
        views.put(TEAMS, team["team_id"], team)
        views.put(READINESS, team["team_id"], board_line(team))


def _change_team(team: Doc, event: EventEnvelope) -> bool:
    """Apply one team event to its record; False when the event is not about the record."""
    at = event.occurred_at
    if event.type == "ReadinessReported":
        team["readiness"] = readiness_doc(event)
        team["stale_at"] = (at + STALE_AFTER).isoformat()
    elif event.type == "EquipmentStatusReported":
        line = next(line for line in team["equipment"] if line["item_id"] == event.data["item_id"])
        _record_equipment_status(line, event)
    elif event.type == "TeamDeployed":
        data = event.data
        team["deployment"] = {"deployment": data["deployment"], "incident_id": data["incident_id"],
                              "status": "deployed", "deployed_at": at.isoformat(), "arrived_at": None,
                              "people": data["people"]}
        team["deployments"] = event.data["deployment"]
    elif event.type == "TeamArrived" and team["deployment"] is not None:
        team["deployment"] = {**team["deployment"], "status": "on_scene", "arrived_at": at.isoformat()}
    elif event.type == "TeamReleased":
        team["deployment"] = None
    else:
        return False
    return True


def _record_equipment_status(line: Doc, event: EventEnvelope) -> None:
    """Close the interval since the last status report and start a new one.

    Out-of-service time is counted in unit-seconds between consecutive status reports
    (by `occurred_at`); a report typed in late, dated before the previous one, adds no
    negative time.
    """
    at = event.occurred_at
    previous_out = line["status"]["maintenance"] + line["status"]["damaged"]
    if line["status_reported_at"] is not None and previous_out:
        seconds = (at - datetime.fromisoformat(line["status_reported_at"])).total_seconds()
        line["out_of_service_unit_seconds"] += previous_out * max(seconds, 0.0)
    counts = event.data["counts"]
    now_out = counts["maintenance"] + counts["damaged"]
    if not now_out:
        line["out_of_service_since"] = None
    elif not previous_out or line["out_of_service_since"] is None:
        line["out_of_service_since"] = at.isoformat()
    line["status"], line["status_reported_at"] = counts, at.isoformat()
    line["status_note"] = event.data["note"]


class Deployments:
    """Every deployment of every team, keyed by team and deployment number (its full history)."""

    name = "deployments"
    collections = (DEPLOYMENTS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type not in ("TeamDeployed", "TeamArrived", "TeamReleased"):
            return
        data, at = event.data, event.occurred_at.isoformat()
        key = f"{data['team_id']}/{data['deployment']:06d}"
        if event.type == "TeamDeployed":
            views.put(DEPLOYMENTS, key, {
                "team_id": data["team_id"], "deployment": data["deployment"],
                "incident_id": data["incident_id"], "people": data["people"], "note": data["note"],
                "status": "deployed", "deployed_at": at, "deployed_by": event.metadata.actor,
                "arrived_at": None, "released_at": None, "release_note": None})
            return
        record = views.get(DEPLOYMENTS, key)
        if record is None:
            return
        if event.type == "TeamArrived":
            record.update(status="on_scene", arrived_at=at)
        else:
            record.update(status=data["outcome"], released_at=at, release_note=data["note"])
        views.put(DEPLOYMENTS, key, record)


_SUMMARIES = {
    "TeamRegistered": lambda d: f"registered as {d['team_type']} with " + (
        f"{d['members']} members" if d["members"] is not None else "no headcount on record"),
    "ReadinessReported": lambda d: f"reported {d['status']}, {d['people_available']} people available",
    "EquipmentStatusReported": lambda d: (
        f"{d['item_id']}: {d['counts']['ready']} ready, {d['counts']['in_use']} in use, "
        f"{d['counts']['maintenance']} in maintenance, {d['counts']['damaged']} damaged"),
    "TeamDeployed": lambda d: f"deployed to incident {d['incident_id']} (deployment {d['deployment']})",
    "TeamArrived": lambda d: f"arrived on scene at incident {d['incident_id']}",
    "TeamReleased": lambda d: f"{d['outcome'].replace('_', ' ')} from incident {d['incident_id']}",
}


class Timeline:
    """Everything that happened to a team, in the order it was recorded."""

    name = "timeline"
    collections = (TIMELINE,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        summary = _SUMMARIES.get(event.type)
        if summary is None:
            return
        views.put(TIMELINE, f"{event.data['team_id']}/{event.position:012d}", {
            "position": event.position, "type": event.type, "summary": summary(event.data),
            "occurred_at": event.occurred_at.isoformat(), "recorded_at": event.recorded_at.isoformat(),
            "actor": event.metadata.actor, "data": event.data})


PROJECTIONS = (TeamRecords(), Deployments(), Timeline(), AsOfIndex(), Registers())
