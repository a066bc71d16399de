"""Inventory read models: the catalogue, warehouses, stock levels and the movement ledger."""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

ITEMS, WAREHOUSES, STOCK, MOVEMENTS = "items", "warehouses", "stock", "movements"
_SIGN = {"StockReceived": 1, "StockIssued": -1}


def item_doc(registered: EventEnvelope) -> dict[str, Any]:
    """An item as its `ItemRegistered` event describes it."""
    return dict(registered.data)


def warehouse_doc(registered: EventEnvelope) -> dict[str, Any]:
    """A warehouse as its `WarehouseRegistered` event describes it."""
    return {**registered.data, "registered_at": registered.occurred_at.isoformat()}


class Catalogue:
    name = "catalogue"
    collections = (ITEMS, WAREHOUSES)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "ItemRegistered":
            views.put(ITEMS, event.data["item_id"], item_doc(event))
        elif event.type == "WarehouseRegistered":
            views.put(WAREHOUSES, event.data["warehouse_id"], warehouse_doc(event))


class StockLevels:
    """On-hand quantity per warehouse and item, and every movement in order."""

    name = "stock"
    collections = (STOCK, MOVEMENTS)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        sign = _SIGN.get(event.type)
        if sign is None:
            return
        data = event.data
        warehouse, item = data["warehouse_id"], data["item_id"]
        key = f"{warehouse}/{item}"
        level = views.get(STOCK, key) or {"warehouse_id": warehouse, "item_id": item, "quantity": 0}
        level["quantity"] += sign * data["quantity"]
        level["last_movement_at"] = event.occurred_at.isoformat()
        views.put(STOCK, key, level)
        views.put(MOVEMENTS, f"{warehouse}/{event.position:012d}", {
            "position": event.position,
            "event_id": str(event.event_id),
            "type": event.type,
            "item_id": item,
            "quantity": sign * data["quantity"],
            "balance": level["quantity"],
            "counterparty": data.get("source") or data.get("destination"),
            "reference": data.get("reference"),
            "note": data.get("note"),
            "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "actor": event.metadata.actor,
        })

    def invariant_violations(self, views: Views) -> list[str]:
        """Stock on hand is never negative: a line below zero means history allowed an overdraw."""
        return [f"stock of {level['item_id']} in {level['warehouse_id']} is {level['quantity']}"
                for level in views.list(STOCK) if level["quantity"] < 0]


PROJECTIONS = (Catalogue(), StockLevels())
