"""The inventory service as a real nameko process over the real RabbitMQ, called by RPC.

The reservation RPCs are the contract the incidents service's dispatch relies on:
reserve, issue against the reservation, release — each idempotent by `command_id`,
each refusal a typed error with a stable code.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.launcher import Platform
from shared.errors import Conflict, NotFound
from shared.outbox import event_exchange


@pytest.fixture
def rpc(platform: Platform, session_amqp_uri: str) -> Iterator[Any]:
    with ClusterRpcProxy({"AMQP_URI": session_amqp_uri}, timeout=15) as proxy:
        yield proxy


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_line(rpc: Any, quantity: int, item_unit: str = "件") -> tuple[str, str]:
    warehouse, item = unique("depot"), unique("jackets")
    rpc.inventory.register_warehouse({"warehouse_id": warehouse, "name": "Township depot",
                                      "name_zh": "乡镇防汛物资库", "kind": "township"})
    rpc.inventory.register_item({"item_id": item, "name": "life jackets", "name_zh": "救生衣",
                                 "unit": item_unit, "category_code": "2999999"})
    if quantity:
        rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": warehouse, "item_id": item,
                                       "quantity": quantity})
    return warehouse, item


def test_reserve_issue_and_release_for_an_incident_are_idempotent_and_refuse_with_codes(rpc: Any) -> None:
    warehouse, item = new_line(rpc, 40)
    line = {"warehouse_id": warehouse, "item_id": item}
    reserve = {**line, "reservation_id": "flood-0701-line-1", "quantity": 30, "incident_id": "flood-0701"}
    step = {"command_id": f"dispatch-{uuid.uuid4()}", "actor": "incidents", "causation_id": "req-1"}
    first = rpc.inventory.reserve_stock(reserve, step)
    assert rpc.inventory.reserve_stock(reserve, step) == first
    assert (first["reserved"], first["available"]) == (30, 10)

    with pytest.raises(Conflict) as short:
        rpc.inventory.reserve_stock({**reserve, "reservation_id": "flood-0701-line-2", "quantity": 11})
    assert short.value.code == "insufficient_stock" and "only 10 available" in short.value.message

    issue = {**line, "quantity": 25, "destination": "Dongqiao embankment",
             "reservation_id": "flood-0701-line-1"}
    issued = rpc.inventory.issue_stock(issue, {"command_id": f"issue-{uuid.uuid4()}"})
    assert (issued["on_hand"], issued["reserved"]) == (15, 5)
    assert issued["events"][0]["data"]["incident_id"] == "flood-0701"

    released = rpc.inventory.release_reservation({**line, "reservation_id": "flood-0701-line-1"})
    assert (released["reserved"], released["available"]) == (0, 15)
    with pytest.raises(NotFound) as gone:
        rpc.inventory.release_reservation({**line, "reservation_id": "flood-0701-line-1"})
    assert gone.value.field == "reservation_id"
    assert rpc.inventory.incident_reservations({"incident_id": "flood-0701"})["items"] == []


def test_a_transfer_over_rpc_is_published_step_by_step(rpc: Any, session_amqp_uri: str) -> None:
    source, item = new_line(rpc, 100)
    destination = unique("depot")
    rpc.inventory.register_warehouse({"warehouse_id": destination, "name": "Mayan depot",
                                      "name_zh": "马岗防汛物资库", "kind": "township"})
    transfer = unique("transfer")
    with Connection(session_amqp_uri) as connection:
        queue = Queue(f"probe-{uuid.uuid4().hex[:8]}", exchange=event_exchange("inventory"),
                      routing_key="#", durable=False, auto_delete=True)
        with connection.SimpleQueue(queue) as probe:
            rpc.inventory.dispatch_transfer({"transfer_id": transfer, "warehouse_id": source,
                                             "to_warehouse_id": destination, "item_id": item,
                                             "quantity": 60})
            receipt = rpc.inventory.receive_transfer({"transfer_id": transfer, "warehouse_id": destination,
                                                      "received": 58})
            seen = []
            deadline = time.monotonic() + 15
            while "TransitClosed" not in seen and time.monotonic() < deadline:
                message = probe.get(timeout=10)
                body = json.loads(message.body)
                message.ack()
                if body["data"].get("transfer_id") == transfer:
                    seen.append(body["type"])
    assert receipt["discrepancy"] == -2
    assert seen == ["StockTransferredOut", "TransferDispatched", "TransferReceived", "StockTransferredIn",
                    "TransitClosed"]
    assert rpc.inventory.get_item_stock(item)["on_hand"] == 98


def test_a_census_import_runs_in_the_background_and_shows_its_progress(rpc: Any) -> None:
    warehouse, item = new_line(rpc, 0)
    rows = "".join(f"{warehouse},{item},{n},L{n},2030-01-01\n" for n in range(1, 201))
    staged = rpc.inventory.import_stock({"csv": "warehouse_id,item_id,quantity,lot,expires_on\n" + rows})
    assert (staged["status"], staged["total_rows"]) == ("running", 200)
    deadline = time.monotonic() + 60
    while (progress := rpc.inventory.get_import(staged["import_id"]))["status"] != "completed":
        assert time.monotonic() < deadline, progress
        assert 0 <= progress["imported"] <= 200
        time.sleep(0.2)
    assert (progress["imported"], progress["failed"]) == (200, [])
    line = rpc.inventory.get_stock_line(warehouse, item)
    assert (line["on_hand"], len(line["lots"])) == (sum(range(1, 201)), 200)
    assert rpc.inventory.verify()["ok"]
