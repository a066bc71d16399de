"""Views the gateway answers itself, gathered from several services (see `gather.py`).

Each reads what the services offer today and takes more when their documents carry it:
a stock level's `minimum` and `lots`, an incident's `response_level`,
`dispatched_teams`, `dispatched_materials` and `relief_provided_at`, a readiness line's
`stale`, and `latitude`/`longitude` on anything that can be placed on the picture.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from shared.config import SERVICES
from shared.decider import parse
from shared.errors import NotFound

from .gather import Gatherer
from .schemas import FeedQuery, Json

#: The plan's target: affected people get basic relief within 8 hours.
RELIEF_TARGET = timedelta(hours=8)
#: Readiness must be known around the clock: a report older than a day is stale.
STALE_AFTER = timedelta(hours=24)
#: Lots expiring within this horizon are listed on the overview.
EXPIRY_HORIZON = timedelta(days=90)
CLOSED = frozenset({"closed"})


def me(g: Gatherer, query: Json) -> Json:
    """Who the token speaks for."""
    assert g.principal is not None  # every view runs authenticated
    return g.principal.as_dict()


def feed(g: Gatherer, service: str, query: Json) -> Json:
    """A service's committed events after position `after`, in global order."""
    if service not in SERVICES:
        raise NotFound(f"no feed {service!r}; the feeds are {', '.join(SERVICES)}", field="service")
    page = parse(FeedQuery, query)
    return g.call(service, "feed", page.after, page.limit)  # type: ignore[no-any-return]


def overview(g: Gatherer, query: Json) -> Json:
    """The command centre's picture: open incidents, stock, readiness."""
    return {"generated_at": g.now().isoformat(), **g.sections({
        "incidents": lambda: incident_summary(g),
        "stock": lambda: stock_summary(g),
        "readiness": lambda: readiness_summary(g),
    })}


def district_stock(g: Gatherer, query: Json) -> Json:
    """Every catalogue item (paged like the catalogue) with its stock across the district."""
    page = g.call("inventory", "list_items", query)
    warehouses, by_item = _stock_by_item(g)
    return {"items": [item_stock(item, by_item[item["item_id"]], warehouses) for item in page["items"]],
            "next": page["next"]}


def stock_of_item(g: Gatherer, item_id: str, query: Json) -> Json:
    """One item's stock in every warehouse, and where it is below its minimum."""
    item = g.call("inventory", "get_item", item_id)
    warehouses, by_item = _stock_by_item(g)
    return item_stock(item, by_item[item_id], warehouses)


def incident_view(g: Gatherer, incident_id: str, query: Json) -> Json:
    """An incident with its timeline, dispatched teams (with readiness) and materials
    (with warehouse names), and its relief clock."""
    incident = g.call("incidents", "get_incident", incident_id)
    teams = [entry for entry in incident.get("dispatched_teams") or [] if isinstance(entry, dict)]
    materials = [entry for entry in incident.get("dispatched_materials") or [] if isinstance(entry, dict)]
    gathered = g.sections({
        "dispatched_teams": lambda: [_team_line(g, entry) for entry in teams],
        "dispatched_materials": lambda: _material_lines(g, materials),
    })
    if gathered["dispatched_teams"] is None:
        gathered["dispatched_teams"] = [_bare_team(entry) for entry in teams]
    if gathered["dispatched_materials"] is None:
        gathered["dispatched_materials"] = [_bare_material(entry, {}) for entry in materials]
    return {**incident, **gathered, "relief_clock": relief_clock(incident, g.now())}


def picture(g: Gatherer, query: Json) -> Json:
    """Warehouses, teams and open incidents, placed by their coordinates where on record."""
    sections = g.sections({
        "warehouses": lambda: [_place("warehouse", doc["warehouse_id"], doc, None)
                               for doc in g.everything("inventory", "list_warehouses")],
        "teams": lambda: [_place("team", doc["team_id"], doc, doc["readiness"]["status"])
                          for doc in g.everything("teams", "list_teams")],
        "incidents": lambda: [_place("incident", doc["incident_id"], doc, doc["status"])
                              for doc in g.everything("incidents", "list_incidents")
                              if doc["status"] not in CLOSED],
    })
    places = [place for name in ("warehouses", "teams", "incidents") for place in sections.pop(name) or []]
    return {**sections, "places": places}


def incident_summary(g: Gatherer) -> Json:
    now = g.now()
    open_incidents = [doc for doc in g.everything("incidents", "list_incidents")
                      if doc["status"] not in CLOSED]
    lines = [_open_incident(doc, now) for doc in open_incidents]
    return {"open": len(lines), "by_level": dict(Counter(line["level"] or "unset" for line in lines)),
            "relief_overdue": [line for line in lines if line["relief_clock"]["overdue"]]}


