"""A request's document, built from its events: what was asked and approved, who changed its status
and when, the dispatch plan and each step's outcome per line, pledges, and the final outcome."""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope

Doc = dict[str, Any]
_STATUS = {"RequestApproved": "approved", "RequestRejected": "rejected", "RequestCancelled": "cancelled",
           "DispatchPlanned": "dispatching"}


def _material(line: Doc) -> Doc:
    return {"line": line["line"], "item_id": line["item_id"], "asked": line["quantity"], "approved": None,
            "planned": 0, "reserved": 0, "issued": 0, "called_off": 0, "released": 0, "pledged": 0,
            "missing": None}


def _team(line: Doc) -> Doc:
    return {"line": line["line"], "team_id": line["team_id"], "capability": line["capability"],
            "asked": line["people"], "approved": None, "teams": [], "missing": None}


def request_doc(raised: EventEnvelope) -> Doc:
    data = raised.data
    return {
        "incident_id": data["incident_id"], "request_id": data["request_id"], "priority": data["priority"],
        "destination": data["destination"], "coordinates": data["coordinates"], "note": data["note"],
        "status": "requested", "raised_by": raised.metadata.actor,
        "raised_at": raised.occurred_at.isoformat(),
        "status_history": [_change("requested", raised)],
        "materials": [_material(line) for line in data["materials"]],
        "teams": [_team(line) for line in data["teams"]],
        "sources": [], "call_offs": [], "shortfalls": [], "refusals": [], "pledges": [], "outcome": None,
    }


def _change(status: str, event: EventEnvelope) -> Doc:
    reason = event.data.get("reason") or event.data.get("note")
    return {"status": status, "at": event.occurred_at.isoformat(), "by": event.metadata.actor,
            "reason": reason}


def _line(doc: Doc, line: str) -> Doc:
    return next(entry for entry in (*doc["materials"], *doc["teams"]) if entry["line"] == line)


def _status(doc: Doc, status: str, event: EventEnvelope) -> None:
    doc["status"] = status
    doc["status_history"].append(_change(status, event))


def apply_to_request(doc: Doc, event: EventEnvelope) -> None:
    data, kind = event.data, event.type
    if kind in _STATUS:
        _status(doc, _STATUS[kind], event)
    if kind == "RequestApproved":
        for line in data["materials"]:
            _line(doc, line["line"])["approved"] = line["quantity"]
        for line in data["teams"]:
            _line(doc, line["line"])["approved"] = line["people"]
    elif kind == "DispatchPlanned":
        for source in (*data["sources"], *data["call_offs"]):
            _line(doc, source["line"])["planned"] += source["quantity"]
        doc["sources"] = [{**source, "status": "planned"} for source in data["sources"]]
        doc["call_offs"] = [{**call_off, "status": "planned"} for call_off in data["call_offs"]]
        for assignment in data["assignments"]:
            _line(doc, assignment["line"])["teams"].append(
                {"team_id": assignment["team_id"], "people": assignment["people"],
                 "distance_km": assignment["distance_km"], "status": "planned", "deployment": None})
        doc["shortfalls"] = data["shortfalls"]
    elif kind in ("MaterialsReserved", "MaterialsIssued", "MaterialsCalledOff"):
        key = {"MaterialsReserved": "reserved", "MaterialsIssued": "issued"}.get(kind, "called_off")
        _line(doc, data["line"])[key] += data["quantity"]
        _by_ref(doc, data["ref"])["status"] = key
    elif kind == "TeamDispatched":
        team = _assigned(doc, data["line"], data["team_id"])
        team.update(status="deployed", people=data["people"], deployment=data["deployment"])
    elif kind == "DispatchStepRefused":
        doc["refusals"].append({key: data[key] for key in ("step", "line", "ref", "code", "reason")})
        if data["step"] == "deploy":
            _assigned(doc, data["line"], data["ref"])["status"] = "refused"
        else:
            _by_ref(doc, data["ref"])["status"] = f"{data['step']}_refused"
    elif kind in ("ReservationReleased", "CallOffClosed"):
        source = _by_ref(doc, data["ref"])
        done = data["released"] if kind == "ReservationReleased" else data["closed"]
        source["status"] = ("released" if kind == "ReservationReleased" else "closed") if done else "gone"
        if done and kind == "ReservationReleased":
            _line(doc, source["line"])["released"] += source["quantity"]
    elif kind == "TeamStoodDown":
        for entry in doc["teams"]:
            for team in entry["teams"]:
                if team["team_id"] == data["team_id"] and team["status"] == "deployed":
                    team["status"] = data["outcome"] if data["done"] else "no_longer_deployed"
    elif kind == "MaterialsPledged":
        pledge = {key: data[key] for key in ("pledge_id", "pledged_by", "kind", "lines", "note")}
        doc["pledges"].append({**pledge, "at": event.occurred_at.isoformat(), "by": event.metadata.actor})
        for line in data["lines"]:
            for entry in doc["materials"]:
                if entry["item_id"] == line["item_id"]:
                    entry["pledged"] += line["quantity"]
    elif kind == "DispatchCompleted":
        _status(doc, data["outcome"], event)
        doc["outcome"] = data["outcome"]
        for result in data["lines"]:
            _line(doc, result["line"])["missing"] = result["missing"]


def _assigned(doc: Doc, line: str, team_id: str) -> Doc:
    return next(team for team in _line(doc, line)["teams"] if team["team_id"] == team_id)



def _by_ref(doc: Doc, ref: str) -> Doc:
    return next(source for source in (*doc["sources"], *doc["call_offs"]) if source["ref"] == ref)
