"""HTTP through the gateway, with every service running as its own process."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from services.launcher import Platform
from services.seed import load_seed, seed_file
from tests.api_client import Api
from tests.platform import issue_token


@pytest.fixture(scope="module")
def api(platform: Platform) -> Api:
    return Api(platform.url, issue_token(platform, "admin"))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_warehouse_with_item(api: Api) -> tuple[str, str]:
    warehouse, item = unique("depot"), unique("sandbags")
    assert api.post("/warehouses", {"warehouse_id": warehouse, "name": "Mayan depot",
                                    "name_zh": "马岗防汛物资库", "kind": "township",
                                    "area_m2": 60}).status_code == 201
    assert api.post("/items", {"item_id": item, "name": "woven sandbags", "name_zh": "编织袋",
                               "unit": "bag", "category_code": "3999999"}).status_code == 201
    return warehouse, item


def stock_of(api: Api, warehouse: str, item: str) -> int:
    levels = api.get(f"/warehouses/{warehouse}/stock").json()["items"]
    return next((level["on_hand"] for level in levels if level["item_id"] == item), 0)


def test_health_and_readiness(platform: Platform) -> None:
    assert requests.get(f"{platform.url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{platform.url}/readyz", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["services"] == {"inventory": "ok", "teams": "ok", "incidents": "ok"}


def test_a_stock_receipt_posted_to_the_gateway_shows_in_the_stock_read(api: Api) -> None:
    warehouse, item = new_warehouse_with_item(api)
    receipt = api.post(f"/warehouses/{warehouse}/movements",
                   {"kind": "receipt", "item_id": item, "quantity": 5000,
                    "occurred_at": "2024-06-30T22:00:00+08:00", "reference": "PO 2024-031"})
    assert receipt.status_code == 201, receipt.text
    assert stock_of(api, warehouse, item) == 5000
    [movement] = api.get(f"/warehouses/{warehouse}/movements").json()["items"]
    assert movement["occurred_at"] == "2024-06-30T14:00:00+00:00"
    assert (movement["quantity"], movement["balance"], movement["reference"]) == (5000, 5000, "PO 2024-031")


def test_a_write_retried_with_the_same_idempotency_key_counts_once(api: Api) -> None:
    warehouse, item = new_warehouse_with_item(api)
    body = {"kind": "receipt", "item_id": item, "quantity": 300}
    first = api.post(f"/warehouses/{warehouse}/movements", body, key=unique("key"))
    key = unique("key")
    second = api.post(f"/warehouses/{warehouse}/movements", body, key=key)
    retried = api.post(f"/warehouses/{warehouse}/movements", body, key=key)
    assert first.status_code == second.status_code == retried.status_code == 201
    assert retried.json()["events"] == second.json()["events"]
    assert stock_of(api, warehouse, item) == 600


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "receipt", "quantity": 5}, "item_id"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": -5}, "quantity"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": "lots"}, "quantity"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": 10**20}, "quantity"),
        ({"kind": "transfer", "item_id": "sandbags", "quantity": 5}, "kind"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": 5, "colour": "red"}, "colour"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": 5, "warehouse_id": "elsewhere"},
         "warehouse_id"),
        ({"kind": "receipt", "item_id": "sandbags", "quantity": 5,
          "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ],
)
def test_a_bad_movement_is_a_400_naming_the_field_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    warehouse, item = new_warehouse_with_item(api)
    body = {**body, "item_id": item} if body.get("item_id") == "sandbags" else body
    response = api.post(f"/warehouses/{warehouse}/movements", body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert response.json()["code"] == "invalid"
    assert api.get(f"/warehouses/{warehouse}/movements").json()["items"] == []


@pytest.mark.parametrize("body", ["{not json", "[" * 100_000, '{"area_m2": Infinity}', "\udcff"])
def test_a_body_that_is_not_a_sensible_json_object_is_a_400(api: Api, body: str) -> None:
    response = api.request("POST", "/warehouses", data=body.encode("utf-8", "surrogateescape"))
    assert response.status_code == 400, response.text
    assert response.json()["field"] in ("body", "warehouse_id")


def test_issuing_more_than_on_hand_is_a_409_that_says_what_is_there(api: Api, platform: Platform) -> None:
    warehouse, item = new_warehouse_with_item(api)
    api.post(f"/warehouses/{warehouse}/movements", {"kind": "receipt", "item_id": item, "quantity": 8})
    response = api.post(f"/warehouses/{warehouse}/movements",
                    {"kind": "issue", "item_id": item, "quantity": 9, "destination": "Chengbei"})
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert "only 8 available (8 on hand" in response.json()["message"]
    assert stock_of(api, warehouse, item) == 8
    log = platform.log_path("inventory").read_text()
    assert "record_movement answered insufficient_stock" in log
    assert "Traceback" not in log  # a client's mistake is one line, not a fault


@pytest.mark.parametrize("path", ["/warehouses/nowhere/stock", "/warehouses/nowhere",
                                  "/items/nothing", "/teams/nobody", "/incidents/never",
                                  "/no/such/resource"])
def test_an_unknown_id_is_a_404(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_a_405_in_json_that_says_what_is_allowed(api: Api) -> None:
    response = api.request("DELETE", "/items")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    unknown = api.post("/no/such/resource", {})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_a_team_reports_readiness_and_the_board_shows_it(api: Api) -> None:
    team = unique("township-flood-team")
    registered = api.post("/teams", {"team_id": team, "name": "Sunqiao flood team",
                                       "name_zh": "孙岗乡防汛应急队", "team_type": "township",
                                       "members": 57})
    assert registered.status_code == 201, registered.text
    too_many = api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 58})
    assert too_many.status_code == 400 and too_many.json()["field"] == "people_available"
    report = api.post(f"/teams/{team}/readiness", {"status": "partially_ready",
                                                    "people_available": 41})
    assert report.status_code == 201, report.text
    board = {entry["team_id"]: entry
             for entry in api.get("/readiness?limit=1000").json()["items"]}
    assert (board[team]["status"], board[team]["people_available"]) == ("partially_ready", 41)


def test_an_incident_is_reported_and_read_back(api: Api) -> None:
    incident = unique("flood")
    reported = api.post("/incidents", {
        "incident_id": incident, "title": "Pi river embankment seepage", "incident_type": "flood",
        "category": "natural_disaster", "township": "Dongqiao", "reported_by": "duty officer Wang",
        "affected_people": 320, "occurred_at": "2024-07-01T03:10:00+08:00",
    })
    assert reported.status_code == 201, reported.text
    read = api.get(f"/incidents/{incident}").json()
    assert (read["status"], read["affected_people"], read["township"]) == ("reported", 320, "Dongqiao")


def test_the_seed_loads_the_district_figures_once_however_often_it_runs(platform: Platform, api: Api) -> None:
    token = issue_token(platform, "admin", user="seed")
    first = load_seed(platform.url, token)
    second = load_seed(platform.url, token)
    assert first.problems == second.problems == []
    assert sum(second.new_by_kind.values()) == 0
    assert {kind: second.existing_by_kind[kind] for kind in ("townships", "teams", "duty posts")} == {
        "townships": 22, "teams": len(seed_file("teams")), "duty posts": 1}
    assert second.message().startswith("seed: new: nothing; already there: items ")
    assert stock_of(api, "jinan-flood-reserve", "woven-sandbags") == 290_000
    assert stock_of(api, "jinan-flood-reserve", "life-jackets") == 2_253
    seeded = {team["team_id"] for team in seed_file("teams")}
    listed = api.get("/teams?limit=1000").json()["items"]
    teams = [team for team in listed if team["team_id"] in seeded]
    assert len(teams) == len(seeded)
    assert sum(team["members"] or 0 for team in teams) == 18 + 1262 + 23 + 362 + 174 + 310


def test_the_dashboard_and_the_openapi_document_are_served_without_a_token(platform: Platform) -> None:
    page = requests.get(f"{platform.url}/", timeout=15)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert requests.get(f"{platform.url}/dashboard/app.js", timeout=15).status_code == 200
    missing = requests.get(f"{platform.url}/dashboard/settings.py", timeout=15)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    document = requests.get(f"{platform.url}/api/v1/openapi.json", timeout=15).json()
    assert document["openapi"].startswith("3.") and "/api/v1/items" in document["paths"]


def test_every_other_endpoint_needs_a_token(platform: Platform) -> None:
    response = requests.get(f"{platform.url}/api/v1/items", timeout=15)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
