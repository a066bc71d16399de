"""The dispatch through faults: the incidents process killed mid-dispatch, RabbitMQ stopped for
20 seconds mid-dispatch. Each time the dispatch completes afterwards, stock is issued exactly
once, and every service's read models verify."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from shared.store.sqlite import SQLiteEventStore
from tests.incidents_support import (
    issued,
    kill,
    live_flood,
    restart,
    stocked_items,
    unique,
    wait_for,
    wait_for_request,
)
from tests.platform import running_platform
from tests.private_rabbit import PrivateRabbit

pytestmark = pytest.mark.rabbit
LINES, QUANTITY, STOCK = 30, 7, 1000
#: Enough lines that the dispatch is still under way once stopping the broker (≈ 5 s) has finished.
OUTAGE_LINES = 100


def recorded(data_dir: Path, incident: str) -> list[str]:
    """The request's events as the incidents store holds them (read from its file)."""
    stream = SQLiteEventStore(data_dir / "incidents-events.db").read_stream(f"request:{incident}:r1")
    return [event.type for event in stream]


def start_dispatch(rpc: Any, incident: str, items: list[str]) -> None:
    live_flood(rpc, incident)
    rpc.incidents.raise_request({"incident_id": incident, "request_id": "r1", "destination": "Zhangxi",
                                 "materials": [{"item_id": item, "quantity": QUANTITY} for item in items]})
    rpc.incidents.approve_request({"incident_id": incident, "request_id": "r1"})


def in_the_middle(rpc: Any, incident: str) -> bool:
    """Some steps done, not all: stock reserved and the dispatch not finished."""
    request = rpc.incidents.get_request(incident, "r1")
    reserved = sum(line["reserved"] for line in request["materials"])
    return bool(request["status"] == "dispatching" and reserved > 0)


def assert_issued_exactly_once(rpc: Any, warehouse: str, items: list[str]) -> None:
    for item in items:
        assert issued(rpc, warehouse, item) == [QUANTITY], item
        assert rpc.inventory.get_item_stock(item)["on_hand"] == STOCK - QUANTITY


def assert_every_service_verifies(rpc: Any) -> None:
    for service in ("inventory", "teams", "incidents"):
        report = getattr(rpc, service).verify()
        assert report["ok"], (service, report)


def test_the_incidents_process_killed_mid_dispatch_finishes_it_after_a_restart_issuing_once(
    amqp_uri: str, tmp_path: Path
) -> None:
    incident, warehouse = unique("flood"), unique("depot")
    with running_platform(amqp_uri, tmp_path) as platform, \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        items = stocked_items(rpc, warehouse, LINES, STOCK)
        start_dispatch(rpc, incident, items)
        wait_for(lambda: in_the_middle(rpc, incident), 60, "the dispatch to be under way")
        kill(platform, "incidents")
        so_far = recorded(tmp_path, incident)
        assert "MaterialsReserved" in so_far and "DispatchCompleted" not in so_far, so_far
        restart(platform, "incidents")
        request = wait_for_request(rpc, incident, "r1", timeout_s=120)
        assert request["status"] == "fulfilled", request
        assert_issued_exactly_once(rpc, warehouse, items)
        assert_every_service_verifies(rpc)
        log = platform.log_path("incidents").read_text(errors="replace")
        assert log.count("starting services: incidents") == 2


def test_rabbitmq_stopped_for_20_seconds_mid_dispatch_delays_it_and_nothing_is_issued_twice(
    rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    incident, warehouse = unique("flood"), unique("depot")
    with running_platform(rabbit.amqp_uri, tmp_path):
        with ClusterRpcProxy({"AMQP_URI": rabbit.amqp_uri}, timeout=30) as rpc:
            items = stocked_items(rpc, warehouse, OUTAGE_LINES, STOCK)
            start_dispatch(rpc, incident, items)
            wait_for(lambda: in_the_middle(rpc, incident), 60, "the dispatch to be under way")
        rabbit.stop_app()
        so_far = recorded(tmp_path, incident)
        assert "DispatchCompleted" not in so_far, f"it ended before the outage: {len(so_far)} events"
        time.sleep(20)
        assert "DispatchCompleted" not in recorded(tmp_path, incident)  # nothing goes without the broker
        rabbit.start_app()
        with ClusterRpcProxy({"AMQP_URI": rabbit.amqp_uri}, timeout=30) as rpc:
            request = wait_for_request(rpc, incident, "r1", timeout_s=180)
            assert request["status"] == "fulfilled", request
            assert_issued_exactly_once(rpc, warehouse, items)
            assert_every_service_verifies(rpc)
