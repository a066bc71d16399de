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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from . import SeedReport, post, seed_file

Record = dict[str, Any]


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


def _has_opening_balance(base_url: str, receipt: Record) -> bool:
    path = f"/warehouses/{receipt['warehouse_id']}/movements"
    movements = _get(base_url, path, {"item_id": receipt["item_id"], "limit": "1000"}) or {"items": []}
    return any(m["type"] == "StockReceived" and m["counterparty"] == "opening_balance"
               for m in movements["items"])


def _minimum_is(base_url: str, level: Record) -> bool:
    line = _get(base_url, f"/warehouses/{level['warehouse_id']}/stock/{level['item_id']}")
    return line is not None and line["minimum"] == level["minimum"]


@dataclass(frozen=True)
class Section:
    """How one kind of seed record is named, found and written."""

    kind: str
    records: str
    key: Callable[[Record], str]
    there: Callable[[str, Record], bool]
    path: Callable[[Record], str]
    body: Callable[[Record], Record] = lambda record: record
    method: Literal["POST", "PUT"] = "POST"


SECTIONS = (
    Section("items", "items", lambda r: f"item:{r['item_id']}",
            lambda url, r: _get(url, f"/items/{r['item_id']}") is not None, lambda r: "/items"),
    Section("warehouses", "warehouses", lambda r: f"warehouse:{r['warehouse_id']}",
            lambda url, r: _get(url, f"/warehouses/{r['warehouse_id']}") is not None,
            lambda r: "/warehouses"),
    Section("opening balances", "receipts", lambda r: f"opening:{r['warehouse_id']}:{r['item_id']}",
            _has_opening_balance, lambda r: f"/warehouses/{r['warehouse_id']}/movements"),
    Section("minimum levels", "minimum_levels", lambda r: f"minimum:{r['warehouse_id']}:{r['item_id']}",
            _minimum_is, lambda r: f"/warehouses/{r['warehouse_id']}/stock/{r['item_id']}/minimum",
            body=lambda r: {"minimum": r["minimum"]}, method="PUT"),
    Section("agreements", "agreements", lambda r: f"agreement:{r['agreement_id']}",
            lambda url, r: _get(url, f"/agreements/{r['agreement_id']}") is not None,
            lambda r: "/agreements"),
)


def load_inventory(base_url: str, report: SeedReport) -> None:
    seed = seed_file("inventory")
    for section in SECTIONS:
        for record in seed[section.records]:
            key = section.key(record)
            if section.there(base_url, record):
                report.existing(section.kind, key)
            else:
                post(base_url, section.path(record), section.body(record), key, report, section.kind,
                     method=section.method)
