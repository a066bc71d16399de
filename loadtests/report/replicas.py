"""Throughput of 1, 2 and 4 inventory replicas on one SQLite event store.

For each N: a fresh store and vhost; N `python -m services.inventory` processes on the one
store (`EVENT_STORE_URL`), each with its own read-model file (`VIEW_STORE_PATH`) and metrics
port, as the README's Replicas section allows; nameko's RPC queue spreads calls over them.
Several client processes drive stock receipts over RPC, each thread on its own stock line,
in a closed loop; the figure is commands/s, against 1 replica's.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from loadtests.report import Row, stop_processes
from tests.ports import free_port
from tests.rabbit import fresh_vhost

WAREHOUSE = "replica-depot"
CLIENT_PROCESSES, THREADS = 3, 4
WHY = ("every append takes SQLite's single writer lock and its fsync (group commit shares one only among "
       "commands in one process), every replica tails the store and projects every event into its own "
       "read models (N replicas: N times the projection work), and N replicas plus the clients share "
       "the machine's cores")


def client(amqp_uri: str, first_line: int, seconds: float, results: Any) -> None:
    """In a child process: THREADS closed-loop clients, each on its own stock line."""
    import threading

    from nameko.standalone.rpc import ClusterRpcProxy

    counts = [0] * THREADS
    started = time.monotonic()
    stop = started + seconds

    def run(k: int) -> None:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            while time.monotonic() < stop:
                rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": WAREHOUSE,
                                               "item_id": f"item-{first_line + k}", "quantity": 1})
                counts[k] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(sum(counts) / (time.monotonic() - started))


def start(n: int, amqp_uri: str, base: Path) -> list[subprocess.Popen[bytes]]:
    processes = []
    for k in range(n):
        env = {key: value for key, value in os.environ.items() if key != "EVENT_STORE_URL"}
        env |= {"AMQP_URI": amqp_uri, "DATA_DIR": str(base), "RELAY_POLL_S": "0.1",
                "EVENT_STORE_URL": f"sqlite:///{base}/inventory-events.db",
                "VIEW_STORE_PATH": str(base / f"inventory-views-{k}.db"),
                "INVENTORY_METRICS_PORT": str(free_port())}
        with open(base / f"inventory-{k}.log", "ab") as log:
            processes.append(subprocess.Popen([sys.executable, "-m", "services.inventory"], env=env,
                                              stdout=log, stderr=subprocess.STDOUT))
    return processes


def prepare(amqp_uri: str, n: int, lines: int) -> None:
    """Wait until N replicas answer (each ping lands on some replica), then register the lines."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        deadline = time.monotonic() + 120
        while True:
            try:
                rpc.inventory.ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        time.sleep(2 * n)  # the other replicas finish starting (one answering is not all)
        rpc.inventory.register_warehouse({"warehouse_id": WAREHOUSE, "name": "replica depot",
                                          "name_zh": "副本仓库", "kind": "district"})
        for line in range(lines):
            rpc.inventory.register_item({"item_id": f"item-{line}", "name": f"item {line}",
                                         "name_zh": f"物资{line}", "unit": "box", "category_code": "2999999"})


def rate(n: int, base: Path, seconds: float) -> float:
    directory = base / f"replicas-{n}"
    directory.mkdir()
    lines = CLIENT_PROCESSES * THREADS
    with fresh_vhost() as amqp_uri:
        processes = start(n, amqp_uri, directory)
        try:
            prepare(amqp_uri, n, lines)
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            children = [context.Process(target=client, args=(amqp_uri, p * THREADS, seconds, results))
                        for p in range(CLIENT_PROCESSES)]
            for child in children:
                child.start()
            total = sum(results.get(timeout=seconds + 300) for _ in children)  # each child's own rate
            for child in children:
                child.join(30)
            return float(total)
        finally:
            stop_processes(processes)


def replicas(base: Path, quick: bool) -> list[Row]:
    seconds = 5 if quick else 20
    rates = {}
    for n in (1, 2, 4):
        rates[n] = rate(n, base, seconds)
        print(f"  {n} replica(s): {rates[n]:,.0f} commands/s", flush=True)
    rows = []
    for n in (1, 2, 4):
        gain = rates[n] / rates[1]
        rows.append(Row(f"inventory throughput, {n} replica(s) on one SQLite store "
                        f"({CLIENT_PROCESSES * THREADS} RPC clients)",
                        f"{rates[n]:,.0f} commands/s", f"{rates[1]:,.0f} commands/s (1 replica)", gain,
                        "none: reported", None, WHY))
    return rows
