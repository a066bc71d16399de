"""A service never freezes: while one command folds a long history, other RPCs are answered.

Every RPC body runs in a native thread (`shared.nameko_kit.rpc`); if it ran on the event
loop, a command folding tens of thousands of events would hold every other worker, the
relay and `ping` until it finished.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from loadtests.bench_kernel import receipts, registered
from shared.config import load_keyring, load_settings
from shared.outbox import RELAY_CHECKPOINT
from shared.sealing import seal_pending
from shared.store.sqlite import SQLiteEventStore
from tests.platform import platform_env
from tests.ports import free_port

pytestmark = pytest.mark.rabbit
HISTORY = 40_000  # a cold command on it takes seconds: long enough to ping many times meanwhile


def projected(rpc: Any) -> bool:
    try:
        return bool(rpc.inventory.get_stock("big-depot")["items"])
    except UnknownService:
        return False


def test_pings_are_answered_while_a_command_folds_a_long_history(amqp_uri: str, tmp_path: Path) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port()) | {"INVENTORY_METRICS_PORT": str(free_port())}
    store = SQLiteEventStore(tmp_path / "inventory-events.db", synchronous="NORMAL",
                             keyring=load_keyring(load_settings("inventory", env)))
    registered(store, "big-depot", "sandbags")
    receipts(store, "big-depot", "sandbags", HISTORY)
    seal_pending(store)
    store.set_checkpoint(RELAY_CHECKPOINT, store.head_position())  # an old, published history
    store.close()
    log = (tmp_path / "inventory.log").open("wb")
    service = subprocess.Popen([sys.executable, "-m", "services.inventory"], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            deadline = time.monotonic() + 120
            while not projected(rpc):  # the service starts, then projects the history
                assert time.monotonic() < deadline, "the service never caught up"
                time.sleep(0.5)

            done = threading.Event()
            answered_meanwhile: list[float] = []

            def ping_until_done() -> None:
                with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as own:
                    while not done.is_set():
                        own.inventory.ping()
                        if not done.is_set():
                            answered_meanwhile.append(time.monotonic())

            pinger = threading.Thread(target=ping_until_done)
            pinger.start()
            started = time.monotonic()
            rpc.inventory.record_movement({"kind": "issue", "warehouse_id": "big-depot",
                                           "item_id": "sandbags", "quantity": 1, "destination": "x"})
            done.set()
            pinger.join(30)
        took = time.monotonic() - started
        assert took > 0.5, f"the command took {took:.2f}s: too quick to show anything"
        assert len(answered_meanwhile) >= 10, f"{len(answered_meanwhile)} pings in {took:.1f}s"
        gaps = [b - a for a, b in zip([started, *answered_meanwhile], answered_meanwhile, strict=False)]
        assert max(gaps) < took / 2, f"pings stalled for {max(gaps):.2f}s of a {took:.2f}s command"
    finally:
        service.terminate()
        service.wait(30)
        log.close()
