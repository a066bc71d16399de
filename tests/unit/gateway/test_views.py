"""The aggregated views, gathered from fake services: totals, clocks, staleness, partial answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.gateway import picture as views_picture
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

def board_line(team_id: str, name: str, status: str, reported_at: str | None, *, stale: bool,
               township: str | None = None, deployment: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"team_id": team_id, "name": name, "name_zh": name, "township": township, "status": status,
            "reported_at": reported_at, "stale_at": "2024-07-02T08:00:00+00:00", "stale": stale,
            "deployment": deployment}


BOARD: Docs = [
    board_line("longma", "Longma", "ready", "2024-07-01T08:00:00+00:00", stale=False,
               deployment={"incident_id": "flood-1", "status": "on_scene", "people": 12}),
    board_line("blue-sky", "Blue Sky", "ready", "2024-06-29T08:00:00+00:00", stale=True, township="mujiang"),
    board_line("militia", "Militia", "unknown", None, stale=True),
]
TEAMS: Docs = [
    {"team_id": "longma", "name": "Longma", "name_zh": "龙马", "township": None, "location": None,
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
        self.lists: dict[tuple[str, str], Docs] = {
            ("inventory", "list_warehouses"): WAREHOUSES, ("inventory", "list_items"): ITEMS,
            ("incidents", "list_incidents"): INCIDENTS, ("teams", "readiness_board"): BOARD,
            ("teams", "list_teams"): TEAMS, ("teams", "list_townships"): TOWNSHIPS}

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
        if method == "capacity":
            return CAPACITY
        docs = self.lists[service, method]
        if (args[-1] or {}).get("stale") == "true":
            docs = [doc for doc in docs if doc["stale"]]
        return self._page(docs, args[-1])

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
    readiness = overview["readiness"]
    assert (readiness["teams"], readiness["by_status"], readiness["deployed"]) == (
        3, {"ready": 2, "unknown": 1}, 1)
    assert [team["team_id"] for team in readiness["stale"]] == ["blue-sky", "militia"]
    assert readiness["stale"][0]["stale_since"] == "2024-07-02T08:00:00+00:00"
    assert [line["capability"] for line in readiness["available"]] == ["flood_water_rescue"]


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


def test_an_incident_view_names_the_teams_deployed_to_it_and_its_warehouses() -> None:
    view = views.incident_view(gatherer(), "flood-1", {})
    assert view["dispatched_teams"] == [
        {"team_id": "longma", "name": "Longma", "name_zh": "Longma", "readiness": "ready", "stale": False,
         "deployment_status": "on_scene", "people": 12},
        {"team_id": "gone", "name": None, "name_zh": None, "readiness": None, "stale": None,
         "deployment_status": None, "people": None}]
    assert view["dispatched_materials"] == [{"warehouse_id": "depot-a", "warehouse_name": "Depot A",
                                             "warehouse_name_zh": "甲库", "item_id": "sandbags",
                                             "quantity": 20}]
    assert view["relief_clock"]["overdue"] is True and view["partial"] is False


def test_a_team_the_board_shows_deployed_to_an_incident_is_listed_though_the_incident_names_none() -> None:
    view = views.incident_view(gatherer(), "crash-1", {})
    assert view["dispatched_teams"] == []
    services = FakeServices()
    services.lists["teams", "readiness_board"] = [
        {**BOARD[1], "deployment": {"incident_id": "crash-1", "status": "deployed", "people": 4}}]
    view = views.incident_view(Gatherer(services, lambda: NOW), "crash-1", {})
    teams = [(team["team_id"], team["deployment_status"], team["stale"]) for team in view["dispatched_teams"]]
    assert teams == [("blue-sky", "deployed", True)]


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
    picture = views_picture.picture(Gatherer(services, lambda: NOW), {})
    places = {(place["kind"], place["id"]): place for place in picture["places"]}
    assert (places["warehouse", "depot-a"]["latitude"], places["warehouse", "depot-b"]["latitude"]) == (
        31.75, None)
    assert ("incident", "old") not in places and ("incident", "flood-1") in places
    assert places["team", "militia"]["status"] == "unknown"


def test_teams_are_placed_where_they_reported_else_where_registered_else_at_their_township_seat() -> None:
    places = {(place["kind"], place["id"]): place
              for place in views_picture.picture(gatherer(), {})["places"]}
    where = {team: (places["team", team]["latitude"], places["team", team]["placed_by"])
             for team in ("longma", "militia", "blue-sky")}
    assert where == {"longma": (31.8, "reported"), "militia": (31.6, "registered"),
                     "blue-sky": (31.9, "township")}
    assert (places["team", "blue-sky"]["stale"], places["team", "longma"]["incident_id"]) == (True, "flood-1")


def test_townships_are_on_the_picture_and_place_incidents_that_name_them() -> None:
    places = {(place["kind"], place["id"]): place
              for place in views_picture.picture(gatherer(), {})["places"]}
    assert (places["township", "dongqiao"]["longitude"], places["township", "mujiang"]["name_zh"]) == (
        116.7, "木厂镇")
    flood = places["incident", "flood-1"]  # its township is "Dongqiao": the seat of Dongqiao town
    assert (flood["latitude"], flood["longitude"], flood["placed_by"]) == (31.7, 116.7, "township")
    assert places["incident", "crash-1"]["latitude"] is None  # Sanshipu is not on record here


def test_the_picture_with_teams_down_still_shows_warehouses_and_incidents_unplaced() -> None:
    picture = views_picture.picture(gatherer(down=("teams",)), {})
    assert (picture["partial"], picture["unavailable"]) == (True, ["teams"])
    assert {place["kind"] for place in picture["places"]} == {"warehouse", "incident"}


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
