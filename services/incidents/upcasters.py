"""Older shapes of the incidents events, brought up to date on read (stored history is never rewritten)."""

from __future__ import annotations

import re
from typing import Any

from shared.upcasting import Upcasters

UPCASTERS = Upcasters()


def township_id(name: str) -> str:
    """A township as v1 reports named it ("Sanshipu") as the register's id ("sanshipu")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug if len(slug) >= 2 else "unknown"


@UPCASTERS.register("IncidentReported", 1)
def _incident_reported_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 named the township in free text and had no village, coordinates, relocation or housing
    figures, nor the time the incident occurred (it is then the report's own time)."""
    return {"village": None, "coordinates": None, "people_relocated": 0, "houses_collapsed": 0,
            "houses_damaged": 0, "occurred_at": None,
            **data, "township": township_id(data["township"])}
