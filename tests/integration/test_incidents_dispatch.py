"""The dispatch against the real inventory service over RabbitMQ: nearest stock first, a shortage
partly fulfilled and saying what is missing, agreement reserves called off and closed on a cancel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.launcher import Platform
from tests.incidents_support import issued, live_flood, stocked_items, unique, wait_for, wait_for_request

ZHANGXI = {"lat": 31.70, "lon": 116.50}


@pytest.fixture
def rpc(platform: Platform, session_amqp_uri: str) -> Iterator[Any]:
    with ClusterRpcProxy({"AMQP_URI": session_amqp_uri}, timeout=15) as proxy:
        yield proxy


def request(rpc: Any, incident: str, materials: list[dict[str, Any]]) -> dict[str, Any]:
    rpc.incidents.raise_request({"incident_id": incident, "request_id": "r1", "coordinates": ZHANGXI,
                                 "destination": "Zhangxi village", "materials": materials})
    rpc.incidents.approve_request({"incident_id": incident, "request_id": "r1"}, {"actor": "director-wang"})
    return wait_for_request(rpc, incident, "r1")


def test_stock_comes_from_the_nearest_warehouse_first(rpc: Any) -> None:
    incident, near, far = unique("flood"), unique("near"), unique("far")
    [item] = stocked_items(rpc, far, 1, 100)
    rpc.inventory.register_warehouse({"warehouse_id": near, "name": near, "name_zh": "近库",
                                      "kind": "township", "latitude": 31.705, "longitude": 116.505})
    rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": near, "item_id": item, "quantity": 30})
    live_flood(rpc, incident)
    assert request(rpc, incident, [{"item_id": item, "quantity": 50}])["status"] == "fulfilled"
    assert (issued(rpc, near, item), issued(rpc, far, item)) == ([30], [20])


def test_a_request_for_more_than_the_district_holds_is_partly_fulfilled_and_says_what_is_missing(
    rpc: Any,
) -> None:
    incident, depot = unique("flood"), unique("depot")
    [item] = stocked_items(rpc, depot, 1, 10)
    live_flood(rpc, incident)
    done = request(rpc, incident, [{"item_id": item, "quantity": 25}])
    assert (done["status"], done["outcome"]) == ("partly_fulfilled", "partly_fulfilled")
    [line] = done["materials"]
    assert (line["issued"], line["missing"]) == (10, 15)
    assert done["shortfalls"][0]["reason"].startswith(
        f"15 {item} missing: the district's warehouses have 10 available")
    assert rpc.inventory.get_item_stock(item)["on_hand"] == 0
    assert rpc.incidents.verify()["ok"] and rpc.inventory.verify()["ok"]


def test_agreement_reserves_cover_what_no_warehouse_has_and_a_cancel_closes_the_call_off(rpc: Any) -> None:
    incident, depot, agreement = unique("flood"), unique("depot"), unique("agreement")
    [item] = stocked_items(rpc, depot, 1, 4)
    rpc.inventory.register_agreement({
        "agreement_id": agreement, "company": "Test construction company", "contract_reference": unique("c"),
        "valid_from": "2024-01-01", "valid_until": "2099-12-31", "lead_time_hours": 4, "people": 40,
        "lines": [{"item_id": item, "quantity": 20}]})
    live_flood(rpc, incident)
    done = request(rpc, incident, [{"item_id": item, "quantity": 10}])
    assert done["status"] == "fulfilled"
    assert ([line["issued"] for line in done["materials"]], [c["quantity"] for c in done["call_offs"]]) == (
        [4], [6])
    [call_off] = rpc.inventory.list_call_offs(agreement)["items"]
    assert (call_off["status"], call_off["requested"], call_off["incident_id"]) == ("requested", {item: 6},
                                                                                   incident)
    rpc.incidents.cancel_request({"incident_id": incident, "request_id": "r1", "reason": "water receding"})
    wait_for(lambda: rpc.inventory.list_call_offs(agreement)["items"][0]["status"] == "closed", 30,
             "the call-off closed")
