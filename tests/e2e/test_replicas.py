"""The launcher with INVENTORY_REPLICAS=2 and TEAMS_REPLICAS=2: two processes of each share one
store, one relay publishes each event once, and a client that sends back a command's
`Anbei-Read-After` reads its own write whichever replica RabbitMQ hands the read to."""

from __future__ import annotations

import sqlite3
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Queue

from services.launcher import Platform
from shared.outbox import EPOCH_HEADER, RELAY_CHECKPOINT, RELAY_HEADER
from tests.api_client import Api
from tests.platform import issue_token, running_platform
from tests.private_rabbit import bind_event_queue, drain, wait_until
from tests.rabbit import fresh_vhost, rabbitmqctl

REPLICATED = ("inventory", "teams")
ROUNDS = 40


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, str, dict[str, Queue]]]:
    with fresh_vhost() as amqp_uri:
        # bound before anything is published, so every event the relays publish is counted
        queues = {service: bind_event_queue(amqp_uri, service, f"count-{service}") for service in REPLICATED}
        data_dir: Path = tmp_path_factory.mktemp("replicas")
        with running_platform(amqp_uri, data_dir, replicas=dict.fromkeys(REPLICATED, 2)) as platform:
            for service in REPLICATED:
                wait_until(lambda service=service: _rpc_consumers(amqp_uri, service) == 2, 30,  # type: ignore[misc]
                           f"both {service} replicas consuming RPC")
            yield platform, amqp_uri, queues


@pytest.fixture(scope="module")
def api(replicated: tuple[Platform, str, dict[str, Queue]]) -> Api:
    return Api(replicated[0].url, issue_token(replicated[0], "admin", user="replica-tests"))


def _rpc_consumers(amqp_uri: str, service: str) -> int:
    vhost = amqp_uri.rsplit("/", 1)[1]
    for row in rabbitmqctl("list_queues", "-p", vhost, "name", "consumers").splitlines():
        name, _, count = row.partition("\t")
        if name == f"rpc-{service}":
            return int(count)
    return 0


def _store(platform: Platform, service: str) -> sqlite3.Connection:
    return sqlite3.connect(platform.settings.data_dir / f"{service}-events.db", timeout=10)


def _rpc_calls(platform: Platform, name: str, entrypoint: str) -> float:
    """How many calls of `entrypoint` process `name` served, from its own metrics port."""
    with urllib.request.urlopen(f"{platform.metrics_url(name)}/metrics", timeout=10) as response:
        text = response.read().decode()
    label = f'entrypoint="{entrypoint}"'
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("anbei_entrypoint_requests_total{") and label in line)


def test_the_launcher_starts_two_processes_of_each_replicated_service_on_one_store(
    replicated: tuple[Platform, str, dict[str, Queue]],
) -> None:
    platform, _, _ = replicated
    data = platform.settings.data_dir
    for service in REPLICATED:
        names = platform.replicas(service)
        assert names == [service, f"{service}-2"]
        assert all(platform.processes[name].poll() is None for name in names)
        assert (data / f"{service}-views.db").exists() and (data / f"{service}-2-views.db").exists()
        assert len({platform.metrics_url(name) for name in names}) == 2
        assert f" {service}-2 INFO " in platform.log_path(f"{service}-2").read_text()
        assert list(data.glob(f"{service}*-events.db")) == [data / f"{service}-events.db"]
    assert platform.replicas("incidents") == ["incidents"]


