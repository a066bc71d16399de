"""Fake inventory, teams and incidents services for the aggregated views: list RPCs paged two
at a time, read RPCs, and any service can be down."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.gateway.gather import Gatherer, ServiceUnavailable
from shared.errors import NotFound

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
Docs = list[dict[str, Any]]
WAREHOUSES: Docs = [
    {"warehouse_id": "depot-a", "name": "Depot A", "name_zh": "甲库", "status": "open"},
    {"warehouse_id": "depot-b", "name": "Depot B", "name_zh": "乙库", "status": "open"},
    {"warehouse_id": "depot-c", "name": "Depot C", "name_zh": "丙库", "status": "closed"},
]
ITEMS: Docs = [{"item_id": item, "name": item, "name_zh": f"{item}-zh", "unit": "piece"}
               for item in ("generators", "life-jackets", "sandbags")]


def figures(on_hand: int, reserved: int = 0) -> dict[str, int]:
    return {"on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved, "in_transit": 0}


TOTALS: Docs = [  # the service's district totals: only items that ever moved
    {"item_id": "life-jackets", **figures(2253),
     "by_warehouse": {"depot-b": figures(253), "depot-a": figures(2000)}},
    {"item_id": "sandbags", **figures(50, 10), "by_warehouse": {"depot-a": figures(50, 10)}},
]
SHORTAGES: Docs = [{"warehouse_id": "depot-a", "item_id": "sandbags", "minimum": 100, "available": 40,
                    "missing": 60}]
EXPIRING: Docs = [  # as the service answers `within_days=30` on NOW: expired first
    {"warehouse_id": "depot-a", "item_id": "sandbags", "lot": "L0", "quantity": 5,
     "expires_on": "2024-06-30", "days_left": -1, "expired": True},
    {"warehouse_id": "depot-a", "item_id": "sandbags", "lot": "L1", "quantity": 45,
     "expires_on": "2024-07-20", "days_left": 19, "expired": False},
]
RESERVATIONS: Docs = [
    {"reservation_id": "r-jackets", "warehouse_id": "depot-b", "item_id": "life-jackets", "quantity": 100,
     "incident_id": "flood-1", "note": None, "reserved_at": "2024-07-01T03:00:00+00:00"}]


def clock(state: str, overdue: bool = False) -> dict[str, Any]:
    """A relief clock as the incidents service answers it (it is the authority on it)."""
    return {"applies": state not in ("not_applicable", "void"), "state": state,
            "started_at": "2024-07-01T02:00:00+00:00", "deadline": "2024-07-01T10:00:00+00:00",
            "met_at": None, "met": None, "overdue": overdue, "remaining_s": -7200.0 if overdue else 3600.0}


def incident(incident_id: str, title: str, township: str, status: str, level: str | None,
             relief: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An incident as the incidents service lists it (the fields the views read)."""
    return {"incident_id": incident_id, "title": title, "township": township, "status": status,
            "response_level": level, "coordinates": None, "relief_clock": relief, "dispatched_teams": [],
            "dispatched_materials": [], "requests": [], "timeline": [], **extra}


def sent(team_id: str, request_id: str | None, deployment: int, status: str, people: int | None
         ) -> dict[str, Any]:
    return {"request_id": request_id, "at": "2024-07-01T03:00:00+00:00", "team_id": team_id, "people": people,
            "deployment": deployment, "status": status, "arrived_at": None, "ended_at": None}


INCIDENTS: Docs = [
    incident("flood-1", "Pi river seepage", "Dongqiao", "response_active", "III", clock("overdue", True),
             coordinates={"lat": 31.75, "lon": 116.72},
             dispatched_teams=[sent("longma", "r1", 3, "on_scene", 12),
                               sent("gone", "r1", 1, "stood_down", 5)],
             dispatched_materials=[{"request_id": "r1", "at": "2024-07-01T03:00:00+00:00",
                                    "warehouse_id": "depot-a", "item_id": "sandbags", "quantity": 20}],
             requests=[{"request_id": "r2", "sources": [{"ref": "r-jackets"}]}]),
    incident("crash-1", "G312 crash", "Sanshipu", "reported", None, clock("at_risk")),
    incident("false-alarm", "Rumoured breach", "Dongqiao", "dismissed", None, clock("void")),
    incident("old", "Closed one", "Mujiang", "closed", "IV", clock("met")),
]

def board_line(team_id: str, name: str, status: str, reported_at: str | None, *, stale: bool,
               township: str | None = None, deployment: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"team_id": team_id, "name": name, "name_zh": name, "township": township, "status": status,
            "reported_at": reported_at, "stale_at": "2024-07-02T08:00:00+00:00", "stale": stale,
            "deployment": deployment}


