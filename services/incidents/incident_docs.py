"""An incident's document, built from events alone: its own lifecycle, and what its requests,
resettlement sites and relief deliveries did for it.

Deterministic (no clock): the relief clock's state and time left depend on "now" and are
finished at read time (`relief.py`); what is stored here is when the clock started, its
deadline, and when relief first arrived.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.envelope import EventEnvelope

from .domain.kinds import FIGURE_FIELDS

Doc = dict[str, Any]
#: A first report (初报) is due within this long of the incident: for production-safety accidents
#: Decree 493 art. 9 gives the unit's head 1 hour to report to the county; for natural disasters
#: the county reports to the city within 2 hours, which leaves the townships 1 hour.
REPORT_DEADLINE = timedelta(hours=1)
#: The plan's target: affected people have basic relief within 8 hours of the disaster.
RELIEF_TARGET = timedelta(hours=8)
_IDENTITY = ("incident_id", "title", "incident_type", "category", "township", "village", "location",
             "coordinates", "description", "reported_by")
_STATUS = {"IncidentVerified": "verified", "IncidentDismissed": "dismissed",
           "ResponseActivated": "response_active", "IncidentContained": "contained",
           "RecoveryBegun": "recovering", "IncidentClosed": "closed"}
_MOMENT = {"IncidentVerified": "verified_at", "IncidentContained": "contained_at",
           "RecoveryBegun": "recovering_at", "IncidentClosed": "closed_at"}


def _at(event: EventEnvelope) -> str:
    return event.occurred_at.isoformat()


def incident_doc(reported: EventEnvelope) -> Doc:
    """An incident as its `IncidentReported` event describes it."""
    data = reported.data
    occurred = datetime.fromisoformat(data["occurred_at"]) if data["occurred_at"] else reported.occurred_at
    delay = reported.occurred_at - occurred
    return {
        **{key: data[key] for key in (*_IDENTITY, *FIGURE_FIELDS)},
        "suggested_grade": data["suggested_grade"], "grade_basis": data["grade_basis"],
        "grade": data["suggested_grade"], "reported_grade": data["suggested_grade"], "status": "reported",
        "occurred_at": occurred.isoformat(), "reported_at": _at(reported),
        "recorded_at": reported.recorded_at.isoformat(), "report_delay_s": delay.total_seconds(),
        "report_deadline": (occurred + REPORT_DEADLINE).isoformat(), "reported_late": delay > REPORT_DEADLINE,
        "relief_deadline": (occurred + RELIEF_TARGET).isoformat(),
        "verified_at": None, "assessment": None, "dismissed": None, "response_level": None,
        "response_activated_at": None, "response_history": [], "contained_at": None,
        "recovering_at": None, "closed_at": None, "closing_note": None, "follow_ups": 0,
        "last_follow_up_at": None, "relief": [], "people_relieved": 0, "relief_provided_at": None,
        "evacuees": {}, "evacuees_now": 0, "evacuees_peak": 0, "request_statuses": {},
        "dispatched_materials": [], "called_off": [], "pledged": [], "dispatched_teams": [],
        "team_reports": [], "summary": None,
    }


def lifecycle(doc: Doc, event: EventEnvelope) -> None:
    """The incident's own events after the report."""
    data, kind = event.data, event.type
    if kind in _STATUS:
        doc["status"] = _STATUS[kind]
    if kind in _MOMENT:
        doc[_MOMENT[kind]] = _at(event)
    if kind == "FollowUpReported":
        doc.update(data["changes"])
        doc.update(suggested_grade=data["suggested_grade"], follow_ups=data["number"],
                   last_follow_up_at=_at(event))
        if doc["verified_at"] is None:  # before the assessment the grade follows the reports
            doc.update(grade=data["suggested_grade"], grade_basis=data["grade_basis"])
        if data["description"] is not None:
            doc["description"] = data["description"]
    elif kind == "IncidentVerified":
        doc.update(grade=data["grade"], grade_basis=data["grade_basis"], assessment=data["assessment"])
    elif kind == "IncidentDismissed":
        doc["dismissed"] = {"reason": data["reason"], "was": data["was"], "at": _at(event),
                            "by": event.metadata.actor}
    elif kind in ("ResponseActivated", "ResponseLevelRaised", "ResponseLevelLowered"):
        change = {"ResponseActivated": "activated", "ResponseLevelRaised": "raised"}.get(kind, "lowered")
        doc["response_history"].append({"change": change, "level": data["level"],
                                        "from_level": data.get("from_level"), "basis": data["basis"],
                                        "at": _at(event), "by": event.metadata.actor})
        doc["response_level"] = data["level"]
        doc["response_activated_at"] = doc["response_activated_at"] or _at(event)
    elif kind == "ReliefDelivered":
        delivery = {key: data[key] for key in ("number", "people", "provided", "site_id", "note")}
        doc["relief"].append({**delivery, "at": _at(event), "by": event.metadata.actor})
        doc["people_relieved"] += data["people"]
        first = doc["relief_provided_at"]
        doc["relief_provided_at"] = min(first or _at(event), _at(event), key=datetime.fromisoformat)
    elif kind == "IncidentClosed":
        doc["closing_note"] = data["note"]
    elif kind == "TeamReportNoted":
        report = {key: data[key] for key in ("team_id", "deployment", "report")} | {"at": _at(event)}
        if (team := _deployment(doc, report["team_id"], report["deployment"])) is None:
            doc["team_reports"].append(report)  # before its dispatch was recorded: kept until it is
        else:
            _team_report(team, report)


