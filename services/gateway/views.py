"""Views the gateway answers itself, gathered from several services (see `gather.py`).

Each service is the authority on its own figures, read as it answers them and never
worked out again here: the teams service on readiness (a board line's `stale`, computed
at the moment it is asked, its current `deployment`, the per-capability `capacity`), the
inventory service on stock (`services.gateway.stock`), the incidents service on incidents
(status, response level, what was dispatched, the relief clock as of the read). The
district picture has a module of its own (`services.gateway.picture`).
"""

from __future__ import annotations

from collections import Counter

from shared.config import SERVICES
from shared.decider import parse
from shared.errors import NotFound

from . import stock
from .gather import Gatherer
from .schemas import FeedQuery, Json

#: Incidents that are over: a closed one, and a false report.
ENDED = frozenset({"closed", "dismissed"})
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
    """The incidents service's full view of an incident, with the teams sent to it named (and
    their readiness now) and the materials dispatched or reserved for it by warehouse name."""
    incident = g.call("incidents", "get_incident", incident_id)
    gathered = g.sections({
        "dispatched_teams": lambda: _dispatched_teams(g, incident),
        "dispatched_materials": lambda: _material_lines(g, incident),
    })
    if gathered["dispatched_teams"] is None:
        gathered["dispatched_teams"] = [_sent_team(entry, None) for entry in incident["dispatched_teams"]]
    if gathered["dispatched_materials"] is None:
        gathered["dispatched_materials"] = [_issued(entry, {}) for entry in incident["dispatched_materials"]]
    return {**incident, **gathered}


def incident_summary(g: Gatherer) -> Json:
    """Open incidents by response level, and those whose relief is at risk or overdue."""
    lines = [_open_incident(doc) for doc in g.everything("incidents", "list_incidents")
             if doc["status"] not in ENDED]
    return {"open": len(lines), "by_level": dict(Counter(line["level"] or "none" for line in lines)),
            "relief_at_risk": [line for line in lines if line["relief_clock"]["state"] == "at_risk"],
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


def _stale_team(line: Json) -> Json:
    return {"team_id": line["team_id"], "name": line["name"], "name_zh": line["name_zh"],
            "township": line["township"], "status": line["status"], "reported_at": line["reported_at"],
            "stale_since": line["stale_at"]}


def _open_incident(doc: Json) -> Json:
    return {"incident_id": doc["incident_id"], "title": doc["title"], "township": doc["township"],
            "status": doc["status"], "level": doc["response_level"], "relief_clock": doc["relief_clock"]}


def _dispatched_teams(g: Gatherer, incident: Json) -> list[Json]:
    """The teams the incident sent, then any the board shows deployed to it by hand."""
    board = {line["team_id"]: line for line in g.everything("teams", "readiness_board")}
    sent = incident["dispatched_teams"]
    ours = {(entry["team_id"], entry["deployment"]) for entry in sent}
    by_hand = [line for line in board.values() if (deployment := line["deployment"]) is not None
               and deployment["incident_id"] == incident["incident_id"]
               and (line["team_id"], deployment["deployment"]) not in ours]
    return [_sent_team(entry, board.get(entry["team_id"])) for entry in sent] + [
        _hand_team(line) for line in by_hand]


def _named(team_id: str, line: Json | None) -> Json:
    return {"team_id": team_id, "name": line["name"] if line else None,
            "name_zh": line["name_zh"] if line else None, "readiness": line["status"] if line else None,
            "stale": line["stale"] if line else None}


def _sent_team(entry: Json, line: Json | None) -> Json:
    return {**_named(entry["team_id"], line), **{key: entry[key] for key in (
        "request_id", "deployment", "people", "status", "arrived_at", "ended_at")}}


def _hand_team(line: Json) -> Json:
    deployment = line["deployment"]
    return {**_named(line["team_id"], line), "request_id": None, "deployment": deployment["deployment"],
            "people": deployment["people"], "status": deployment["status"],
            "arrived_at": deployment["arrived_at"], "ended_at": None}


def _material_lines(g: Gatherer, incident: Json) -> list[Json]:
    """What the incident records as issued, then the stock reserved for it, by warehouse name."""
    issued = incident["dispatched_materials"]
    reserved = list(g.everything("inventory", "incident_reservations",
                                 filters={"incident_id": incident["incident_id"]}))
    if not issued and not reserved:
        return []
    warehouses = {doc["warehouse_id"]: doc for doc in g.everything("inventory", "list_warehouses")}
    requests = {source["ref"]: request["request_id"] for request in incident["requests"]
                for source in request["sources"]}
    return ([_issued(entry, warehouses.get(entry["warehouse_id"], {})) for entry in issued]
            + [_reserved(held, warehouses.get(held["warehouse_id"], {}), requests.get(held["reservation_id"]))
               for held in reserved])


def _where(entry: Json, warehouse: Json) -> Json:
    return {"warehouse_id": entry["warehouse_id"], "warehouse_name": warehouse.get("name"),
            "warehouse_name_zh": warehouse.get("name_zh"), "item_id": entry["item_id"],
            "quantity": entry["quantity"]}


def _issued(entry: Json, warehouse: Json) -> Json:
    return {**_where(entry, warehouse), "status": "dispatched", "reservation_id": None,
            "request_id": entry["request_id"]}


def _reserved(held: Json, warehouse: Json, request_id: str | None) -> Json:
    return {**_where(held, warehouse), "status": "reserved", "reservation_id": held["reservation_id"],
            "request_id": request_id}
