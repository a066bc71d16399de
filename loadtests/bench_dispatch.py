"""Dispatch: from a request to fulfilled, against the same inventory RPCs called directly.

Starts the platform (four processes on a throwaway RabbitMQ vhost and temp SQLite files),
stocks two warehouses with `--lines` items and reports a live flood. Then, alternating
which goes first, it times `--requests` times each:

- **dispatch**: `raise_request` with `--lines` material lines, `approve_request`, then
  `get_request` polled every 10 ms until it says `fulfilled` (what a caller sees);
- **direct**: the same stock moves made by calling inventory directly, one after the
  other: `reserve_stock` then `issue_stock` against it for every line (2 x lines RPCs),
  the floor any dispatch has to pay.

It prints p50 and p99 of each, their ratio, and where a dispatch's time goes, from the
recorded times of the request's own events (its timeline): the two commands the client
sends, waking the process manager and planning (the look-ups in inventory), carrying out
the steps (each an inventory RPC and the record of its outcome), completing, and the
client seeing it.

    python -m loadtests.bench_dispatch [--requests 50] [--lines 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from tests.incidents_support import live_flood
from tests.platform import running_platform
from tests.rabbit import fresh_vhost

INCIDENT = "bench-flood"
WAREHOUSES = (("bench-near", 31.71, 116.51), ("bench-far", 31.90, 116.80))
#: How often the client asks whether its request is fulfilled: often enough to see it within a few
#: milliseconds, not so often that the asking slows the service doing the work.
POLL_S = 0.01


def stock(rpc: Any, lines: int, requests: int) -> list[str]:
    """`lines` items, each with enough stock in the nearer warehouse for every request twice over."""
    for warehouse_id, lat, lon in WAREHOUSES:
        rpc.inventory.register_warehouse({"warehouse_id": warehouse_id, "name": warehouse_id,
                                          "name_zh": "测试仓库", "kind": "township", "latitude": lat,
                                          "longitude": lon})
    items = [f"bench-item-{n:02d}" for n in range(lines)]
    for item in items:
        rpc.inventory.register_item({"item_id": item, "name": item, "name_zh": "测试物资", "unit": "件",
                                     "category_code": "2999999"})
        for warehouse_id, _, _ in WAREHOUSES:
            rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": warehouse_id, "item_id": item,
                                           "quantity": 40 * requests})
    return items


def dispatch(rpc: Any, items: list[str], n: int) -> tuple[float, str]:
    request_id = f"r{n:03d}"
    started = time.perf_counter()
    rpc.incidents.raise_request({"incident_id": INCIDENT, "request_id": request_id, "destination": "Zhangxi",
                                 "materials": [{"item_id": item, "quantity": 10} for item in items]})
    rpc.incidents.approve_request({"incident_id": INCIDENT, "request_id": request_id})
    while (status := rpc.incidents.get_request(INCIDENT, request_id)["status"]) != "fulfilled":
        if status in ("partly_fulfilled", "failed", "cancelled"):
            raise RuntimeError(f"request {request_id} ended {status}")
        time.sleep(POLL_S)
    return time.perf_counter() - started, request_id


def direct(rpc: Any, items: list[str]) -> float:
    warehouse_id = WAREHOUSES[0][0]
    started = time.perf_counter()
    for item in items:
        reservation = f"direct-{uuid.uuid4().hex[:20]}"
        line = {"warehouse_id": warehouse_id, "item_id": item, "quantity": 10, "reservation_id": reservation,
                "incident_id": INCIDENT}
        rpc.inventory.reserve_stock(line, {"command_id": str(uuid.uuid4())})
        rpc.inventory.issue_stock({**line, "destination": "Zhangxi"}, {"command_id": str(uuid.uuid4())})
    return time.perf_counter() - started


def phases(rpc: Any, request_id: str, seen_s: float, started: float) -> dict[str, float]:
    """Where one dispatch's time went, from its events' recorded times (seconds)."""
    timeline, query = [], {"limit": 1000}
    while True:
        page = rpc.incidents.incident_timeline(INCIDENT, query)
        timeline += [entry for entry in page["items"] if entry["request_id"] == request_id]
        if page["next"] is None:
            break
        query = {"limit": 1000, "after": page["next"]}
    at = {entry["type"]: datetime.fromisoformat(entry["recorded_at"]).timestamp() for entry in timeline}
    first_step = min(datetime.fromisoformat(e["recorded_at"]).timestamp() for e in timeline
                     if e["type"] == "MaterialsReserved")
    steps = sum(entry["type"] in ("MaterialsReserved", "MaterialsIssued") for entry in timeline)
    return {
        "client commands (raise, approve)": at["RequestApproved"] - started,
        "wake + plan (look-ups)": at["DispatchPlanned"] - at["RequestApproved"],
        "to the first step": first_step - at["DispatchPlanned"],
        f"carry out ({steps} steps)": at["DispatchCompleted"] - first_step,
        "client sees it (poll)": seen_s - at["DispatchCompleted"],
    }


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--lines", type=int, default=10)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"dispatch": [], "direct": []}
    spent: dict[str, list[float]] = defaultdict(list)
    with fresh_vhost() as amqp_uri, running_platform(amqp_uri, Path(tempfile.mkdtemp())), \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        items = stock(rpc, args.lines, args.requests)
        live_flood(rpc, INCIDENT)
        dispatch(rpc, items, 999)  # warm up every code path once
        direct(rpc, items)
        for n in range(args.requests):
            order = ("dispatch", "direct") if n % 2 == 0 else ("direct", "dispatch")
            for kind in order:
                if kind == "direct":
                    times["direct"].append(direct(rpc, items))
                    continue
                wall = time.time()
                elapsed, request_id = dispatch(rpc, items, n)
                times["dispatch"].append(elapsed)
                for phase, seconds in phases(rpc, request_id, wall + elapsed, wall).items():
                    spent[phase].append(seconds)
    for kind, values in times.items():
        p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
        print(f"{kind:>8}: p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(values)} runs, {args.lines} lines)")
    ratio = statistics.median(times["dispatch"]) / statistics.median(times["direct"])
    print(f"dispatch / direct (p50): {ratio:.2f}")
    print("where a dispatch's time goes (medians):")
    for phase, values in spent.items():
        print(f"  {phase:<34} {statistics.median(values) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
