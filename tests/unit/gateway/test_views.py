"""The aggregated views, gathered from fake services: totals, clocks, staleness, partial answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.gateway import views
from services.gateway.gather import Gatherer, ServiceUnavailable
from shared.errors import InvalidCommand, NotFound

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
Docs = list[dict[str, Any]]
WAREHOUSES: Docs = [{"warehouse_id": "depot-a", "name": "Depot A", "name_zh": "甲库"},
              {"warehouse_id": "depot-b", "name": "Depot B", "name_zh": "乙库"}]
ITEMS: Docs = [{"item_id": item, "name": item, "name_zh": item, "unit": "piece"}
         for item in ("generators", "life-jackets", "sandbags")]
STOCK: dict[str, Docs] = {
    "depot-a": [{"warehouse_id": "depot-a", "item_id": "life-jackets", "quantity": 2000},
                {"warehouse_id": "depot-a", "item_id": "sandbags", "quantity": 50, "minimum": 100,
                 "lots": [{"lot_id": "L1", "quantity": 50, "expires_on": "2024-08-01"},
                          {"lot_id": "L2", "quantity": 5, "expires_on": "2026-01-01"}]}],
    "depot-b": [{"warehouse_id": "depot-b", "item_id": "life-jackets", "quantity": 253, "minimum": 200}],
}
INCIDENTS: Docs = [
    {"incident_id": "flood-1", "title": "Pi river seepage", "township": "Dongqiao", "status": "reported",
     "suggested_grade": None, "reported_at": "2024-07-01T02:00:00+00:00", "timeline": [],
     "dispatched_teams": [{"team_id": "longma"}, {"team_id": "gone"}],
     "dispatched_materials": [{"warehouse_id": "depot-a", "item_id": "sandbags", "quantity": 20}]},
    {"incident_id": "crash-1", "title": "G312 crash", "township": "Sanshipu", "status": "reported",
     "suggested_grade": "II", "reported_at": "2024-07-01T06:00:00+00:00", "timeline": []},
    {"incident_id": "old", "title": "Closed one", "township": "Mujiang", "status": "closed",
     "reported_at": "2024-06-01T00:00:00+00:00", "timeline": []},
]
BOARD: Docs = [
    {"team_id": "longma", "name": "Longma", "name_zh": "龙马", "status": "ready",
     "reported_at": "2024-07-01T08:00:00+00:00"},
    {"team_id": "blue-sky", "name": "Blue Sky", "name_zh": "蓝天", "status": "ready",
     "reported_at": "2024-06-29T08:00:00+00:00"},
    {"team_id": "militia", "name": "Militia", "name_zh": "民兵", "status": "unknown", "reported_at": None},
]


class FakeServices:
    """The list and read RPCs the views use, paged two at a time; some services can be down."""

    def __init__(self, down: tuple[str, ...] = ()) -> None:
        self.down = down
        self.lists: dict[tuple[str, str], Docs] = {
            ("inventory", "list_warehouses"): WAREHOUSES, ("inventory", "list_items"): ITEMS,
            ("incidents", "list_incidents"): INCIDENTS, ("teams", "readiness_board"): BOARD,
            ("teams", "list_teams"): [{**line, "readiness": {"status": line["status"]}} for line in BOARD]}

    def __call__(self, service: str, method: str, *args: Any) -> Any:
        if service in self.down:
            raise ServiceUnavailable(f"the {service} service is not running", service)
        if method == "get_stock":
            return self._page(STOCK.get(args[0], []), args[1])
        if method == "get_readiness":
            return self._one(BOARD, "team_id", args[0])
        if method == "get_incident":
            return self._one(INCIDENTS, "incident_id", args[0])
        if method == "get_item":
            return self._one(ITEMS, "item_id", args[0])
        return self._page(self.lists[service, method], args[-1])

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


def test_the_overview_counts_open_incidents_overdue_relief_shortages_and_stale_teams() -> None:
    overview = views.overview(gatherer(), {})
    assert (overview["partial"], overview["unavailable"]) == (False, [])
    assert overview["incidents"]["open"] == 2
    assert overview["incidents"]["by_level"] == {"unset": 1, "II": 1}
    assert [line["incident_id"] for line in overview["incidents"]["relief_overdue"]] == ["flood-1"]
    stock = overview["stock"]
    assert (stock["warehouses"], stock["items"], stock["out_of_stock"]) == (2, 3, ["generators"])
    assert stock["shortages"] == [{"warehouse_id": "depot-a", "item_id": "sandbags", "quantity": 50,
                                   "minimum": 100}]
    assert [lot["lot_id"] for lot in stock["expiring_lots"]] == ["L1"]
    assert overview["readiness"]["by_status"] == {"ready": 2, "unknown": 1}
    assert [team["team_id"] for team in overview["readiness"]["stale"]] == ["blue-sky", "militia"]


def test_the_overview_of_a_district_with_a_service_down_is_partial_and_says_which() -> None:
    overview = views.overview(gatherer(down=("teams",)), {})
    assert (overview["partial"], overview["unavailable"]) == (True, ["teams"])
    assert overview["readiness"] is None
    assert overview["incidents"]["open"] == 2 and overview["stock"]["items"] == 3


def test_the_relief_clock_runs_eight_hours_from_when_the_incident_happened() -> None:
    clock = views.relief_clock({"reported_at": "2024-07-01T06:00:00+00:00"}, NOW)
    assert clock["deadline"] == "2024-07-01T14:00:00+00:00"
    assert (clock["overdue"], clock["remaining_s"], clock["met_at"]) == (False, 7200.0, None)
    met = views.relief_clock({"reported_at": "2024-07-01T02:00:00+00:00",
                              "relief_provided_at": "2024-07-01T09:00:00+00:00"}, NOW)
    assert (met["overdue"], met["remaining_s"]) == (False, 3600.0)
    own = {"started_at": "x"}
    assert views.relief_clock({"reported_at": "2024-07-01T02:00:00+00:00", "relief_clock": own}, NOW) is own


def test_an_incident_view_names_its_teams_readiness_and_its_warehouses() -> None:
    view = views.incident_view(gatherer(), "flood-1", {})
    assert view["dispatched_teams"] == [
        {"team_id": "longma", "name": "Longma", "name_zh": "龙马", "readiness": "ready"},
        {"team_id": "gone", "name": None, "name_zh": None, "readiness": None}]
    assert view["dispatched_materials"] == [{"warehouse_id": "depot-a", "warehouse_name": "Depot A",
                                             "warehouse_name_zh": "甲库", "item_id": "sandbags",
                                             "quantity": 20}]
    assert view["relief_clock"]["overdue"] is True and view["partial"] is False


def test_an_incident_view_with_teams_down_keeps_the_teams_without_readiness() -> None:
    view = views.incident_view(gatherer(down=("teams",)), "flood-1", {})
    assert (view["partial"], view["unavailable"]) == (True, ["teams"])
    assert [team["readiness"] for team in view["dispatched_teams"]] == [None, None]


def test_an_incident_view_needs_the_incident() -> None:
    with pytest.raises(NotFound):
        views.incident_view(gatherer(), "no-such", {})
    with pytest.raises(ServiceUnavailable):
        views.incident_view(gatherer(down=("incidents",)), "flood-1", {})


def test_district_stock_pages_over_the_catalogue_with_totals_across_warehouses() -> None:
    first = views.district_stock(gatherer(), {"limit": 2})
    assert [line["item_id"] for line in first["items"]] == ["generators", "life-jackets"]
    assert [line["total"] for line in first["items"]] == [0, 2253]
    rest = views.district_stock(gatherer(), {"limit": 2, "after": first["next"]})
    assert [line["item_id"] for line in rest["items"]] == ["sandbags"] and rest["next"] is None


def test_one_items_stock_lists_every_warehouse_and_where_it_is_below_minimum() -> None:
    sandbags = views.stock_of_item(gatherer(), "sandbags", {})
    assert sandbags["total"] == 50
    assert [line["warehouse_id"] for line in sandbags["below_minimum"]] == ["depot-a"]
    jackets = views.stock_of_item(gatherer(), "life-jackets", {})
    assert [line["name_zh"] for line in jackets["warehouses"]] == ["甲库", "乙库"]
    assert jackets["below_minimum"] == []


def test_the_picture_places_what_has_coordinates_and_lists_the_rest() -> None:
    services = FakeServices()
    services.lists["inventory", "list_warehouses"] = [
        {**WAREHOUSES[0], "latitude": 31.75, "longitude": 116.5}, WAREHOUSES[1]]
    picture = views.picture(Gatherer(services, lambda: NOW), {})
    places = {(place["kind"], place["id"]): place for place in picture["places"]}
    assert (places["warehouse", "depot-a"]["latitude"], places["warehouse", "depot-b"]["latitude"]) == (
        31.75, None)
    assert ("incident", "old") not in places and ("incident", "flood-1") in places
    assert places["team", "militia"]["status"] == "unknown"


def test_a_feed_is_read_only_from_a_known_service_with_a_valid_position() -> None:
    calls: list[tuple[Any, ...]] = []

    def feed_rpc(service: str, method: str, *args: Any) -> dict[str, Any]:
        calls.append((service, method, *args))
        return {"items": [], "next": 5}

    g = Gatherer(feed_rpc, lambda: NOW)
    assert views.feed(g, "inventory", {"after": "5", "limit": "10"}) == {"items": [], "next": 5}
    assert calls == [("inventory", "feed", 5, 10)]
    with pytest.raises(NotFound):
        views.feed(g, "gateway", {})
    for query, field in (({"after": "-1"}, "after"), ({"limit": "0"}, "limit"), ({"from": "1"}, "from")):
        with pytest.raises(InvalidCommand) as refused:
            views.feed(g, "teams", query)
        assert refused.value.field == field
