"""The movement ledger: every movement of a warehouse, by when it happened, filterable by item.

Indexes of the same movement documents:
- `ledger` `{warehouse}/{occurred}/{position}`: a warehouse's movements in the order
  they happened (a paper form typed in late lands at its real date);
- `ledger_by_item` `{warehouse}/{item}/{occurred}/{position}`: the same for one item;
- `line_history` `{warehouse}/{item}/{version}`: one line's events in recorded order,
  which is how a stocktake's variance is explained (the movements since the last count);
- `stocktakes` `{warehouse}/{occurred}/{position}`: the counts of a warehouse.

`balance` is the line's on-hand right after the movement was recorded.
"""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

from ..domain.stock import changes
from .keys import (
    LEDGER,
    LEDGER_ITEM,
    LINE_HISTORY,
    STOCK,
    STOCKTAKES,
    key,
    position_key,
    time_key,
    version_key,
)
from .levels import LINE_EVENTS

Doc = dict[str, Any]
NOT_MOVEMENTS = frozenset({"MinimumLevelSet", "InspectionRecorded"})
_COUNTERPARTY = ("source", "destination", "to_warehouse_id", "from_warehouse_id")
_DETAILS = ("reference", "note", "reason", "incident_id", "reservation_id", "transfer_id", "lot",
            "expires_on", "lots", "counted", "variance", "dispatched", "received", "discrepancy",
            "reversed_version", "reversed_type", "minimum", "result", "units_inspected", "inspector",
            "import_id", "previous_count_version")


def movement_doc(event: EventEnvelope, balance: int | None) -> Doc:
    """One ledger line: what moved (signed changes to on hand, reserved and in transit), when,
    why and by whom. Built from the event alone (and the balance), so commands answer with it."""
    data = event.data
    on_hand, reserved, in_transit = changes(event.type, data)
    doc: Doc = {
        "position": event.position, "version": event.version, "event_id": str(event.event_id),
        "type": event.type, "warehouse_id": data["warehouse_id"], "item_id": data["item_id"],
        "quantity": on_hand, "reserved_change": reserved, "in_transit_change": in_transit,
        "balance": balance,
        "counterparty": next((data[name] for name in _COUNTERPARTY if data.get(name)), None),
        "occurred_at": event.occurred_at.isoformat(), "recorded_at": event.recorded_at.isoformat(),
        "actor": event.metadata.actor,
    }
    doc |= {name: data[name] for name in _DETAILS if name in data}
    return doc


class Ledger:
    name = "ledger"
    collections = (LEDGER, LEDGER_ITEM, LINE_HISTORY, STOCKTAKES)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type not in LINE_EVENTS:
            return
        warehouse, item = event.data["warehouse_id"], event.data["item_id"]
        line = views.get(STOCK, key(warehouse, item))
        doc = movement_doc(event, line["on_hand"] if line else None)
        views.put(LINE_HISTORY, key(warehouse, item, version_key(event.version)), doc)
        if event.type in NOT_MOVEMENTS:
            return
        when, position = time_key(event.occurred_at), position_key(event.position)
        views.put(LEDGER, key(warehouse, when, position), doc)
        views.put(LEDGER_ITEM, key(warehouse, item, when, position), doc)
        if event.type == "StockCounted":
            views.put(STOCKTAKES, key(warehouse, when, position), doc)
