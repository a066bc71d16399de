"""The 8-hour relief clock of an incident, finished at read time from an injected "now".

It runs from when the incident occurred, for incidents that report affected or relocated
people, and stops at the first relief delivery: `met` within 8 hours, `missed` after. While
relief is pending it is `on_track` for 6 hours, `at_risk` until 8 and `overdue` after. A
dismissed incident's clock is `void`; an incident closed without relief `missed` it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from .summary import relief_applies

Doc = dict[str, Any]
AT_RISK_AFTER = timedelta(hours=6)
ClockState = Literal["not_applicable", "void", "on_track", "at_risk", "overdue", "met", "missed"]
PENDING: tuple[ClockState, ...] = ("on_track", "at_risk", "overdue")


def clock_state(doc: Doc, now: datetime) -> ClockState:
    if doc["status"] == "dismissed":
        return "void"
    if not relief_applies(doc):
        return "not_applicable"
    deadline = datetime.fromisoformat(doc["relief_deadline"])
    if doc["relief_provided_at"] is not None:
        return "met" if datetime.fromisoformat(doc["relief_provided_at"]) <= deadline else "missed"
    if doc["status"] == "closed":
        return "missed"
    elapsed = now - datetime.fromisoformat(doc["occurred_at"])
    if elapsed < AT_RISK_AFTER:
        return "on_track"
    return "at_risk" if now <= deadline else "overdue"


def relief_clock(doc: Doc, now: datetime) -> Doc:
    """The clock as the incident view shows it: its state, deadline and the time left (negative
    once past it; frozen at the first relief)."""
    state = clock_state(doc, now)
    deadline = datetime.fromisoformat(doc["relief_deadline"])
    met_at = doc["relief_provided_at"]
    stopped = datetime.fromisoformat(met_at) if met_at else now
    return {"applies": state not in ("not_applicable", "void"), "state": state,
            "started_at": doc["occurred_at"], "deadline": doc["relief_deadline"], "met_at": met_at,
            "met": {"met": True, "missed": False}.get(state), "overdue": state == "overdue",
            "remaining_s": (deadline - stopped).total_seconds()}
