"""A soak: moderate mixed load through the gateway for a while; memory and latency per minute.

Clients in threads send, at a fixed total rate, the locustfile's mix in miniature: stock
receipts and issues, readiness reports, stock reads and the overview. Every 10 s the resident
memory (VmRSS) of each service process is read from /proc. Per minute: requests, p50, p99,
and each process's RSS at the minute's end. Stable means the last minute's RSS of every
process and its p99 are within 1.2x and 1.5x of the first minute's.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import requests

from loadtests.report import Row, percentiles
from services.launcher import Platform

RESERVE = "jinan-flood-reserve"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def mix(api: str) -> list[Callable[[requests.Session], requests.Response]]:
    def receipt(s: requests.Session) -> requests.Response:
        return s.post(f"{api}/warehouses/{RESERVE}/movements", headers={"Idempotency-Key": str(uuid.uuid4())},
                      json={"kind": "receipt", "item_id": "woven-sandbags", "quantity": 20}, timeout=60)

    def issue(s: requests.Session) -> requests.Response:
        return s.post(f"{api}/warehouses/{RESERVE}/movements", headers={"Idempotency-Key": str(uuid.uuid4())},
                      json={"kind": "issue", "item_id": "woven-sandbags", "quantity": 10,
                            "destination": "embankment"}, timeout=60)

    def readiness(s: requests.Session) -> requests.Response:
        return s.post(f"{api}/teams/township-flood-teams/readiness",
                      headers={"Idempotency-Key": str(uuid.uuid4())},
                      json={"status": "ready", "people_available": 1000}, timeout=60)

    def stock(s: requests.Session) -> requests.Response:
        return s.get(f"{api}/warehouses/{RESERVE}/stock", timeout=60)

    def overview(s: requests.Session) -> requests.Response:
        return s.get(f"{api}/overview", timeout=60)

    return [receipt, receipt, issue, readiness, readiness, stock, stock, stock, overview]


def soak(platform: Platform, token: str, seconds: float, rate: float = 20.0, workers: int = 4) -> tuple[
        list[Row], list[str]]:
    api = f"{platform.url}/api/v1"
    calls = mix(api)
    samples: list[tuple[float, float]] = []  # (start offset s, latency s)
    errors: list[str] = []
    memory: list[tuple[float, dict[str, float]]] = []
    started = time.monotonic()
    pids = {name: process.pid for name, process in platform.processes.items()}

    def worker(k: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            n = k
            while (now := time.monotonic()) < started + seconds:
                due = started + n / rate
                if due > now:
                    time.sleep(due - now)
                    continue
                begun = time.monotonic()
                response = calls[n % len(calls)](session)
                samples.append((begun - started, time.monotonic() - begun))
                if response.status_code >= 500 or response.status_code in (400, 401, 403):
                    errors.append(f"{response.status_code} {response.text[:100]}")
                n += workers

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        memory.append((time.monotonic() - started, {name: rss_mb(pid) for name, pid in pids.items()}))
        time.sleep(10)
    for thread in threads:
        thread.join()
    minutes = int(seconds // 60)
    lines = ["| minute | requests | p50 ms | p99 ms | " + " | ".join(f"{n} RSS MB" for n in pids) + " |",
             "|---" * (4 + len(pids)) + "|"]
    per_minute = []
    for minute in range(minutes):
        latencies = sorted(lat for t, lat in samples if minute * 60 <= t < (minute + 1) * 60)
        rss = [m for t, m in memory if t < (minute + 1) * 60][-1]
        p50, _, p99 = percentiles(latencies)
        per_minute.append((p50, p99, rss))
        lines.append(f"| {minute + 1} | {len(latencies)} | {p50:.1f} | {p99:.1f} | "
                     + " | ".join(f"{rss[n]:.0f}" for n in pids) + " |")
    first, last = per_minute[0], per_minute[-1]
    growth = max(last[2][n] / first[2][n] for n in pids)
    p99_ratio = last[1] / first[1]
    label = f"soak: {minutes} min at {rate:.0f} req/s through the gateway, {len(errors)} errors"
    return [
        Row(f"{label}: RSS, last vs first minute (largest growth of any process)",
            ", ".join(f"{n} {last[2][n]:.0f} MB" for n in pids),
            ", ".join(f"{n} {first[2][n]:.0f} MB" for n in pids),
            growth, "<= 1.2", growth <= 1.2 and not errors),
        Row(f"{label}: p99, last vs first minute", f"{last[1]:.1f} ms (p50 {last[0]:.1f})",
            f"{first[1]:.1f} ms (p50 {first[0]:.1f})", p99_ratio, "<= 1.5", p99_ratio <= 1.5 and not errors),
    ], lines
