"""Client processes for the fault tests: threads that write and read through the gateway until a
deadline, as warehouse keepers and team leaders would, each write under its own Idempotency-Key.

A write answered 503 (or not answered at all) is sent again under the same key after a short
pause, until it gets another answer or `give_up` passes; a client never sends a new key for the
same intent. Each request is one JSON line in the process's log: what it was (`op`: receipt,
issue, readiness or read), its key, the movement's item and quantity, every status it got in
order (0 = no answer), the code of its last error body, the seconds each attempt took, and when
it was first sent and when it settled (`time.monotonic()`, which compares across processes on
Linux). Run one with `multiprocessing.get_context("spawn").Process(target=run_clients, ...)`.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from tests.api_client import Api

#: How often each kind of request is picked: mostly stock movements, as on a flood day.
MIX = {"receipt": 40, "issue": 15, "readiness": 25, "read": 20}
RETRIED = (0, 503)


def _request(world: dict[str, Any], rng: random.Random, op: str, key: str
             ) -> tuple[str, str, Any, dict[str, Any]]:
    """(method, path, body, facts to log) for one request of kind `op`."""
    warehouse, item = world["warehouse"], rng.choice(world["items"])
    if op == "receipt":
        quantity = rng.randint(1, 20)
        return "POST", f"/warehouses/{warehouse}/movements", {
            "kind": "receipt", "item_id": item, "quantity": quantity, "reference": f"PO {key[-8:]}"
        }, {"item": item, "quantity": quantity}
    if op == "issue":
        quantity = rng.randint(1, 5)
        return "POST", f"/warehouses/{warehouse}/movements", {
            "kind": "issue", "item_id": item, "quantity": quantity, "destination": "Zhangxi village"
        }, {"item": item, "quantity": quantity}
    if op == "readiness":
        team = rng.choice(world["teams"])
        return "POST", f"/teams/{team}/readiness", {
            "status": rng.choice(["ready", "partially_ready"]), "people_available": rng.randint(5, 57)
        }, {"team": team}
    path = rng.choice([f"/warehouses/{warehouse}/stock/{item}", "/readiness",
                       f"/warehouses/{warehouse}/stock"])
    return "GET", path, None, {}


def _send(api: Api, method: str, path: str, body: Any, key: str) -> tuple[int, str | None]:
    try:
        response = api.request(method, path, json=body, headers={"Idempotency-Key": key} if body else {})
    except requests.RequestException:
        return 0, None
    try:
        code = response.json().get("code") if response.status_code >= 400 else None
    except ValueError:
        code = "not json"
    return response.status_code, code


def _client(base_url: str, token: str, world: dict[str, Any], deadline: float, give_up: float,
            seed: int, lines: list[str]) -> None:
    api, rng = Api(base_url, token), random.Random(seed)
    ops, weights = list(MIX), list(MIX.values())
    while time.monotonic() < deadline:
        op = rng.choices(ops, weights)[0]
        key = f"fault-{op}-{uuid.uuid4().hex}"
        method, path, body, facts = _request(world, rng, op, key)
        statuses: list[int] = []
        seconds: list[float] = []
        sent = time.monotonic()
        pause = 0.2
        while True:
            started = time.monotonic()
            status, code = _send(api, method, path, body, key)
            seconds.append(time.monotonic() - started)
            statuses.append(status)
            if status not in RETRIED or time.monotonic() > give_up:
                break
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
        lines.append(json.dumps({"op": op, "key": key, **facts, "statuses": statuses, "code": code,
                                 "seconds": seconds, "sent": sent, "settled": time.monotonic()}))


def run_clients(base_url: str, token: str, world: dict[str, Any], deadline: float, give_up: float,
                threads: int, out: str) -> None:
    """`threads` clients in this process until `deadline`; a write still refused at `give_up` is
    logged as it stands. Writes the log to `out` at the end."""
    lines: list[str] = []
    workers = [threading.Thread(target=_client, args=(base_url, token, world, deadline, give_up,
                                                      random.randrange(1 << 30), lines))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    Path(out).write_text("".join(line + "\n" for line in lines))


def read_logs(folder: Path) -> list[dict[str, Any]]:
    """Every request the client processes logged in `folder`."""
    return [json.loads(line) for log in sorted(folder.glob("*.jsonl"))
            for line in log.read_text().splitlines()]


def start_clients(base_url: str, token: str, world: dict[str, Any], *, processes: int, threads: int,
                  deadline: float, give_up: float, folder: Path) -> list[Any]:
    """`processes` client processes of `threads` clients each, started; join them with `join`."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    started = []
    for number in range(processes):
        process = spawn.Process(target=run_clients, args=(base_url, token, world, deadline, give_up, threads,
                                                          str(folder / f"{number}.jsonl")))
        process.start()
        started.append(process)
    return started


def join(processes: list[Any], timeout_s: float) -> None:
    """Wait for the client processes; one still running after `timeout_s` is killed and fails the test."""
    limit = time.monotonic() + timeout_s
    for process in processes:
        process.join(max(limit - time.monotonic(), 0.1))
    hung = [process.pid for process in processes if process.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(10)
    assert not hung, f"client processes {hung} did not finish in time"
    assert all(process.exitcode == 0 for process in processes), [p.exitcode for p in processes]
