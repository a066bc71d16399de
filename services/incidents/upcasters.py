"""Older shapes of the incidents events, brought up to date on read (stored history is never rewritten)."""

from __future__ import annotations

from typing import Any

from shared.upcasting import Upcasters

UPCASTERS = Upcasters()


@UPCASTERS.register("IncidentReported", 1)
def _incident_reported_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had no village, coordinates, relocation or housing figures, nor the time the incident
    occurred (it is then the report's own time)."""
    return {"village": None, "coordinates": None, "people_relocated": 0, "houses_collapsed": 0,
            "houses_damaged": 0, "occurred_at": None, **data}
