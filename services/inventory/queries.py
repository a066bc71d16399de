"""Read-side questions over the inventory read models, each a bounded read.

Queries that depend on "now" (what expires soon, what is overdue, which agreements
are valid) take `as_of` and default to the clock here, on the read side: projections
and deciders never read it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import parse
from shared.envelope import now
from shared.errors import NotFound
from shared.ids import MAX_COUNT, Slug
from shared.paging import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, page
from shared.timestamps import Timestamp
from shared.views import Views, ViewStore

from .domain.lots import china_date
from .projections.as_of import Clock, stock_as_of
from .projections.keys import (
    AGREEMENT_CAPACITY,
    EXPIRY,
    INSPECTIONS_DUE,
    ITEMS,
    LEDGER,
    LEDGER_ITEM,
    LINE_HISTORY,
    SHORTAGES,
    STOCK,
    TOTALS,
    WAREHOUSES,
    key,
    time_key,
    version_key,
)
from .projections.levels import blank_line, blank_total

Doc = dict[str, Any]
Json = dict[str, Any]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    limit: Limit = DEFAULT_LIMIT
    after: Annotated[str, Field(max_length=700)] | None = None


class LedgerQuery(Query):
    item_id: Slug | None = None
    since: Timestamp | None = Field(default=None, alias="from")
    until: Timestamp | None = None


class AsOfQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: Timestamp
    clock: Clock = "occurred"
    item_id: Slug | None = None


class ExpiringQuery(Query):
    within_days: Annotated[int, Field(ge=0, le=3650)] = 30
    as_of: Timestamp | None = None


class OverdueQuery(Query):
    as_of: Timestamp | None = None


class OnSiteQuery(Query):
    within_hours: Annotated[int, Field(ge=0, le=24 * 365)] = 0
    as_of: Timestamp | None = None


class SuggestionQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quantity: Annotated[int, Field(gt=0, le=MAX_COUNT)]
    as_of: Timestamp | None = None


class IncidentQuery(Query):
    incident_id: Slug


class ExportQuery(BaseModel):
    """The export takes no parameters; naming one is a mistake worth a 400."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CountQuery(Query):
    version: Annotated[int, Field(ge=1)] | None = None


def bounded_page(views: ViewStore, collection: str, prefix: str, query: Query,
                 start: str | None = None, stop: Callable[[Doc], bool] | None = None) -> Json:
    """A page of `collection` under `prefix`, from after `start` (or the cursor), ending before
    the first document for which `stop` holds."""
    after = decode_cursor(query.after) if query.after is not None else start
    items, next_key = views.page(collection, prefix, after, query.limit)
    if stop is not None:
        kept = _takewhile_not(items, stop)
        if len(kept) < len(items):
            return page(kept, None)
    return page(items, next_key)


def _takewhile_not(items: list[Doc], stop: Callable[[Doc], bool]) -> list[Doc]:
    kept = []
    for doc in items:
        if stop(doc):
            break
        kept.append(doc)
    return kept


def ledger(views: ViewStore, warehouse_id: str, raw: Json | None) -> Json:
    query = parse(LedgerQuery, raw or {})
    collection, prefix = LEDGER, key(warehouse_id, "")
    if query.item_id is not None:
        collection, prefix = LEDGER_ITEM, key(warehouse_id, query.item_id, "")
    start = prefix + time_key(query.since) if query.since is not None else None
    until = time_key(query.until) if query.until is not None else None
    stop = None if until is None else (lambda doc: _occurred_key(doc) > until)
    return bounded_page(views, collection, prefix, query, start, stop)


def _occurred_key(doc: Doc) -> str:
    return time_key(datetime.fromisoformat(doc["occurred_at"]))


def as_of(views: ViewStore, warehouse_id: str, raw: Json | None) -> Json:
    query = parse(AsOfQuery, raw or {})
    with views.reading() as reading:
        figures = stock_as_of(reading, warehouse_id, query.at, query.clock)
    return {"warehouse_id": warehouse_id, **_as_of_answer(query, figures)}


def district_as_of(views: ViewStore, raw: Json | None) -> Json:
    """Every warehouse's stock at a moment, summed per item (cost: one as-of read per warehouse)."""
    query = parse(AsOfQuery, raw or {})
    totals: dict[str, list[int]] = {}
    with views.reading() as reading:
        for warehouse in reading.list(WAREHOUSES):
            figures = stock_as_of(reading, warehouse["warehouse_id"], query.at, query.clock)
            for item, line in figures.items():
                totals[item] = [a + b for a, b in zip(totals.get(item, [0, 0, 0]), line, strict=True)]
    return _as_of_answer(query, totals)


def _as_of_answer(query: AsOfQuery, figures: dict[str, list[int]]) -> Json:
    lines = [{"item_id": item, "on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved,
              "in_transit": in_transit}
             for item, (on_hand, reserved, in_transit) in sorted(figures.items())
             if query.item_id in (None, item) and (on_hand or reserved or in_transit)]
    return {"at": query.at.isoformat(), "clock": query.clock, "items": lines}


def item_total(views: ViewStore, item_id: str) -> Doc:
    """One item's district total, and by warehouse (each named) what it holds and its minimum
    level: every warehouse the item moved in, and any whose minimum it is below."""
    item = views.require(ITEMS, item_id, f"no item {item_id}", "item_id")
    with views.reading() as reading:
        total = reading.get(TOTALS, item_id) or blank_total(item_id)
        short = {doc["warehouse_id"] for doc in reading.list(SHORTAGES) if doc["item_id"] == item_id}
        shares = {warehouse_id: _share(reading, warehouse_id, item_id)
                  for warehouse_id in sorted(set(total["by_warehouse"]) | short)}
    return {**total, "name": item["name"], "name_zh": item["name_zh"], "unit": item["unit"],
            "by_warehouse": shares}


