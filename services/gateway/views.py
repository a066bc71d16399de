"""Views the gateway answers itself, gathered from several services (see `gather.py`).

Each service is the authority on its own figures, read as it answers them and never
worked out again here: the teams service on readiness (a board line's `stale`, computed
at the moment it is asked, its current `deployment`, the per-capability `capacity`), the
inventory service on stock (`services.gateway.stock`). The district picture has a module
of its own (`services.gateway.picture`). The incident view still takes `response_level`,
`dispatched_teams`, `dispatched_materials` and `relief_provided_at` when the incident's
document carries them.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from shared.config import SERVICES
from shared.decider import parse
from shared.errors import NotFound

from . import stock
from .gather import Gatherer
from .schemas import FeedQuery, Json

#: The plan's target: affected people get basic relief within 8 hours.
RELIEF_TARGET = timedelta(hours=8)
CLOSED = frozenset({"closed"})
AVAILABLE = ("capability", "teams", "teams_available", "people_available", "machines_available")


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
        "stock": lambda: stock.stock_summary(g),
        "readiness": lambda: readiness_summary(g),
    })}


def incident_view(g: Gatherer, incident_id: str, query: Json) -> Json:
    """An incident with its timeline, the teams sent to it (with readiness), the materials
    dispatched or reserved for it (with warehouse names), and its relief clock."""
    incident = g.call("incidents", "get_incident", incident_id)
    named = [entry for entry in incident.get("dispatched_teams") or [] if isinstance(entry, dict)]
    materials = [entry for entry in incident.get("dispatched_materials") or [] if isinstance(entry, dict)]
    gathered = g.sections({
        "dispatched_teams": lambda: _dispatched_teams(g, incident_id, named),
        "dispatched_materials": lambda: _material_lines(g, incident_id, materials),
    })
    if gathered["dispatched_teams"] is None:
        gathered["dispatched_teams"] = [_bare_team(entry) for entry in named]
    if gathered["dispatched_materials"] is None:
        gathered["dispatched_materials"] = [_bare_material(entry, {}) for entry in materials]
    return {**incident, **gathered, "relief_clock": relief_clock(incident, g.now())}


def incident_summary(g: Gatherer) -> Json:
    now = g.now()
    open_incidents = [doc for doc in g.everything("incidents", "list_incidents")
                      if doc["status"] not in CLOSED]
    lines = [_open_incident(doc, now) for doc in open_incidents]
    return {"open": len(lines), "by_level": dict(Counter(line["level"] or "unset" for line in lines)),
            "relief_overdue": [line for line in lines if line["relief_clock"]["overdue"]]}


def readiness_summary(g: Gatherer) -> Json:
    """Teams by status, deployed and stale (the service's counts), the stale teams by name, and
    what is available now per capability."""
    capacity = g.call("teams", "capacity")
    stale = g.everything("teams", "readiness_board", filters={"stale": "true"})
    return {**{key: capacity["teams"][key] for key in ("teams", "by_status", "deployed")},
            "stale": [_stale_team(line) for line in stale],
            "available": [{key: line[key] for key in AVAILABLE} for line in capacity["capabilities"]
                          if line["teams"]]}


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


def _stale_team(line: Json) -> Json:
    return {"team_id": line["team_id"], "name": line["name"], "name_zh": line["name_zh"],
            "township": line["township"], "status": line["status"], "reported_at": line["reported_at"],
            "stale_since": line["stale_at"]}


def _open_incident(doc: Json, now: datetime) -> Json:
    return {"incident_id": doc["incident_id"], "title": doc["title"], "township": doc["township"],
            "status": doc["status"], "level": doc.get("response_level") or doc.get("suggested_grade"),
            "relief_clock": relief_clock(doc, now)}


def _dispatched_teams(g: Gatherer, incident_id: str, named: list[Json]) -> list[Json]:
    """Teams the board shows deployed to the incident, then any the incident names that are not."""
    board = {line["team_id"]: line for line in g.everything("teams", "readiness_board")}
    here = [line for line in board.values()
            if line["deployment"] is not None and line["deployment"]["incident_id"] == incident_id]
    listed = {line["team_id"] for line in here}
    others = [entry for entry in named if entry["team_id"] not in listed]
    return ([_team_line(line, incident_id) for line in here]
            + [_team_line(board[entry["team_id"]], incident_id) if entry["team_id"] in board
               else _bare_team(entry) for entry in others])


def _team_line(line: Json, incident_id: str) -> Json:
    deployment = line["deployment"]
    here = deployment is not None and deployment["incident_id"] == incident_id
    return {"team_id": line["team_id"], "name": line["name"], "name_zh": line["name_zh"],
            "readiness": line["status"], "stale": line["stale"],
            "deployment_status": deployment["status"] if here else None,
            "people": deployment["people"] if here else None}


def _bare_team(entry: Json) -> Json:
    return {"team_id": entry["team_id"], "name": entry.get("name"), "name_zh": entry.get("name_zh"),
            "readiness": None, "stale": None, "deployment_status": None, "people": None}


def _material_lines(g: Gatherer, incident_id: str, materials: list[Json]) -> list[Json]:
    """What the incident names as dispatched, then the stock reserved for it, by warehouse name."""
    reserved = list(g.everything("inventory", "incident_reservations", filters={"incident_id": incident_id}))
    if not materials and not reserved:
        return []
    warehouses = {doc["warehouse_id"]: doc for doc in g.everything("inventory", "list_warehouses")}
    return ([_bare_material(entry, warehouses.get(entry["warehouse_id"], {})) for entry in materials]
            + [_reserved_material(held, warehouses.get(held["warehouse_id"], {})) for held in reserved])


def _bare_material(entry: Json, warehouse: Json) -> Json:
    return {"warehouse_id": entry["warehouse_id"], "warehouse_name": warehouse.get("name"),
            "warehouse_name_zh": warehouse.get("name_zh"), "item_id": entry["item_id"],
            "quantity": entry.get("quantity"), "status": "dispatched", "reservation_id": None}


def _reserved_material(held: Json, warehouse: Json) -> Json:
    return {**_bare_material(held, warehouse), "status": "reserved", "reservation_id": held["reservation_id"]}