def _deployment(doc: Doc, team_id: str, deployment: int) -> Doc | None:
    key = (team_id, deployment)
    return next((t for t in doc["dispatched_teams"] if (t["team_id"], t["deployment"]) == key), None)


def _team_report(team: Doc, report: Doc) -> None:
    """What the teams service says the team did: arrival puts it on scene; a release ends it."""
    if report["report"] == "arrived":
        team["arrived_at"] = report["at"]
        if team["status"] == "deployed":
            team["status"] = "on_scene"
    elif team["status"] in ("deployed", "on_scene"):
        team.update(status=report["report"], ended_at=report["at"])


def _team(doc: Doc, data: Doc) -> Doc | None:
    return next((t for t in doc["dispatched_teams"]
                 if t["request_id"] == data["request_id"] and t["team_id"] == data["team_id"]), None)


#: The request events that change nothing on the incident's document (they are on its timeline).
REQUEST_ONLY = frozenset({"MaterialsReserved", "DispatchStepRefused", "ReservationReleased", "CallOffClosed"})
_REQUEST_STATUS = {"RequestRaised": "requested", "RequestApproved": "approved", "RequestRejected": "rejected",
                   "RequestCancelled": "cancelled", "DispatchPlanned": "dispatching"}


def from_request(doc: Doc, event: EventEnvelope) -> None:
    """What the incident's requests did: status, stock issued and called off, pledges, teams."""
    data, kind = event.data, event.type
    line = {"request_id": data["request_id"], "at": _at(event)}
    if kind in _REQUEST_STATUS:
        doc["request_statuses"][data["request_id"]] = _REQUEST_STATUS[kind]
    elif kind == "DispatchCompleted":
        doc["request_statuses"][data["request_id"]] = data["outcome"]
    elif kind == "MaterialsIssued":
        doc["dispatched_materials"].append({**line, "warehouse_id": data["warehouse_id"],
                                            "item_id": data["item_id"], "quantity": data["quantity"]})
    elif kind == "MaterialsCalledOff":
        doc["called_off"].append({**line, "agreement_id": data["agreement_id"], "item_id": data["item_id"],
                                  "quantity": data["quantity"], "lead_time_hours": data["lead_time_hours"]})
    elif kind == "MaterialsPledged":
        doc["pledged"].append({**line, "pledge_id": data["pledge_id"], "pledged_by": data["pledged_by"],
                               "kind": data["kind"], "lines": data["lines"]})
    elif kind == "TeamDispatched":
        sent = {**line, "team_id": data["team_id"], "people": data["people"],
                "deployment": data["deployment"], "status": "deployed", "arrived_at": None, "ended_at": None}
        doc["dispatched_teams"].append(sent)
        for report in [r for r in doc["team_reports"]
                       if (r["team_id"], r["deployment"]) == (sent["team_id"], sent["deployment"])]:
            doc["team_reports"].remove(report)
            _team_report(sent, report)
    elif kind == "TeamStoodDown" and (team := _team(doc, data)) is not None:
        if data["done"]:
            team.update(status=data["outcome"], ended_at=_at(event))
        elif team["status"] in ("deployed", "on_scene"):  # its leader released it, unknown to us
            team.update(status="no_longer_deployed", ended_at=_at(event))


def from_site(doc: Doc, event: EventEnvelope) -> None:
    """Evacuees of the incident admitted to or discharged from a resettlement site."""
    data = event.data
    sign = 1 if event.type == "EvacueesAdmitted" else -1
    here = doc["evacuees"].get(data["site_id"], 0) + sign * data["people"]
    if here:
        doc["evacuees"][data["site_id"]] = here
    else:
        doc["evacuees"].pop(data["site_id"], None)
    doc["evacuees_now"] += sign * data["people"]
    doc["evacuees_peak"] = max(doc["evacuees_peak"], doc["evacuees_now"])
