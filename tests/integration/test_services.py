"""The services as real nameko processes over the real RabbitMQ, called by RPC."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.launcher import Platform
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.outbox import event_exchange


@pytest.fixture
def rpc(platform: Platform, session_amqp_uri: str) -> Iterator[Any]:
    with ClusterRpcProxy({"AMQP_URI": session_amqp_uri}, timeout=15) as proxy:
        yield proxy


def stocked_warehouse(rpc: Any, quantity: int) -> tuple[str, str]:
    warehouse, item = f"w-{uuid.uuid4().hex[:8]}", f"i-{uuid.uuid4().hex[:8]}"
    rpc.inventory.register_warehouse({"warehouse_id": warehouse, "name": "Township depot",
                                      "name_zh": "乡镇防汛物资库", "kind": "township"})
    rpc.inventory.register_item({"item_id": item, "name": "life jackets", "name_zh": "救生衣",
                                 "unit": "piece", "category_code": "2999999"})
    rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": warehouse, "item_id": item,
                                   "quantity": quantity})
    return warehouse, item


def test_a_receipt_is_read_back_and_published_to_the_services_exchange(
    rpc: Any, session_amqp_uri: str
) -> None:
    with Connection(session_amqp_uri) as connection:
        queue = Queue(f"probe-{uuid.uuid4().hex[:8]}", exchange=event_exchange("inventory"),
                      routing_key="StockReceived", durable=False, auto_delete=True)
        with connection.SimpleQueue(queue) as probe:
            warehouse, item = stocked_warehouse(rpc, 40)
            stock = rpc.inventory.get_stock(warehouse)["items"]
            assert [(level["item_id"], level["on_hand"]) for level in stock] == [(item, 40)]
            message = probe.get(timeout=10)
            body = json.loads(message.body)
            message.ack()
    assert message.delivery_info["routing_key"] == "StockReceived"
    assert body["type"] == "StockReceived"
    assert body["data"] == {"warehouse_id": warehouse, "item_id": item, "quantity": 40,
                            "source": "purchase", "reference": None, "note": None, "lot": "",
                            "expires_on": None, "import_id": None}
    assert body["stream_id"] == f"stock:{warehouse}:{item}"


def test_errors_arrive_over_rpc_as_typed_errors_naming_the_field(rpc: Any) -> None:
    with pytest.raises(NotFound) as missing:
        rpc.inventory.get_stock("no-such-warehouse")
    assert missing.value.field == "warehouse_id"
    with pytest.raises(InvalidCommand) as invalid:
        rpc.teams.register_team({"team_id": "Not A Slug", "name": "x", "name_zh": "x",
                                 "team_type": "social"})
    assert invalid.value.field == "team_id"


def test_concurrent_issues_never_take_stock_below_zero(
    rpc: Any, session_amqp_uri: str
) -> None:
    warehouse, item = stocked_warehouse(rpc, 10)

    def issue(_: int) -> str:
        with ClusterRpcProxy({"AMQP_URI": session_amqp_uri}, timeout=15) as own:
            try:
                own.inventory.record_movement({"kind": "issue", "warehouse_id": warehouse,
                                               "item_id": item, "quantity": 1,
                                               "destination": "Sanshipu township"})
            except Conflict as error:
                return error.code
        return "issued"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(issue, range(16)))
    assert outcomes.count("issued") == 10
    assert outcomes.count("insufficient_stock") == 6
    assert rpc.inventory.get_stock(warehouse)["items"][0]["on_hand"] == 0


def test_a_retried_command_with_the_same_id_is_recorded_once(rpc: Any) -> None:
    warehouse, item = stocked_warehouse(rpc, 5)
    receipt = {"kind": "receipt", "warehouse_id": warehouse, "item_id": item, "quantity": 7}
    meta = {"command_id": f"retry-{uuid.uuid4()}", "actor": "keeper-li"}
    first = rpc.inventory.record_movement(receipt, meta)
    again = rpc.inventory.record_movement(receipt, meta)
    assert again["events"] == first["events"]
    assert again["on_hand"] == 12
    assert len(rpc.inventory.list_movements(warehouse)["items"]) == 2


def test_every_service_verifies_its_read_models_chains_and_seals(rpc: Any) -> None:
    stocked_warehouse(rpc, 3)
    for service in (rpc.inventory, rpc.teams, rpc.incidents):
        deadline = time.monotonic() + 15
        report = service.verify()
        while report["sealed_through"] < report["head"] and time.monotonic() < deadline:
            time.sleep(0.2)  # the relay seals what it publishes, just after each command
            report = service.verify()
        assert report["ok"], report
        assert report["sealed_through"] == report["head"] and report["unsealed"] == 0, report
