"""RabbitMQ stopped for 20 seconds while keepers and team leaders keep writing through the gateway.

Eight clients in two processes record stock receipts and issues, report readiness and read, for
the whole run. Five seconds in, the private broker stops (`stop_app`) for 20 seconds; then it
comes back and the clients go on for ten more. During the outage every write is answered a clear
503 (never a 500) and sent again under the same Idempotency-Key until it is accepted. Afterwards:

- every write acknowledged 2xx is in its service's store, exactly once (one event per command id);
- each stock line holds its opening stock plus the acknowledged receipts less the issues;
- every event committed reaches a queue bound to `inventory.events` and `teams.events`: counted by
  event id, all arrive, and the repeats a relay resent are ignored by the idempotent consumer;
- every service's read models verify equal to a rebuild.

(`test_incidents_dispatch_faults.py` stops the broker in the middle of a dispatch; this one is
about the ordinary load of a flood day.)
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope
from shared.views import ViewStore
from tests.api_client import Api
from tests.fault.clients import join, read_logs, start_clients
from tests.fault.support import (
    OPENING_STOCK,
    USER,
    World,
    assert_every_service_verifies,
    command_id,
    committed,
    first_event_id,
    on_hand,
    register_world,
    wait_for_relays,
)
from tests.platform import issue_token, running_platform
from tests.private_rabbit import PrivateRabbit, bind_event_queue, drain

pytestmark = pytest.mark.rabbit
BEFORE_S, OUTAGE_S, AFTER_S = 5.0, 20.0, 10.0
SERVICES = ("inventory", "teams")


def run_load_through_an_outage(rabbit: PrivateRabbit, api: Api, world: World, logs: Path,
                               ) -> tuple[float, float]:
    """The clients' run with the outage in its middle; when the broker was stopped and back."""
    started = time.monotonic()
    clients = start_clients(api.base_url, api.session.headers["Authorization"].removeprefix("Bearer "),
                            world.as_json(), processes=2, threads=4,
                            deadline=started + BEFORE_S + OUTAGE_S + 8 + AFTER_S,
                            give_up=started + BEFORE_S + OUTAGE_S + 8 + AFTER_S + 60, folder=logs)
    try:
        time.sleep(BEFORE_S)
        rabbit.stop_app()
        stopped = time.monotonic()
        time.sleep(OUTAGE_S)
        rabbit.start_app()
        back = time.monotonic()
    finally:
        join(clients, timeout_s=BEFORE_S + OUTAGE_S + AFTER_S + 120)
    return stopped, back


def assert_answers_were_clear(requests: list[dict[str, Any]], stopped: float, back: float) -> None:
    statuses = Counter(status for request in requests for status in request["statuses"])
    print(f"\n{len(requests)} requests, answers {dict(sorted(statuses.items()))}")
    assert statuses[500] == 0 and statuses[0] == 0, statuses
    assert set(statuses) <= {200, 201, 409, 503}, statuses
    assert statuses[503] > 0, "no request met the outage: it was not under load"
    assert all(r["code"] for r in requests if r["statuses"][-1] == 409), "a 409 without an error code"
    writes = [r for r in requests if r["op"] != "read"]
    assert all(r["statuses"][-1] != 503 for r in writes), "a write was never accepted after the outage"
    assert any(r["sent"] > back for r in writes), "no write was sent after the broker came back"
    assert any(len(r["statuses"]) > 1 and r["sent"] < back < r["settled"] for r in writes), \
        "no write was retried through the outage"


def assert_every_acknowledged_write_is_stored_once(requests: list[dict[str, Any]], data_dir: Path,
                                                   api: Api, world: World) -> dict[str, list[EventEnvelope]]:
    events = {service: committed(data_dir, service) for service in SERVICES}
    per_command = Counter(e.metadata.command_id for service in SERVICES for e in events[service])
    ids = {str(e.event_id) for service in SERVICES for e in events[service]}
    acknowledged = [r for r in requests if r["op"] != "read" and r["statuses"][-1] in (200, 201)]
    for request in acknowledged:
        assert first_event_id(request["key"]) in ids, request
        assert per_command[command_id(request["key"])] == 1, request
    stock_events = Counter(e.type for e in events["inventory"] if e.stream_id.startswith("stock:"))
    movements = [r for r in acknowledged if r["op"] in ("receipt", "issue")]
    assert stock_events["StockReceived"] == len(world.items) + sum(r["op"] == "receipt" for r in movements)
    assert stock_events["StockIssued"] == sum(r["op"] == "issue" for r in movements)
    for item in world.items:
        line = on_hand(api, world, item)
        expected = OPENING_STOCK + sum(r["quantity"] if r["op"] == "receipt" else -r["quantity"]
                                       for r in movements if r["item"] == item)
        assert line == expected, (item, line, expected)
    return events


def assert_every_event_delivered(rabbit: PrivateRabbit, queues: dict[str, Any], events: dict[str, Any],
                                 tmp_path: Path) -> None:
    consumer = IdempotentConsumer(ViewStore(tmp_path / "consumer.db"), "fault-consumer")
    for service in SERVICES:
        messages = drain(rabbit.amqp_uri, queues[service], expect=len(events[service]), timeout_s=60,
                         quiet_s=1)
        delivered = Counter(m.payload["event_id"] for m in messages)
        assert set(delivered) == {str(e.event_id) for e in events[service]}, f"{service}: lost or foreign"
        applied = sum(consumer.handle(m.payload, lambda views, event: None) for m in messages)
        assert applied == len(events[service]), (service, applied)
        print(f"{service}: {len(events[service])} events committed, {len(messages)} messages delivered, "
              f"{len(messages) - len(delivered)} repeats ignored by the idempotent consumer")


def test_rabbitmq_stopped_for_20_seconds_under_load_loses_no_command_and_delivers_every_event(
    rabbit: PrivateRabbit, tmp_path: Path,
) -> None:
    data_dir, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    queues = {service: bind_event_queue(rabbit.amqp_uri, service, f"outage-load-{service}")
              for service in SERVICES}
    with running_platform(rabbit.amqp_uri, data_dir, {"RPC_TIMEOUT_S": "5"}) as platform:
        api = Api(platform.url, issue_token(platform, user=USER))
        world = register_world(api, items=3, teams=3)
        stopped, back = run_load_through_an_outage(rabbit, api, world, logs)
        requests = read_logs(logs)
        assert_answers_were_clear(requests, stopped, back)
        wait_for_relays(data_dir, SERVICES, timeout_s=60)
        events = assert_every_acknowledged_write_is_stored_once(requests, data_dir, api, world)
        assert_every_event_delivered(rabbit, queues, events, tmp_path)
        assert_every_service_verifies(rabbit.amqp_uri)
        assert platform.dead() is None
