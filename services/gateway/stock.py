"""The overview's stock section: the inventory service's own figures, with names.

The inventory service answers district totals, shortages (available below the minimum
level) and expiring lots itself; the overview only joins them with the catalogue's and
the warehouses' names, so that nobody has to know `jinan-flood-reserve` by heart.
"""

from __future__ import annotations

from collections.abc import Iterable

from .gather import Gatherer
from .schemas import Json

#: The overview lists lots expiring within this many days (as the alert rule counts them).
EXPIRING_WITHIN_DAYS = 30
SHORT = ("minimum", "available", "missing")
EXPIRING = ("lot", "quantity", "expires_on", "days_left", "expired")


def stock_summary(g: Gatherer) -> Json:
    """For the overview: how many warehouses and items, which items the district has none of,
    the lines below their minimum level and the lots expiring within 30 days, all by name."""
    warehouses = _by_id(g.everything("inventory", "list_warehouses"), "warehouse_id")
    items = _by_id(g.everything("inventory", "list_items"), "item_id")
    totals = _by_id(g.everything("inventory", "district_stock"), "item_id")
    shortages = g.everything("inventory", "list_shortages")
    expiring = g.everything("inventory", "expiring_lots", filters={"within_days": EXPIRING_WITHIN_DAYS})
    return {
        "warehouses": sum(doc["status"] == "open" for doc in warehouses.values()),
        "items": len(items),
        "out_of_stock": [item_id for item_id in items if totals.get(item_id, {}).get("on_hand", 0) <= 0],
        "shortages": [_named(line, warehouses, items, SHORT) for line in shortages],
        "expiring_lots": [_named(lot, warehouses, items, EXPIRING) for lot in expiring],
    }


def _by_id(docs: Iterable[Json], key: str) -> dict[str, Json]:
    return {doc[key]: doc for doc in docs}


def _named(line: Json, warehouses: dict[str, Json], items: dict[str, Json], keep: tuple[str, ...]) -> Json:
    warehouse, item = warehouses.get(line["warehouse_id"]) or {}, items.get(line["item_id"]) or {}
    return {"warehouse_id": line["warehouse_id"], "warehouse_name": warehouse.get("name"),
            "warehouse_name_zh": warehouse.get("name_zh"), "item_id": line["item_id"],
            "item_name": item.get("name"), "item_name_zh": item.get("name_zh"), "unit": item.get("unit"),
            **{key: line[key] for key in keep}}
