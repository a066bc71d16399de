"""Inventory over HTTP through the gateway, with every service running as its own process."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from services.launcher import Platform
from services.seed import load_seed
from tests.platform import issue_token

#: Every call of this module is the command centre's (the token is set by the `api` fixture).
SESSION = requests.Session()


@pytest.fixture(scope="module")
def api(platform: Platform) -> str:
    SESSION.headers["Authorization"] = f"Bearer {issue_token(platform, 'commander')}"
    return f"{platform.url}/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def post(url: str, body: Any, key: str | None = None, method: str = "POST") -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return SESSION.request(method, url, json=body, headers=headers, timeout=30)


def get(url: str, **params: Any) -> Any:
    response = SESSION.get(url, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def warehouse(api: str, kind: str = "township") -> str:
    warehouse_id = unique("depot")
    response = post(f"{api}/warehouses", {"warehouse_id": warehouse_id, "name": "Township depot",
                                          "name_zh": "乡镇防汛物资库", "kind": kind, "area_m2": 60})
    assert response.status_code == 201, response.text
    return warehouse_id


def item(api: str, unit: str = "条") -> str:
    item_id = unique("sandbags")
    response = post(f"{api}/items", {"item_id": item_id, "name": "woven sandbags", "name_zh": "编织袋",
                                     "unit": unit, "category_code": "3999999"})
    assert response.status_code == 201, response.text
    return item_id


def line(api: str, warehouse_id: str, item_id: str) -> dict[str, Any]:
    result: dict[str, Any] = get(f"{api}/warehouses/{warehouse_id}/stock/{item_id}")
    return result


def test_a_transfer_end_to_end_in_transit_then_received_with_a_discrepancy_of_two(api: str) -> None:
    source, destination, sandbags = warehouse(api, "district"), warehouse(api), item(api)
    assert post(f"{api}/warehouses/{source}/movements",
                {"kind": "receipt", "item_id": sandbags, "quantity": 1000}).status_code == 201
    transfer = unique("transfer")
    dispatched = post(f"{api}/transfers", {"transfer_id": transfer, "warehouse_id": source,
                                           "to_warehouse_id": destination, "item_id": sandbags,
                                           "quantity": 300}, key=unique("key"))
    assert dispatched.status_code == 201, dispatched.text
    assert dispatched.json()["status"] == "in_transit"

    at_source, at_destination = line(api, source, sandbags), line(api, destination, sandbags)
    assert (at_source["on_hand"], at_source["available"], at_source["in_transit"]) == (700, 700, 300)
    assert (at_destination["available"], at_destination["incoming"]) == (0, 300)
    total = get(f"{api}/items/{sandbags}/stock")
    assert (total["on_hand"], total["available"], total["in_transit"]) == (700, 700, 300)
    assert get(f"{api}/transfers/{transfer}")["status"] == "in_transit"

    received = post(f"{api}/transfers/{transfer}/receipt",
                    {"warehouse_id": destination, "received": 298, "note": "2 bags torn"})
    assert received.status_code == 200, received.text
    assert (received.json()["received"], received.json()["discrepancy"]) == (298, -2)

    at_source, at_destination = line(api, source, sandbags), line(api, destination, sandbags)
    assert (at_source["on_hand"], at_source["in_transit"]) == (700, 0)
    assert (at_destination["on_hand"], at_destination["available"]) == (298, 298)
    assert at_destination["incoming"] == 0
    source_ledger = get(f"{api}/warehouses/{source}/movements", item_id=sandbags)["items"]
    destination_ledger = get(f"{api}/warehouses/{destination}/movements")["items"]
    assert [m["type"] for m in source_ledger] == ["StockReceived", "StockTransferredOut", "TransitClosed"]
    assert source_ledger[-1]["discrepancy"] == -2
    assert [(m["type"], m["quantity"]) for m in destination_ledger] == [("StockTransferredIn", 298)]
    total = get(f"{api}/items/{sandbags}/stock")
    assert (total["on_hand"], total["in_transit"]) == (998, 0)
    assert total["on_hand"] == sum(m["quantity"] for m in source_ledger + destination_ledger)
    assert total["by_warehouse"][source]["on_hand"] + total["by_warehouse"][destination]["on_hand"] == 998
    assert get(f"{api}/transfers/{transfer}")["discrepancy"] == -2
    again = post(f"{api}/transfers/{transfer}/receipt", {"warehouse_id": destination, "received": 298})
    assert (again.status_code, again.json()["code"]) == (409, "already_received")


def test_stock_as_of_last_week_on_both_clocks_after_a_late_paper_form(api: str) -> None:
    depot, sandbags = warehouse(api), item(api)
    now = datetime.now(UTC)
    last_week, yesterday = now - timedelta(days=7), now - timedelta(days=1)
    receipt = {"kind": "receipt", "item_id": sandbags, "quantity": 5000, "reference": "delivery note 0623",
               "occurred_at": last_week.isoformat()}
    assert post(f"{api}/warehouses/{depot}/movements", receipt).status_code == 201
    as_of = f"{api}/warehouses/{depot}/stock-as-of"

    def on_hand(moment: datetime, clock: str) -> int:
        lines = get(as_of, at=moment.isoformat(), clock=clock, item_id=sandbags)["items"]
        return sum(entry["on_hand"] for entry in lines)

    assert on_hand(yesterday, "occurred") == 5000  # as it happened: there since last week
    assert on_hand(yesterday, "recorded") == 0  # as we knew it yesterday: not typed in yet
    assert on_hand(last_week - timedelta(seconds=1), "occurred") == 0
    assert on_hand(datetime.now(UTC), "recorded") == 5000
    district = get(f"{api}/stock/as-of", at=yesterday.isoformat(), clock="occurred", item_id=sandbags)
    assert district["items"][0]["on_hand"] == 5000


@pytest.mark.parametrize(("params", "field"), [({}, "at"), ({"at": "yesterday"}, "at"),
                                               ({"at": "2024-07-01T00:00:00", "clock": "wall"}, "clock")])
def test_a_bad_as_of_query_is_a_400_naming_the_field(api: str, params: dict[str, str], field: str) -> None:
    response = SESSION.get(f"{api}/warehouses/{warehouse(api)}/stock-as-of", params=params, timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


def test_a_census_csv_is_imported_with_progress_and_exported_again(api: str) -> None:
    depot, sandbags = warehouse(api), item(api)
    body = "warehouse_id,item_id,quantity,lot,expires_on\n" + "".join(
        f"{depot},{sandbags},{n},L{n},2030-06-30\n" for n in range(1, 101))
    staged = SESSION.post(f"{api}/stock/imports", data=body.encode(), timeout=30,
                           headers={"Content-Type": "text/csv", "Idempotency-Key": unique("census")})
    assert staged.status_code == 202, staged.text
    import_id = staged.json()["import_id"]
    deadline = time.monotonic() + 60
    while (progress := get(f"{api}/stock/imports/{import_id}"))["status"] != "completed":
        assert time.monotonic() < deadline, progress
        time.sleep(0.2)
    assert progress["imported"] == 100
    assert line(api, depot, sandbags)["on_hand"] == 5050

    again = SESSION.post(f"{api}/stock/imports", data=body.encode(), timeout=30)
    assert again.status_code == 202 and again.json()["import_id"] == import_id
    assert line(api, depot, sandbags)["on_hand"] == 5050

    export = SESSION.get(f"{api}/stock/export", timeout=30)
    assert export.status_code == 200
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = [row for row in csv.DictReader(io.StringIO(export.text)) if row["warehouse_id"] == depot]
    assert [(row["item_id"], row["on_hand"], row["item_name_zh"]) for row in rows] == [
        (sandbags, "5050", "编织袋")]


def test_a_census_with_bad_rows_is_a_400_that_imports_nothing(api: str) -> None:
    depot, sandbags = warehouse(api), item(api)
    body = (f"warehouse_id,item_id,quantity\n{depot},{sandbags},10\n{depot},no-such-item,5\n"
            f"{depot},{sandbags},x\n")
    response = SESSION.post(f"{api}/stock/imports", data=body.encode(), timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()
    assert (error["code"], error["field"]) == ("import_rejected", "csv")
    assert "2 of 3 rows rejected, nothing was imported: line 3 item_id" in error["message"]
    assert line(api, depot, sandbags)["on_hand"] == 0
    not_utf8 = SESSION.post(f"{api}/stock/imports", data=b"\xff\xfe", timeout=30)
    assert (not_utf8.status_code, not_utf8.json()["field"]) == (400, "body")


def test_reservations_agreements_and_what_can_be_on_site(api: str) -> None:
    depot, pumps = warehouse(api), item(api, "台套")
    post(f"{api}/warehouses/{depot}/movements", {"kind": "receipt", "item_id": pumps, "quantity": 6})
    reserved = post(f"{api}/warehouses/{depot}/reservations",
                    {"item_id": pumps, "reservation_id": "flood-0701-pumps", "quantity": 4,
                     "incident_id": "flood-0701"})
    assert reserved.status_code == 201 and reserved.json()["available"] == 2
    short = post(f"{api}/warehouses/{depot}/reservations",
                 {"item_id": pumps, "reservation_id": "flood-0701-more", "quantity": 3})
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")
    agreement = unique("agreement")
    registered = post(f"{api}/agreements", {
        "agreement_id": agreement, "company": "Jin'an Construction Co.", "contract_reference": "JA-2024-03",
        "valid_from": "2024-01-01", "valid_until": "2099-12-31", "lead_time_hours": 6,
        "lines": [{"item_id": pumps, "quantity": 10}]})
    assert registered.status_code == 201, registered.text

    def on_site(hours: int) -> int:
        entries = get(f"{api}/stock/on-site", within_hours=hours, limit=1000)["items"]
        return int(next(entry["total"] for entry in entries if entry["item_id"] == pumps))

    assert (on_site(4), on_site(6)) == (2, 12)
    released = post(f"{api}/warehouses/{depot}/reservations/flood-0701-pumps/release", {"item_id": pumps})
    assert released.status_code == 200 and released.json()["available"] == 6


def test_minimum_levels_show_shortages(api: str) -> None:
    depot, sandbags = warehouse(api), item(api)
    post(f"{api}/warehouses/{depot}/movements", {"kind": "receipt", "item_id": sandbags, "quantity": 100})
    response = post(f"{api}/warehouses/{depot}/stock/{sandbags}/minimum", {"minimum": 500}, method="PUT")
    assert response.status_code == 200, response.text
    shortages = get(f"{api}/stock/shortages", limit=1000)["items"]
    assert {"warehouse_id": depot, "item_id": sandbags, "minimum": 500, "available": 100,
            "missing": 400} in shortages


def test_the_seed_says_what_was_new_and_what_was_already_there(platform: Platform, api: str) -> None:
    token = issue_token(platform, "admin", user="seed")
    load_seed(platform.url, token)
    again = load_seed(platform.url, token)
    assert again.problems == []
    assert again.new_by_kind.get("items", 0) == again.new_by_kind.get("opening balances", 0) == 0
    assert again.existing_by_kind["opening balances"] == 8
    assert "already there: " in again.message() and "agreements 1" in again.message()
    agreement = get(f"{api}/agreements/construction-flood-rescue-companies")
    assert agreement["people"] == 310
    minimum = line(api, "jinan-flood-reserve", "life-jackets")["minimum"]
    assert minimum == 2253


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/warehouses/{w}/movements", {"from": "last tuesday"}, "from"),
    ("/warehouses/{w}/movements", {"limit": "0"}, "limit"),
    ("/warehouses/{w}/movements", {"item_id": "No Such"}, "item_id"),
    ("/stock/expiring", {"within_days": "-1"}, "within_days"),
    ("/stock/on-site", {"within_hours": "soon"}, "within_hours"),
    ("/stock/reservations", {}, "incident_id"),
    ("/stock/export", {"colour": "red"}, "colour"),
    ("/stock/as-of", {"at": "9999-12-31T23:59:59-01:00"}, "at"),
    ("/warehouses/{w}/stock/{i}/issue-suggestion", {"quantity": "many"}, "quantity"),
    ("/warehouses/{w}/stock/{i}/stocktake", {"version": "latest"}, "version"),
])
def test_a_bad_inventory_query_is_a_400_naming_the_field(api: str, path: str, params: dict[str, str],
                                                         field: str) -> None:
    url = api + path.format(w=warehouse(api), i=item(api))
    response = SESSION.get(url, params=params, timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize(("body", "field"), [
    ({"transfer_id": "t-1", "to_warehouse_id": "elsewhere", "item_id": "x", "quantity": 1}, "warehouse_id"),
    ({"transfer_id": "T 1", "warehouse_id": "w1", "to_warehouse_id": "v1", "item_id": "x1", "quantity": 1},
     "transfer_id"),
    ({"transfer_id": "t-1", "warehouse_id": "w1", "to_warehouse_id": "v1", "item_id": "x1", "quantity": True},
     "quantity"),
])
def test_a_bad_transfer_is_a_400_naming_the_field(api: str, body: dict[str, Any], field: str) -> None:
    response = post(f"{api}/transfers", body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
