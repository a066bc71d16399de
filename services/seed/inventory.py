"""The inventory part of the seed: catalogue, warehouses, opening stock, minimum levels, agreements.

Each record is looked up first, so the report can say what was new and what was
already there; every write still carries an `Idempotency-Key` derived from what it
is, so even two loaders racing each other record nothing twice.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from . import SeedReport, post, seed_file


def _get(base_url: str, path: str, query: dict[str, str] | None = None) -> Any | None:
    """The JSON at `path`, or None when it is a 404."""
    url = f"{base_url}/api/v1{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _has_opening_balance(base_url: str, receipt: dict[str, Any]) -> bool:
    path = f"/warehouses/{receipt['warehouse_id']}/movements"
    movements = _get(base_url, path, {"item_id": receipt["item_id"], "limit": "1000"}) or {"items": []}
    return any(m["type"] == "StockReceived" and m["counterparty"] == "opening_balance"
               for m in movements["items"])


def _minimum_is(base_url: str, level: dict[str, Any]) -> bool:
    line = _get(base_url, f"/warehouses/{level['warehouse_id']}/stock/{level['item_id']}")
    return line is not None and line["minimum"] == level["minimum"]


def load_inventory(base_url: str, report: SeedReport) -> None:
    seed = seed_file("inventory")
    for item in seed["items"]:
        key = f"item:{item['item_id']}"
        if _get(base_url, f"/items/{item['item_id']}") is not None:
            report.existing("items", key)
        else:
            post(base_url, "/items", item, key, report, "items")
    for warehouse in seed["warehouses"]:
        key = f"warehouse:{warehouse['warehouse_id']}"
        if _get(base_url, f"/warehouses/{warehouse['warehouse_id']}") is not None:
            report.existing("warehouses", key)
        else:
            post(base_url, "/warehouses", warehouse, key, report, "warehouses")
    for receipt in seed["receipts"]:
        key = f"opening:{receipt['warehouse_id']}:{receipt['item_id']}"
        if _has_opening_balance(base_url, receipt):
            report.existing("opening balances", key)
        else:
            post(base_url, f"/warehouses/{receipt['warehouse_id']}/movements", receipt, key, report,
                 "opening balances")
    for level in seed["minimum_levels"]:
        key = f"minimum:{level['warehouse_id']}:{level['item_id']}"
        body = {"minimum": level["minimum"]}
        if _minimum_is(base_url, level):
            report.existing("minimum levels", key)
        else:
            post(base_url, f"/warehouses/{level['warehouse_id']}/stock/{level['item_id']}/minimum", body,
                 key, report, "minimum levels", method="PUT")
    for agreement in seed["agreements"]:
        key = f"agreement:{agreement['agreement_id']}"
        if _get(base_url, f"/agreements/{agreement['agreement_id']}") is not None:
            report.existing("agreements", key)
        else:
            post(base_url, "/agreements", agreement, key, report, "agreements")
