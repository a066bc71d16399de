"""An incident's timeline: every event of the incident, its requests and its evacuees, in the order
recorded, each with who and when, and one line that says what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.envelope import EventEnvelope

Doc = dict[str, Any]


def _basis(basis: Doc) -> str:
    parts = [f"{basis[key]} {key.replace('_', ' ')}"
             for key in ("deaths", "people_relocated", "houses_collapsed") if basis.get(key) is not None]
    if basis.get("reason"):
        parts.append(basis["reason"])
    return "; ".join(parts)


def _lines(lines: list[Doc]) -> str:
    return ", ".join(f"{line['quantity']:,} {line['item_id']}" for line in lines)


def _team(line: Doc) -> str:
    if line["team_id"] is None:
        return f"{line['people']} people with {line['capability']}"
    return str(line["team_id"]) + (f" ({line['people']} people)" if line["people"] is not None else "")


def _teams(lines: list[Doc]) -> str:
    return ", ".join(_team(line) for line in lines)


def _asked(d: Doc) -> str:
    return "; ".join(part for part in (_lines(d["materials"]), _teams(d["teams"])) if part)


_REPORTED = {"arrived": "arrived on scene", "released": "released", "stood_down": "stood down"}
_TEXT: dict[str, Callable[[Doc], str]] = {
    "IncidentReported": lambda d: f"{d['title']} reported by {d['reported_by']} in {d['township']}",
    "FollowUpReported": lambda d: f"follow-up report {d['number']} by {d['reported_by']}: "
                                  + (", ".join(f"{k.replace('_', ' ')} {v}" for k, v in d["changes"].items())
                                     or "no change in the figures"),
    "IncidentVerified": lambda d: "verified" + (f", grade {d['grade']}" if d["grade"] else ""),
    "IncidentDismissed": lambda d: f"dismissed: {d['reason']}",
    "ResponseActivated": lambda d: f"level {d['level']} response activated: {_basis(d['basis'])}",
    "ResponseLevelRaised": lambda d: f"response raised from {d['from_level']} to {d['level']}: "
                                     f"{_basis(d['basis'])}",
    "ResponseLevelLowered": lambda d: f"response lowered from {d['from_level']} to {d['level']}: "
                                      f"{_basis(d['basis'])}",
    "IncidentContained": lambda d: "contained",
    "RecoveryBegun": lambda d: "recovery begun",
    "IncidentClosed": lambda d: "closed",
    "ReliefDelivered": lambda d: f"relief for {d['people']:,} people: {d['provided']}",
    "RequestRaised": lambda d: f"request {d['request_id']} ({d['priority']}) for {_asked(d)} "
                               f"to {d['destination']}",
    "RequestApproved": lambda d: f"request {d['request_id']} approved: {_asked(d)}",
    "RequestRejected": lambda d: f"request {d['request_id']} rejected: {d['reason']}",
    "RequestCancelled": lambda d: f"request {d['request_id']} cancelled: {d['reason']}",
    "MaterialsPledged": lambda d: f"{d['pledged_by']} pledged {_lines(d['lines'])} against {d['request_id']}",
    "DispatchPlanned": lambda d: f"request {d['request_id']} planned: {len(d['sources'])} warehouse sources, "
                                 f"{len(d['call_offs'])} call-offs, {len(d['assignments'])} teams"
                                 + (f", {len(d['shortfalls'])} lines short" if d["shortfalls"] else ""),
    "MaterialsReserved": lambda d: f"{d['quantity']:,} {d['item_id']} reserved in {d['warehouse_id']}",
    "MaterialsIssued": lambda d: f"{d['quantity']:,} {d['item_id']} issued from {d['warehouse_id']}",
    "MaterialsCalledOff": lambda d: f"{d['quantity']:,} {d['item_id']} called off from {d['agreement_id']} "
                                    f"(due within {d['lead_time_hours']} h)",
    "TeamDispatched": lambda d: f"team {d['team_id']} deployed" + (f" with {d['people']} people"
                                                                   if d["people"] is not None else ""),
    "DispatchStepRefused": lambda d: f"{d['step']} {d['ref']} refused: {d['reason']}",
    "ReservationReleased": lambda d: f"reservation of {d['item_id']} in {d['warehouse_id']} "
                                     + ("released" if d["released"]
                                        else f"had nothing to release ({d['detail']})"),
    "CallOffClosed": lambda d: f"call-off from {d['agreement_id']} "
                               + ("closed" if d["closed"] else f"was not open ({d['detail']})"),
    "TeamStoodDown": lambda d: f"team {d['team_id']} " + (d["outcome"].replace("_", " ") if d["done"]
                                                          else f"was no longer deployed ({d['detail']})"),
    "DispatchCompleted": lambda d: f"request {d['request_id']} {d['outcome'].replace('_', ' ')}",
    "TeamReportNoted": lambda d: f"team {d['team_id']} {_REPORTED[d['report']]} "
                                 f"(deployment {d['deployment']}, as its team recorded it)",
    "EvacueesAdmitted": lambda d: f"{d['people']:,} evacuees admitted to site {d['site_id']}",
    "EvacueesDischarged": lambda d: f"{d['people']:,} evacuees left site {d['site_id']}",
}


def timeline_entry(event: EventEnvelope) -> Doc:
    data = event.data
    return {"position": event.position, "type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "actor": event.metadata.actor,
            "request_id": data.get("request_id"), "site_id": data.get("site_id"),
            "text": _TEXT[event.type](data)}


def described(event_type: str) -> bool:
    return event_type in _TEXT