def test_a_read_sent_with_the_commands_header_sees_the_write_on_either_replica(
    replicated: tuple[Platform, str, dict[str, Queue]], api: Api,
) -> None:
    platform, _, _ = replicated
    warehouse, item, team = (f"{kind}-{uuid.uuid4().hex[:8]}" for kind in ("w", "i", "t"))
    assert api.post("/warehouses", {"warehouse_id": warehouse, "name": "Depot", "name_zh": "物资库",
                                    "kind": "township"}).status_code == 201
    assert api.post("/items", {"item_id": item, "name": "sandbags", "name_zh": "编织袋", "unit": "bag",
                               "category_code": "3999999"}).status_code == 201
    assert api.post("/teams", {"team_id": team, "name": "Flood team", "name_zh": "防汛队",
                               "team_type": "township", "members": 60}).status_code == 201
    replicas = platform.replicas("inventory")
    calls = ("record_movement", "get_stock_line")
    before = {(name, rpc): _rpc_calls(platform, name, rpc) for name in replicas for rpc in calls}
    for n in range(1, ROUNDS + 1):
        receipt = api.post(f"/warehouses/{warehouse}/movements",
                           {"kind": "receipt", "item_id": item, "quantity": 1}, key=f"r-{warehouse}-{n}")
        assert receipt.status_code == 201, receipt.text
        token = receipt.headers["Anbei-Read-After"]
        assert token.startswith("inventory=")
        line = api.get(f"/warehouses/{warehouse}/stock/{item}", headers={"Anbei-Read-After": token})
        assert line.status_code == 200 and line.json()["on_hand"] == n, (n, token, line.text)
        if n % 3 == 0:  # RabbitMQ hands calls out in turn: shift the turn so reads land on both replicas
            api.get("/items")

        report = api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": n})
        assert report.status_code == 201, report.text
        merged = f"{token},{report.headers['Anbei-Read-After']}"
        readiness = api.get(f"/teams/{team}/readiness", headers={"Anbei-Read-After": merged})
        assert readiness.status_code == 200 and readiness.json()["people_available"] == n, readiness.text
    served = {key: _rpc_calls(platform, *key) - count for key, count in before.items()}
    # each replica ran writes and answered reads, so reads landed on the replica that had not written
    assert all(served.values()), served
    assert sum(count for (_, rpc), count in served.items() if rpc == "get_stock_line") == ROUNDS


def test_a_retried_command_answers_the_position_of_its_first_run(api: Api) -> None:
    warehouse = f"w-{uuid.uuid4().hex[:8]}"
    body = {"warehouse_id": warehouse, "name": "Depot", "name_zh": "物资库", "kind": "township"}
    first = api.post("/warehouses", body, key=f"k-{warehouse}")
    api.post("/warehouses", {**body, "warehouse_id": f"{warehouse}-other"})  # moves the store on
    again = api.post("/warehouses", body, key=f"k-{warehouse}")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Anbei-Read-After"] == first.headers["Anbei-Read-After"]


@pytest.mark.parametrize("header", ["inventory", "inventory=-1", "stock=5", "inventory=1,inventory=2",
                                    "inventory=1;teams=2"])
def test_a_malformed_read_after_header_is_a_400_naming_it(api: Api, header: str) -> None:
    answer = api.get("/items", headers={"Anbei-Read-After": header})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "Anbei-Read-After"


def test_a_position_the_store_never_reached_is_a_400_naming_the_header(api: Api) -> None:
    answer = api.get("/items", headers={"Anbei-Read-After": f"inventory={2**40}"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "Anbei-Read-After" and "the store ends at" in answer.json()["message"]


def test_one_relay_lease_per_service_and_every_event_published_exactly_once(
    replicated: tuple[Platform, str, dict[str, Queue]], api: Api,
) -> None:
    platform, amqp_uri, queues = replicated
    for service in REPLICATED:
        with _store(platform, service) as db:
            def published(db: sqlite3.Connection = db) -> bool:
                head = db.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
                row = db.execute("SELECT position FROM checkpoints WHERE name = ?",
                                 (RELAY_CHECKPOINT,)).fetchone()
                return bool(row) and row[0] == head

            wait_until(published, 30, f"{service}'s relay to publish everything")
            head = db.execute("SELECT MAX(position) FROM events").fetchone()[0]
            holders = db.execute("SELECT owner FROM leases WHERE name = ?", (RELAY_CHECKPOINT,)).fetchall()
        assert len(holders) == 1 and holders[0][0].split("@")[0] in (f"{service}-1", f"{service}-2")
        messages = drain(amqp_uri, queues[service], expect=head, timeout_s=30, quiet_s=2)
        positions = Counter(message.payload["position"] for message in messages)
        assert sorted(positions) == list(range(1, head + 1))
        assert [p for p, count in positions.items() if count > 1] == []
        publishers: set[Any] = {(m.headers[RELAY_HEADER], m.headers[EPOCH_HEADER]) for m in messages}
        assert len(publishers) == 1, publishers  # no takeover happened: one relay, one epoch
