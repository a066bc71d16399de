"""A burst of 50 concurrent clients for 30 seconds through the gateway: no 5xx, no lost write.

Five client processes of ten threads each (`tests.fault.clients`) record stock receipts and
issues on ten stock lines, report the readiness of ten teams and read stock and the board, each
write under its own Idempotency-Key. Every answer must be 2xx, or a 409 with an error code (a
command that lost its stock line's race for 10 seconds, or an issue with too little stock). A
429 is not allowed either: the gateway's only limiter counts failed logins, and these clients
hold valid tokens. Afterwards every acknowledged write is in its store exactly once, each stock
line holds its opening stock plus the acknowledged receipts less the issues, and every
service's read models verify. Throughput and latency are printed, not asserted: this machine
is shared.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

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
)
from tests.platform import issue_token, running_platform

pytestmark = pytest.mark.rabbit
PROCESSES, THREADS, BURST_S = 5, 10, 30.0


def report(requests: list[dict[str, Any]], seconds: float) -> None:
    """Throughput and latency of every attempt, by kind, on the test's output."""
    print(f"\n{len(requests)} requests from {PROCESSES * THREADS} clients in {seconds:.0f}s: "
          f"{len(requests) / seconds:.0f} requests/s")
    for op in sorted({r["op"] for r in requests}):
        took = sorted(s for r in requests if r["op"] == op for s in r["seconds"])
        p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
        print(f"  {op:9} {len(took):6} answers  p50 {statistics.median(took) * 1000:6.0f} ms  "
              f"p99 {p99 * 1000:6.0f} ms  max {took[-1] * 1000:6.0f} ms")


def assert_no_5xx_and_every_refusal_explained(requests: list[dict[str, Any]]) -> None:
    statuses = Counter(status for r in requests for status in r["statuses"])
    print(f"  answers {dict(sorted(statuses.items()))}")
    assert not {status for status in statuses if status >= 500 or status == 0}, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    refused = [r for r in requests if r["statuses"][-1] == 409]
    assert all(r["code"] in ("concurrency_conflict", "insufficient_stock") for r in refused), refused[:3]


def assert_every_acknowledged_write_is_stored_once(requests: list[dict[str, Any]], data_dir: Path, api: Api,
                                                   world: World) -> None:
    acknowledged = [r for r in requests if r["op"] != "read" and r["statuses"][-1] in (200, 201)]
    events = committed(data_dir, "inventory") + committed(data_dir, "teams")
    per_command = Counter(e.metadata.command_id for e in events)
    ids = {str(e.event_id) for e in events}
    for request in acknowledged:
        assert first_event_id(request["key"]) in ids and per_command[command_id(request["key"])] == 1, request
    kinds = Counter(e.type for e in events)
    done = Counter(r["op"] for r in acknowledged)
    assert kinds["StockReceived"] == len(world.items) + done["receipt"], (kinds, done)
    assert kinds["StockIssued"] == done["issue"], (kinds, done)
    assert kinds["ReadinessReported"] == done["readiness"], (kinds, done)
    for item in world.items:
        moved = sum(r["quantity"] if r["op"] == "receipt" else -r["quantity"]
                    for r in acknowledged if r["op"] in ("receipt", "issue") and r["item"] == item)
        assert on_hand(api, world, item) == OPENING_STOCK + moved, item


def test_fifty_clients_for_30_seconds_get_no_5xx_and_lose_no_write(amqp_uri: str, tmp_path: Path) -> None:
    data_dir, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    with running_platform(amqp_uri, data_dir) as platform:
        api = Api(platform.url, issue_token(platform, user=USER))
        world = register_world(api, items=10, teams=10)
        started = time.monotonic()
        clients = start_clients(platform.url, issue_token(platform, user=USER), world.as_json(),
                                processes=PROCESSES, threads=THREADS, deadline=started + BURST_S,
                                give_up=started + BURST_S + 30, folder=logs)
        join(clients, timeout_s=BURST_S + 120)
        requests = read_logs(logs)
        report(requests, time.monotonic() - started)
        assert_no_5xx_and_every_refusal_explained(requests)
        assert len(requests) > 500, "the clients hardly sent anything: was the gateway answering?"
        assert_every_acknowledged_write_is_stored_once(requests, data_dir, api, world)
        assert_every_service_verifies(amqp_uri)
        assert platform.dead() is None