BOARD: Docs = [
    board_line("longma", "Longma", "ready", "2024-07-01T08:00:00+00:00", stale=False,
               deployment={"deployment": 3, "incident_id": "flood-1", "status": "on_scene", "people": 12,
                           "arrived_at": "2024-07-01T05:00:00+00:00"}),
    board_line("blue-sky", "Blue Sky", "ready", "2024-06-29T08:00:00+00:00", stale=True, township="mujiang"),
    board_line("militia", "Militia", "unknown", None, stale=True),
]
TEAMS: Docs = [
    {"team_id": "longma", "name": "Longma", "name_zh": "龙马", "township": "mujiang",
     "location": {"lat": 31.0, "lon": 116.0},
     "deployment": BOARD[0]["deployment"],
     "readiness": {"status": "ready", "coordinates": {"lat": 31.8, "lon": 116.4}}},
    {"team_id": "blue-sky", "name": "Blue Sky", "name_zh": "蓝天", "township": "mujiang",
     "location": None, "deployment": None, "readiness": {"status": "ready", "coordinates": None}},
    {"team_id": "militia", "name": "Militia", "name_zh": "民兵", "township": None,
     "location": {"lat": 31.6, "lon": 116.6}, "deployment": None,
     "readiness": {"status": "unknown", "coordinates": None}},
]
TOWNSHIPS: Docs = [
    {"township_id": "mujiang", "name": "Mujiang town", "name_zh": "木厂镇",
     "location": {"lat": 31.9, "lon": 116.3}},
    {"township_id": "dongqiao", "name": "Dongqiao town", "name_zh": "东桥镇",
     "location": {"lat": 31.7, "lon": 116.7}},
]
CAPACITY = {
    "as_of": "2024-07-01T12:00:00+00:00",
    "teams": {"teams": 3, "stale": 2, "deployed": 1, "by_status": {"ready": 2, "unknown": 1}},
    "capabilities": [
        {"capability": "flood_water_rescue", "teams": 2, "teams_available": 0, "people_available": 0,
         "machines_available": 0, "teams_deployed": 1, "teams_stale": 1},
        {"capability": "medical", "teams": 0, "teams_available": 0, "people_available": 0,
         "machines_available": 0, "teams_deployed": 0, "teams_stale": 0}],
}


class FakeServices:
    """The list and read RPCs the views use, paged two at a time; some services can be down."""

    def __init__(self, down: tuple[str, ...] = ()) -> None:
        self.down = down
        self.calls: list[tuple[Any, ...]] = []
        self.lists: dict[tuple[str, str], Docs] = {
            ("inventory", "list_warehouses"): WAREHOUSES, ("inventory", "list_items"): ITEMS,
            ("inventory", "district_stock"): TOTALS, ("inventory", "list_shortages"): SHORTAGES,
            ("inventory", "expiring_lots"): EXPIRING, ("inventory", "incident_reservations"): RESERVATIONS,
            ("incidents", "list_incidents"): INCIDENTS, ("teams", "readiness_board"): BOARD,
            ("teams", "list_teams"): TEAMS, ("teams", "list_townships"): TOWNSHIPS}

    def __call__(self, service: str, method: str, *args: Any) -> Any:
        self.calls.append((service, method, *args))
        if service in self.down:
            raise ServiceUnavailable(f"the {service} service is not running", service)
        if method == "get_readiness":
            return self._one(BOARD, "team_id", args[0])
        if method == "get_incident":
            return self._one(INCIDENTS, "incident_id", args[0])
        if method == "get_item":
            return self._one(ITEMS, "item_id", args[0])
        if method == "capacity":
            return CAPACITY
        docs = self.lists[service, method]
        query = args[-1] or {}
        if query.get("stale") == "true":
            docs = [doc for doc in docs if doc["stale"]]
        if "incident_id" in query:
            docs = [doc for doc in docs if doc["incident_id"] == query["incident_id"]]
        return self._page(docs, query)

    @staticmethod
    def _one(docs: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
        found = next((doc for doc in docs if doc[key] == value), None)
        if found is None:
            raise NotFound(f"no {value}", field=key)
        return found

    @staticmethod
    def _page(docs: list[dict[str, Any]], query: dict[str, Any] | None) -> dict[str, Any]:
        start = int((query or {}).get("after") or 0)
        limit = min(int((query or {}).get("limit") or 2), 2)
        more = start + limit < len(docs)
        return {"items": docs[start:start + limit], "next": str(start + limit) if more else None}


def gatherer(down: tuple[str, ...] = ()) -> Gatherer:
    return Gatherer(FakeServices(down), lambda: NOW)


