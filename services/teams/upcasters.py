"""Older shapes of the teams events, brought up to date on read (stored history is never rewritten)."""

from __future__ import annotations

from typing import Any

from shared.upcasting import Upcasters

UPCASTERS = Upcasters()


@UPCASTERS.register("TeamRegistered", 1)
def _team_registered_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had no capabilities, coordinates or duty contacts, and equipment lines had no id."""
    equipment = [{"item_id": f"item-{index}", "machine": True, **line}
                 for index, line in enumerate(data.get("equipment", []), start=1)]
    return {"capabilities": [], "location": None, "leader": None, "duty": None,
            **data, "equipment": equipment}


@UPCASTERS.register("ReadinessReported", 1)
def _readiness_reported_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had no equipment counts, location or coordinates."""
    return {"equipment_available": None, "location": None, "coordinates": None, **data}
