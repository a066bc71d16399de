"""Stock levels: each line (warehouse + item), district totals per item, and the lists that
need attention — shortages against minimum levels, lots by expiry, inspections by due date,
open reservations.

A line shows `on_hand`, `reserved`, `available` (on hand minus reserved), `in_transit`
(sent from here, not yet received) and `incoming` (sent here, not yet received).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

from ..domain.lots import china_date
from ..domain.stock import changes, lot_changes
from .keys import (
    EXPIRY,
    INCIDENT_RESERVATIONS,
    INSPECTIONS_DUE,
    ITEMS,
    RESERVATIONS,
    SHORTAGES,
    STOCK,
    TOTALS,
    key,
)

Doc = dict[str, Any]
LINE_EVENTS = frozenset({
    "StockReceived", "StockIssued", "StockWrittenOff", "StockReserved", "ReservationReleased",
    "StockCounted", "StockTransferredOut", "StockTransferredIn", "TransitClosed", "TransferOutCancelled",
    "MinimumLevelSet", "InspectionRecorded", "MovementReversed",
})


#: What a stock line can never have less than zero of.
NEVER_NEGATIVE = ("on_hand", "reserved", "available")


def blank_line(warehouse_id: str, item_id: str) -> Doc:
    return {"warehouse_id": warehouse_id, "item_id": item_id, "on_hand": 0, "reserved": 0,
            "available": 0, "in_transit": 0, "incoming": 0, "minimum": 0, "lots": {},
            "reservations": {}, "last_movement_at": None, "first_received_on": None,
            "last_count": None, "last_inspection": None, "inspection_due": None}


def blank_total(item_id: str) -> Doc:
    return {"item_id": item_id, "on_hand": 0, "reserved": 0, "available": 0, "in_transit": 0,
            "by_warehouse": {}}


class StockLevels:
    name = "stock-levels"
    collections = (STOCK, TOTALS, SHORTAGES, EXPIRY, INSPECTIONS_DUE, RESERVATIONS,
                   INCIDENT_RESERVATIONS)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type in ("TransferDispatched", "TransferReceived"):
            quantity = data["quantity"] if event.type == "TransferDispatched" else -data["dispatched"]
            self._update(views, data["to_warehouse_id"], data["item_id"], event,
                         lambda line: line.update(incoming=line["incoming"] + quantity))
        elif event.type in LINE_EVENTS:
            self._update(views, data["warehouse_id"], data["item_id"], event,
                         lambda line: _apply_to_line(views, line, event))

    def _update(self, views: Views, warehouse_id: str, item_id: str, event: EventEnvelope,
                change: Any) -> None:
        line_key = key(warehouse_id, item_id)
        line = views.get(STOCK, line_key) or blank_line(warehouse_id, item_id)
        before = {name: line[name] for name in ("on_hand", "reserved", "in_transit")}
        old_lots, old_due = dict(line["lots"]), line["inspection_due"]
        change(line)
        line["available"] = line["on_hand"] - line["reserved"]
        views.put(STOCK, line_key, line)
        _total(views, line, {name: line[name] - value for name, value in before.items()})
        _shortage(views, line_key, line)
        _expiry_index(views, line, old_lots)
        _inspection_index(views, line, old_due)


    def invariant_violations(self, views: Views) -> list[str]:
        """No line is ever below zero on hand, reserved or available: one that is means
        history allowed an overdraw (or a reservation beyond what was there)."""
        return [f"{figure} of {line['item_id']} in {line['warehouse_id']} is {line[figure]}"
                for line in views.list(STOCK) for figure in NEVER_NEGATIVE if line[figure] < 0]


def _apply_to_line(views: Views, line: Doc, event: EventEnvelope) -> None:
    data, occurred = event.data, event.occurred_at.isoformat()
    on_hand, reserved, in_transit = changes(event.type, data)
    line["on_hand"] += on_hand
    line["reserved"] += reserved
    line["in_transit"] += in_transit
    for lot, quantity, expires_on in lot_changes(event.type, data):
        held = line["lots"].get(lot, {"quantity": 0, "expires_on": expires_on})
        held = {"quantity": held["quantity"] + quantity, "expires_on": held["expires_on"] or expires_on}
        if held["quantity"]:
            line["lots"][lot] = held
        else:
            line["lots"].pop(lot, None)
    if on_hand or reserved or in_transit:
        line["last_movement_at"] = occurred
    if event.type in ("StockReceived", "StockTransferredIn") and line["first_received_on"] is None:
        line["first_received_on"] = china_date(event.occurred_at).isoformat()
    _reservations(views, line, event)
    if event.type == "MinimumLevelSet":
        line["minimum"] = data["minimum"]
    elif event.type == "StockCounted":
        line["last_count"] = {"version": event.version, "counted": data["counted"],
                              "expected": data["expected"], "variance": data["variance"],
                              "reason": data["reason"], "occurred_at": occurred}
    elif event.type == "InspectionRecorded":
        line["last_inspection"] = {"result": data["result"], "units_inspected": data["units_inspected"],
                                   "inspector": data["inspector"], "note": data["note"],
                                   "occurred_at": occurred}
    line["inspection_due"] = _inspection_due(views, line, event)


def _reservations(views: Views, line: Doc, event: EventEnvelope) -> None:
    data = event.data
    reservation_id = data.get("reservation_id")
    if reservation_id is None:
        return
    held = line["reservations"].get(reservation_id)
    if event.type == "StockReserved":
        held = {"reservation_id": reservation_id, "warehouse_id": line["warehouse_id"],
                "item_id": line["item_id"], "quantity": data["quantity"], "incident_id": data["incident_id"],
                "note": data["note"], "reserved_at": event.occurred_at.isoformat()}
    elif held is not None and event.type in ("ReservationReleased", "StockIssued"):
        held = {**held, "quantity": held["quantity"] - data["quantity"]}
    if held is None:
        return
    where = key(line["warehouse_id"], line["item_id"], reservation_id)
    by_incident = key(held["incident_id"] or "-", line["warehouse_id"], line["item_id"], reservation_id)
    if held["quantity"] > 0:
        line["reservations"][reservation_id] = held
        views.put(RESERVATIONS, where, held)
        views.put(INCIDENT_RESERVATIONS, by_incident, held)
    else:
        line["reservations"].pop(reservation_id, None)
        views.delete(RESERVATIONS, where)
        views.delete(INCIDENT_RESERVATIONS, by_incident)


def _total(views: Views, line: Doc, delta: dict[str, int]) -> None:
    """The district total of the line's item, with each warehouse's share."""
    if not any(delta.values()):
        return
    item_id = line["item_id"]
    total = views.get(TOTALS, item_id) or blank_total(item_id)
    for name, value in delta.items():
        total[name] += value
    total["available"] = total["on_hand"] - total["reserved"]
    total["by_warehouse"][line["warehouse_id"]] = {
        name: line[name] for name in ("on_hand", "reserved", "available", "in_transit")}
    views.put(TOTALS, item_id, total)


def _shortage(views: Views, line_key: str, line: Doc) -> None:
    if line["minimum"] > line["available"]:
        views.put(SHORTAGES, line_key, {
            "warehouse_id": line["warehouse_id"], "item_id": line["item_id"], "minimum": line["minimum"],
            "available": line["available"], "missing": line["minimum"] - line["available"]})
    else:
        views.delete(SHORTAGES, line_key)


def expiry_key(line: Doc, lot: str, expires_on: str) -> str:
    return key(expires_on, line["warehouse_id"], line["item_id"], lot)


def _expiry_index(views: Views, line: Doc, old_lots: dict[str, Doc]) -> None:
    for lot in set(old_lots) | set(line["lots"]):
        before, after = old_lots.get(lot), line["lots"].get(lot)
        if before == after:
            continue
        if before is not None and before["expires_on"]:
            views.delete(EXPIRY, expiry_key(line, lot, before["expires_on"]))
        if after is not None and after["expires_on"]:
            views.put(EXPIRY, expiry_key(line, lot, after["expires_on"]), {
                "warehouse_id": line["warehouse_id"], "item_id": line["item_id"], "lot": lot,
                "quantity": after["quantity"], "expires_on": after["expires_on"]})


def _inspection_due(views: Views, line: Doc, event: EventEnvelope) -> str | None:
    """Equipment is due for inspection an interval after its last one (or after it arrived)."""
    item = views.get(ITEMS, line["item_id"]) or {}
    interval = item.get("inspection_interval_days")
    if not interval or line["on_hand"] <= 0:
        return None
    last = line["last_inspection"]
    since = (china_date(datetime.fromisoformat(last["occurred_at"])) if last
             else date.fromisoformat(line["first_received_on"] or china_date(event.occurred_at).isoformat()))
    return (since + timedelta(days=interval)).isoformat()


def _inspection_index(views: Views, line: Doc, old_due: str | None) -> None:
    if old_due == line["inspection_due"]:
        return
    if old_due is not None:
        views.delete(INSPECTIONS_DUE, key(old_due, line["warehouse_id"], line["item_id"]))
    if line["inspection_due"] is not None:
        views.put(INSPECTIONS_DUE, key(line["inspection_due"], line["warehouse_id"], line["item_id"]), {
            "warehouse_id": line["warehouse_id"], "item_id": line["item_id"],
            "due_on": line["inspection_due"]})
