"""The inventory part of the seed: catalogue, warehouses, opening stock, minimum levels, agreements."""

from __future__ import annotations

from .loader import Api, Record, Section, exists, seed_file


def _records(name: str) -> list[Record]:
    return seed_file("inventory")[name]  # type: ignore[no-any-return]


def _has_opening_balance(api: Api, receipt: Record) -> bool:
    path = f"/warehouses/{receipt['warehouse_id']}/movements"
    movements = api.get(path, {"item_id": receipt["item_id"], "limit": "1000"}) or {"items": []}
    return any(m["type"] == "StockReceived" and m["counterparty"] == "opening_balance"
               for m in movements["items"])


def _minimum_is(api: Api, level: Record) -> bool:
    line = api.get(f"/warehouses/{level['warehouse_id']}/stock/{level['item_id']}")
    return line is not None and line["minimum"] == level["minimum"]


SECTIONS = (
    Section("items", lambda: _records("items"), lambda r: f"item:{r['item_id']}",
            exists(lambda r: f"/items/{r['item_id']}"), lambda r: "/items"),
    Section("warehouses", lambda: _records("warehouses"), lambda r: f"warehouse:{r['warehouse_id']}",
            exists(lambda r: f"/warehouses/{r['warehouse_id']}"), lambda r: "/warehouses"),
    Section("opening balances", lambda: _records("receipts"),
            lambda r: f"opening:{r['warehouse_id']}:{r['item_id']}",
            _has_opening_balance, lambda r: f"/warehouses/{r['warehouse_id']}/movements"),
    Section("minimum levels", lambda: _records("minimum_levels"),
            lambda r: f"minimum:{r['warehouse_id']}:{r['item_id']}",
            _minimum_is, lambda r: f"/warehouses/{r['warehouse_id']}/stock/{r['item_id']}/minimum",
            body=lambda r: {"minimum": r["minimum"]}, method="PUT"),
    Section("agreements", lambda: _records("agreements"), lambda r: f"agreement:{r['agreement_id']}",
            exists(lambda r: f"/agreements/{r['agreement_id']}"), lambda r: "/agreements"),
)