def _share(views: Views, warehouse_id: str, item_id: str) -> Doc:
    line = views.get(STOCK, key(warehouse_id, item_id)) or blank_line(warehouse_id, item_id)
    warehouse = views.get(WAREHOUSES, warehouse_id) or {}
    return {**{name: line[name] for name in ("on_hand", "reserved", "available", "in_transit", "minimum")},
            "below_minimum": line["available"] < line["minimum"],
            "name": warehouse.get("name"), "name_zh": warehouse.get("name_zh")}


def expiring(views: ViewStore, raw: Json | None) -> Json:
    query = parse(ExpiringQuery, raw or {})
    today = china_date(query.as_of or now())
    horizon = (today + timedelta(days=query.within_days)).isoformat()
    result = bounded_page(views, EXPIRY, "", query, stop=lambda doc: doc["expires_on"] > horizon)
    for doc in result["items"]:
        doc["days_left"] = (datetime.fromisoformat(doc["expires_on"]).date() - today).days
        doc["expired"] = doc["days_left"] < 0
    return result


def overdue_inspections(views: ViewStore, raw: Json | None) -> Json:
    query = parse(OverdueQuery, raw or {})
    today = china_date(query.as_of or now())
    result = bounded_page(views, INSPECTIONS_DUE, "", query,
                          stop=lambda doc: doc["due_on"] >= today.isoformat())
    for doc in result["items"]:
        doc["days_overdue"] = (today - datetime.fromisoformat(doc["due_on"]).date()).days
        line = views.get(STOCK, key(doc["warehouse_id"], doc["item_id"])) or {}
        doc["on_hand"], doc["last_inspection"] = line.get("on_hand"), line.get("last_inspection")
    return result


def on_site_within(views: ViewStore, raw: Json | None) -> Json:
    """Per catalogue item: what is available in the warehouses now, plus what valid agreements can
    deliver within `within_hours` (their lead time). Warehouse stock counts as on site at once:
    travel from the warehouse is not modelled."""
    query = parse(OnSiteQuery, raw or {})
    today = china_date(query.as_of or now()).isoformat()
    result = bounded_page(views, ITEMS, "", query)
    lines = []
    for item in result["items"]:
        in_stock = (views.get(TOTALS, item["item_id"]) or {}).get("available", 0)
        callable_ = [
            {"agreement_id": doc["agreement_id"], "company": doc["company"],
             "quantity": doc["contracted"] - doc["called_off"], "lead_time_hours": doc["lead_time_hours"]}
            for doc in views.list(AGREEMENT_CAPACITY, key(item["item_id"], ""))
            if doc["valid_from"] <= today <= doc["valid_until"]
            and doc["lead_time_hours"] <= query.within_hours and doc["contracted"] > doc["called_off"]
        ]
        lines.append({"item_id": item["item_id"], "name_zh": item["name_zh"], "unit": item["unit"],
                      "in_stock": in_stock, "by_agreement": callable_,
                      "total": in_stock + sum(line["quantity"] for line in callable_)})
    return {"within_hours": query.within_hours, "as_of_date": today, "items": lines, "next": result["next"]}


def explain_count(views: ViewStore, warehouse_id: str, item_id: str, raw: Json | None) -> Json:
    """A stocktake and the movements recorded on its line between the previous count and it."""
    query = parse(CountQuery, raw or {})
    line = views.get(STOCK, key(warehouse_id, item_id)) or {}
    version = query.version or (line.get("last_count") or {}).get("version")
    count = views.get(LINE_HISTORY, key(warehouse_id, item_id, version_key(version))) if version else None
    if count is None or count["type"] != "StockCounted":
        raise NotFound(f"no stocktake of {item_id} in {warehouse_id}"
                       + (f" at version {version}" if version else ""), field="version")
    prefix = key(warehouse_id, item_id, "")
    start = prefix + version_key(count["previous_count_version"])
    result = bounded_page(views, LINE_HISTORY, prefix, query, start,
                          stop=lambda doc: doc["version"] >= count["version"])
    return {"count": count, **result}


EXPORT_COLUMNS = ("warehouse_id", "warehouse_name_zh", "item_id", "item_name_zh", "unit", "on_hand",
                  "reserved", "available", "in_transit", "incoming", "minimum")


def export_csv(views: ViewStore) -> Json:
    """Current stock, one row per warehouse and item, as CSV text (UTF-8, header row)."""
    with views.reading() as reading:
        warehouses = {doc["warehouse_id"]: doc for doc in reading.list(WAREHOUSES)}
        items = {doc["item_id"]: doc for doc in reading.list(ITEMS)}
        lines = reading.list(STOCK)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for line in lines:
        item, warehouse = items.get(line["item_id"], {}), warehouses.get(line["warehouse_id"], {})
        writer.writerow([_cell(line["warehouse_id"]), _cell(warehouse.get("name_zh", "")),
                         _cell(line["item_id"]), _cell(item.get("name_zh", "")), _cell(item.get("unit", "")),
                         *(line[name] for name in EXPORT_COLUMNS[5:])])
    return {"filename": "stock.csv", "csv": out.getvalue(), "rows": len(lines)}


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is quoted as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text

