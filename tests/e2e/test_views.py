"""The gateway's aggregated views over real services: the overview, the district picture, an
incident's teams and materials, and one item's stock across the district."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.launcher import Platform
from shared.timestamps import CHINA_STANDARD_TIME
from tests.api_client import Api
from tests.e2e.world import (
    expect,
    incident_body,
    item_body,
    team_body,
    township_body,
    unique,
    warehouse_body,
)
from tests.platform import issue_token


@pytest.fixture(scope="module")
def api(platform: Platform) -> Api:
    return Api(platform.url, issue_token(platform, "commander"))


def depot(api: Api, **fields: Any) -> str:
    warehouse = unique("depot")
    expect(api.post("/warehouses", {**warehouse_body(warehouse), **fields}))
    return warehouse


def item(api: Api) -> str:
    item_id = unique("water")
    expect(api.post("/items", item_body(item_id)))
    return item_id


def hours_ago(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def test_the_overview_names_shortages_expiring_lots_and_stale_teams_and_counts_who_is_available(
    api: Api,
) -> None:
    warehouse, water = depot(api), item(api)
    # lots expire on China's calendar days
    soon = (datetime.now(CHINA_STANDARD_TIME) + timedelta(days=12)).date().isoformat()
    receipt = {"kind": "receipt", "item_id": water, "quantity": 30, "lot": "W-0712", "expires_on": soon}
    expect(api.post(f"/warehouses/{warehouse}/movements", receipt))
    expect(api.request("PUT", f"/warehouses/{warehouse}/stock/{water}/minimum", json={"minimum": 100}), 200)
    silent, ready = unique("team"), unique("team")
    expect(api.post("/teams", {**team_body(silent), "occurred_at": hours_ago(30)}))
    expect(api.post("/teams", team_body(ready)))
    expect(api.post(f"/teams/{ready}/readiness", {"status": "ready", "people_available": 17}))

    overview = expect(api.get("/overview"), 200)
    assert overview["partial"] is False
    [short] = [line for line in overview["stock"]["shortages"] if line["item_id"] == water]
    assert (short["warehouse_name_zh"], short["item_name_zh"], short["available"], short["missing"]) == (
        "物资库", "救援绳", 30, 70)
    [lot] = [lot for lot in overview["stock"]["expiring_lots"] if lot["item_id"] == water]
    assert (lot["lot"], lot["quantity"], lot["days_left"], lot["expired"]) == ("W-0712", 30, 12, False)
    readiness = overview["readiness"]
    assert silent in {team["team_id"] for team in readiness["stale"]}
    assert ready not in {team["team_id"] for team in readiness["stale"]}
    flood = next(line for line in readiness["available"] if line["capability"] == "flood_water_rescue")
    assert flood["people_available"] >= 17
    assert readiness["teams"] >= 2 and readiness["by_status"]["ready"] >= 1


def test_the_picture_places_warehouses_teams_townships_and_incidents_and_says_how(api: Api) -> None:
    town = unique("town")
    expect(api.post("/townships", {**township_body(town), "name": "Pictured town",
                                   "location": {"lat": 31.61, "lon": 116.71}}))
    placed_depot = depot(api, latitude=31.81, longitude=116.41)
    seat_depot = depot(api, latitude=None, longitude=None, township="Pictured")
    reporting, at_home = unique("team"), unique("team")
    expect(api.post("/teams", team_body(reporting, town)))
    expect(api.post(f"/teams/{reporting}/readiness", {"status": "ready", "people_available": 12,
                                                      "coordinates": {"lat": 31.55, "lon": 116.66}}))
    expect(api.post("/teams", team_body(at_home, town)))
    incident = unique("flood")
    expect(api.post("/incidents", incident_body(incident, town)))

    places = {(place["kind"], place["id"]): place for place in expect(api.get("/picture"), 200)["places"]}

    def where(kind: str, place_id: str) -> tuple[float, float, str]:
        place = places[kind, place_id]
        return place["latitude"], place["longitude"], place["placed_by"]

    assert where("warehouse", placed_depot) == (31.81, 116.41, "registered")
    assert where("warehouse", seat_depot) == (31.61, 116.71, "township")
    assert where("team", reporting) == (31.55, 116.66, "reported")
    assert where("team", at_home) == (31.61, 116.71, "township")
    assert where("township", town) == (31.61, 116.71, "township")
    assert where("incident", incident) == (31.61, 116.71, "township")
    assert places["team", reporting]["stale"] is False and places["team", reporting]["status"] == "ready"


def test_an_incident_lists_the_teams_deployed_to_it_and_the_stock_reserved_for_it(api: Api) -> None:
    incident, team = unique("flood"), unique("team")
    expect(api.post("/incidents", incident_body(incident)))
    expect(api.post("/teams", team_body(team)))
    expect(api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 20}))
    expect(api.post(f"/teams/{team}/deployments", {"incident_id": incident, "people": 15}))
    warehouse, pumps = depot(api), item(api)
    receipt = {"kind": "receipt", "item_id": pumps, "quantity": 8}
    expect(api.post(f"/warehouses/{warehouse}/movements", receipt))
    expect(api.post(f"/warehouses/{warehouse}/reservations", {"item_id": pumps, "reservation_id": unique("r"),
                                                              "quantity": 6, "incident_id": incident}))

    view = expect(api.get(f"/incidents/{incident}"), 200)
    teams = view["dispatched_teams"]
    assert [(t["team_id"], t["readiness"], t["request_id"], t["status"], t["people"]) for t in teams] == [
        (team, "ready", None, "deployed", 15)]  # deployed by hand through the teams API, not by a request
    assert [(m["warehouse_id"], m["warehouse_name_zh"], m["item_id"], m["quantity"], m["status"])
            for m in view["dispatched_materials"]] == [(warehouse, "物资库", pumps, 6, "reserved")]


def test_one_items_stock_names_every_warehouse_and_where_it_is_short(api: Api) -> None:
    rope, plenty, short = item(api), depot(api), depot(api)
    for warehouse, quantity, minimum in ((plenty, 500, 100), (short, 20, 50)):
        expect(api.post(f"/warehouses/{warehouse}/movements", {"kind": "receipt", "item_id": rope,
                                                               "quantity": quantity}))
        expect(api.request("PUT", f"/warehouses/{warehouse}/stock/{rope}/minimum", json={"minimum": minimum}),
               200)
    total = expect(api.get(f"/items/{rope}/stock"), 200)
    assert (total["name_zh"], total["on_hand"]) == ("救援绳", 520)
    assert {warehouse: (share["name_zh"], share["below_minimum"])
            for warehouse, share in total["by_warehouse"].items()} == {plenty: ("物资库", False),
                                                                          short: ("物资库", True)}