def stock_summary(g: Gatherer) -> Json:
    warehouses, by_item = _stock_by_item(g)
    items = list(g.everything("inventory", "list_items"))
    levels = [level for item_levels in by_item.values() for level in item_levels]
    horizon = (g.now() + EXPIRY_HORIZON).date().isoformat()
    return {
        "warehouses": len(warehouses),
        "items": len(items),
        "out_of_stock": [item["item_id"] for item in items
                         if sum(level["quantity"] for level in by_item[item["item_id"]]) <= 0],
        "shortages": [{"warehouse_id": level["warehouse_id"], "item_id": level["item_id"],
                       "quantity": level["quantity"], "minimum": level.get("minimum")}
                      for level in levels if _below_minimum(level)],
        "expiring_lots": [{"warehouse_id": level["warehouse_id"], "item_id": level["item_id"],
                           "lot_id": lot.get("lot_id"), "quantity": lot.get("quantity"),
                           "expires_on": str(lot["expires_on"])}
                          for level in levels for lot in level.get("lots") or []
                          if isinstance(lot, dict) and lot.get("expires_on")
                          and str(lot["expires_on"])[:10] <= horizon],
    }


def readiness_summary(g: Gatherer) -> Json:
    now = g.now()
    board = list(g.everything("teams", "readiness_board"))
    return {"teams": len(board), "by_status": dict(Counter(line["status"] for line in board)),
            "stale": [{key: line[key] for key in ("team_id", "name", "name_zh", "status", "reported_at")}
                      for line in board if _stale(line, now)]}


def relief_clock(incident: Json, now: datetime) -> Json:
    """The incident's own clock when it keeps one; else 8 hours from when it happened."""
    if isinstance(incident.get("relief_clock"), dict):
        return incident["relief_clock"]  # type: ignore[no-any-return]
    started = datetime.fromisoformat(incident["reported_at"])
    deadline = started + RELIEF_TARGET
    met = incident.get("relief_provided_at")
    met_at = datetime.fromisoformat(met) if isinstance(met, str) else None
    return {"started_at": started.isoformat(), "deadline": deadline.isoformat(),
            "met_at": met_at.isoformat() if met_at else None,
            "overdue": met_at is None and now > deadline,
            "remaining_s": (deadline - (met_at or now)).total_seconds()}


def item_stock(item: Json, levels: Iterable[Json], warehouses: dict[str, Json]) -> Json:
    lines = [_warehouse_quantity(level, warehouses) for level in levels]
    return {key: item[key] for key in ("item_id", "name", "name_zh", "unit")} | {
        "total": sum(line["quantity"] for line in lines), "warehouses": lines,
        "below_minimum": [line for line in lines if _below_minimum(line)],
    }


def _stock_by_item(g: Gatherer) -> tuple[dict[str, Json], dict[str, list[Json]]]:
    warehouses = {doc["warehouse_id"]: doc for doc in g.everything("inventory", "list_warehouses")}
    by_item: dict[str, list[Json]] = defaultdict(list)
    for warehouse_id in warehouses:
        for level in g.everything("inventory", "get_stock", warehouse_id):
            by_item[level["item_id"]].append(level)
    return warehouses, by_item


def _warehouse_quantity(level: Json, warehouses: dict[str, Json]) -> Json:
    warehouse = warehouses.get(level["warehouse_id"], {})
    return {"warehouse_id": level["warehouse_id"], "name": warehouse.get("name"),
            "name_zh": warehouse.get("name_zh"), "quantity": level["quantity"],
            "minimum": level.get("minimum")}


def _below_minimum(level: Json) -> bool:
    minimum = level.get("minimum")
    return isinstance(minimum, int) and level["quantity"] < minimum


def _stale(line: Json, now: datetime) -> bool:
    if isinstance(line.get("stale"), bool):
        return bool(line["stale"])
    reported = line.get("reported_at")
    return reported is None or now - datetime.fromisoformat(reported) > STALE_AFTER


def _open_incident(doc: Json, now: datetime) -> Json:
    return {"incident_id": doc["incident_id"], "title": doc["title"], "township": doc["township"],
            "status": doc["status"], "level": doc.get("response_level") or doc.get("suggested_grade"),
            "relief_clock": relief_clock(doc, now)}


def _team_line(g: Gatherer, entry: Json) -> Json:
    try:
        line = g.call("teams", "get_readiness", entry["team_id"])
    except NotFound:
        return _bare_team(entry)
    return {"team_id": entry["team_id"], "name": line["name"], "name_zh": line["name_zh"],
            "readiness": line["status"]}


def _bare_team(entry: Json) -> Json:
    return {"team_id": entry["team_id"], "name": entry.get("name"), "name_zh": entry.get("name_zh"),
            "readiness": None}


def _material_lines(g: Gatherer, materials: list[Json]) -> list[Json]:
    if not materials:
        return []
    warehouses = {doc["warehouse_id"]: doc for doc in g.everything("inventory", "list_warehouses")}
    return [_bare_material(entry, warehouses.get(entry["warehouse_id"], {})) for entry in materials]


def _bare_material(entry: Json, warehouse: Json) -> Json:
    return {"warehouse_id": entry["warehouse_id"], "warehouse_name": warehouse.get("name"),
            "warehouse_name_zh": warehouse.get("name_zh"), "item_id": entry["item_id"],
            "quantity": entry.get("quantity")}


def _place(kind: str, place_id: str, doc: Json, status: Any) -> Json:
    nested = doc.get("coordinates")
    coordinates: Json = nested if isinstance(nested, dict) else doc
    return {"kind": kind, "id": place_id, "name": doc.get("name") or doc.get("title") or place_id,
            "name_zh": doc.get("name_zh"), "township": doc.get("township"),
            "latitude": coordinates.get("latitude"), "longitude": coordinates.get("longitude"),
            "status": status}
