"""Two inventory replicas (the launcher's INVENTORY_REPLICAS=2) on one store, as real processes,
while clients write through the gateway: one replica dies by SIGKILL, the relay leader is paused
by SIGSTOP past its lease, and four clients issue the same scarce stock at once.

What each test asserts is in its docstring. The relay lease lasts 10 s (`shared.leases`): a
holder that stops renewing is replaced after at most that, so each test is bounded by a
minute or two."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive over RPC as themselves
from services.inventory.domain import stock
from services.launcher import Platform
from tests.api_client import Api
from tests.fault.replica_support import (
    WRITER,
    Recorder,
    pause_outside_a_write,
    published_through,
    relay_lease,
    store_events,
    wait_for_lease,
    writing,
)
from tests.platform import issue_token, running_platform
from tests.private_rabbit import bind_event_queue, wait_until
from tests.rabbit import fresh_vhost

LEASE_S = 10.0  # shared.leases.Leadership's default lease time
WAREHOUSE = "fault-depot"


@pytest.fixture
def two_inventories(tmp_path: Path) -> Iterator[tuple[Platform, str, Recorder]]:
    """The platform with two inventory replicas, and a recorder of every inventory event the
    relays publish (its queue bound before anything is published)."""
    with fresh_vhost() as amqp_uri:
        queue = bind_event_queue(amqp_uri, "inventory", "fault-count-inventory")
        with running_platform(amqp_uri, tmp_path / "data", {"RPC_TIMEOUT_S": "5"},
                              replicas={"inventory": 2}) as platform, Recorder(amqp_uri, queue) as recorder:
            yield platform, amqp_uri, recorder


def _stock(api: Api, items: list[str], quantity: int = 0) -> None:
    assert api.post("/warehouses", {"warehouse_id": WAREHOUSE, "name": "Fault depot", "name_zh": "物资库",
                                    "kind": "township"}).status_code == 201
    for item in items:
        assert api.post("/items", {"item_id": item, "name": item, "name_zh": "测试物资", "unit": "件",
                                   "category_code": "3999999"}).status_code == 201
        if quantity:
            assert api.post(f"/warehouses/{WAREHOUSE}/movements",
                            {"kind": "receipt", "item_id": item, "quantity": quantity}).status_code == 201


def _verify_on_every_replica(amqp_uri: str, calls: int = 6) -> list[dict[str, Any]]:
    """`verify` answered by both replicas (RabbitMQ hands the calls out in turn)."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        return [rpc.inventory.verify() for _ in range(calls)]


def _on_hand(amqp_uri: str, item: str) -> list[int]:
    """The line's on-hand figure as both replicas answer it."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        return [rpc.inventory.get_stock_line(WAREHOUSE, item)["on_hand"] for _ in range(4)]


def test_a_replica_killed_under_load_loses_nothing_and_the_relay_lease_moves_and_moves_back(
    two_inventories: tuple[Platform, str, Recorder], tmp_path: Path,
) -> None:
    """Two clients post receipts through the gateway for 25 s; 4 s in, the replica holding the
    relay lease is SIGKILLed, and restarted 8 s later. Asserted: the survivor takes the lease
    (next epoch) and only it holds it while the restarted one runs; every acknowledged write
    is in the store; every committed event reaches a consumer, no position twice within one
    epoch (a repeat only across the takeover); on both replicas the read models equal a
    rebuild (so no event was applied twice) and show every receipt in the store. Then the
    survivor is SIGKILLed too: the lease moves back to the restarted replica (a third epoch),
    which publishes the rest."""
    platform, amqp_uri, recorder = two_inventories
    api = Api(platform.url, issue_token(platform, "admin", user=WRITER))
    items = [f"item-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    _stock(api, items)
    first = wait_for_lease(platform, "inventory", 20)
    survivor = next(name for name in platform.replicas("inventory") if name != first.holder)
    (tmp_path / "writes").mkdir()

    with writing(platform.url, issue_token(platform, "admin", user=WRITER),
                 [f"{WAREHOUSE}/{item}" for item in items], 25, tmp_path / "writes") as writes:
        time.sleep(4)
        platform.processes[first.holder].send_signal(signal.SIGKILL)
        assert platform.processes[first.holder].wait(10) == -signal.SIGKILL
        moved = wait_for_lease(platform, "inventory", LEASE_S + 10, after_epoch=first.epoch)
        assert (moved.holder, moved.epoch) == (survivor, first.epoch + 1)
        time.sleep(2)
        platform.spawn(first.holder)
        wait_until(lambda: platform.healthy(first.holder), 60, f"{first.holder} restarted", interval_s=0.3)
    acked = [write for write in writes if write.status == 201]
    assert len(acked) > 50 and {w.status for w in writes} <= {201, 503}, Counter(w.status for w in writes)
    assert relay_lease(platform, "inventory") == moved  # the restarted replica did not take it back

    events = store_events(platform, "inventory")
    assert {write.event_id for write in acked} <= {event_id for _, event_id, _ in events}
    recorder.wait_for(len(events), 30)
    by_epoch = Counter((d.epoch, d.position) for d in recorder.deliveries)
    assert [key for key, count in by_epoch.items() if count > 1] == []
    assert {d.epoch for d in recorder.deliveries} <= {first.epoch, moved.epoch}

    for report in _verify_on_every_replica(amqp_uri):
        assert report["ok"] and report["position"] == report["head"] == len(events), report
    for item in items:
        receipts = sum(1 for _, _, stream in events if stream == stock.stream_id(WAREHOUSE, item))
        assert set(_on_hand(amqp_uri, item)) == {receipts}  # each receipt is one unit

    platform.processes[survivor].send_signal(signal.SIGKILL)
    platform.processes[survivor].wait(10)
    back = wait_for_lease(platform, "inventory", LEASE_S + 10, after_epoch=moved.epoch)
    assert (back.holder, back.epoch) == (first.holder, moved.epoch + 1)
    status = api.post(f"/warehouses/{WAREHOUSE}/movements", {"kind": "receipt", "item_id": items[0],
                                                             "quantity": 1}).status_code
    assert status == 201
    head = len(store_events(platform, "inventory"))
    recorder.wait_for(head, 30)
    assert any(d.epoch == back.epoch for d in recorder.deliveries)
    wait_until(lambda: published_through(platform, "inventory") == head, 30, "the relay's checkpoint")
    platform.spawn(survivor)
    wait_until(lambda: platform.healthy(survivor), 60, f"{survivor} restarted", interval_s=0.3)


def test_a_relay_leader_paused_past_its_lease_publishes_nothing_after_it_wakes(
    two_inventories: tuple[Platform, str, Recorder], tmp_path: Path,
) -> None:
    """The lease holder is SIGSTOPped for 14 s (longer than its 10 s lease), at a moment it holds
    no write transaction (see `pause_outside_a_write`), while receipts keep
    arriving through the gateway, then SIGCONTed. Asserted: the other replica took the lease
    (next epoch) and published every event; after SIGCONT not one message from the paused
    replica's relay arrives, under any epoch (messages name their relay; checked over 6 s of
    further writes); a position published under both epochs
    appears at most once in each (the bound: what the old leader had sent but not yet
    checkpointed when it stopped, at most one batch), and every event arrives."""
    platform, amqp_uri, recorder = two_inventories
    api = Api(platform.url, issue_token(platform, "admin", user=WRITER))
    item = f"item-{uuid.uuid4().hex[:6]}"
    _stock(api, [item])
    old = wait_for_lease(platform, "inventory", 20)
    leader = platform.processes[old.holder]
    (tmp_path / "writes").mkdir()
    with writing(platform.url, issue_token(platform, "admin", user=WRITER), [f"{WAREHOUSE}/{item}"], 26,
                 tmp_path / "writes") as writes:
        time.sleep(3)
        pause_outside_a_write(platform, old.holder, "inventory")
        try:
            new = wait_for_lease(platform, "inventory", LEASE_S + 10, after_epoch=old.epoch)
            assert new.holder != old.holder and new.epoch == old.epoch + 1
            time.sleep(max(0.0, 14 - LEASE_S))
        finally:
            os.kill(leader.pid, signal.SIGCONT)
        woke = time.monotonic()
        time.sleep(6)
    assert leader.poll() is None, "the paused replica should carry on after SIGCONT"
    assert sum(write.status == 201 for write in writes) > 20

    head = len(store_events(platform, "inventory"))
    recorder.wait_for(head, 30)
    time.sleep(1)
    paused_relay = {d.relay for d in recorder.deliveries if d.epoch == old.epoch}
    assert len(paused_relay) == 1, paused_relay  # one process published under the old epoch
    late = [d for d in recorder.deliveries if d.relay in paused_relay and d.received > woke]
    assert late == [], f"{len(late)} messages from the paused leader after it woke, e.g. {late[:2]}"
    assert {d.epoch for d in recorder.deliveries} == {old.epoch, new.epoch}
    per_epoch = Counter((d.epoch, d.position) for d in recorder.deliveries)
    assert [key for key, count in per_epoch.items() if count > 1] == []
    twice = sorted(p for p, n in Counter(d.position for d in recorder.deliveries).items() if n > 1)
    assert len(twice) <= 2000  # the relay's batch
    assert relay_lease(platform, "inventory") == new
    for report in _verify_on_every_replica(amqp_uri):
        assert report["ok"], report


STOCK, CLIENTS, ISSUES = 60, 4, 15  # 4 × 15 issues of 1 to 3 units ask for 120, there are 60


def _issue(base_url: str, token: str, item: str, number: int, results: Any) -> None:
    api = Api(base_url, token)
    answers = []
    for call in range(ISSUES):
        quantity = 1 + (number + call) % 3
        body = {"kind": "issue", "item_id": item, "quantity": quantity, "destination": "Dongqiao"}
        response = api.post(f"/warehouses/{WAREHOUSE}/movements", body)
        body = response.json()
        answers.append((response.status_code, quantity, body.get("code"), body.get("message")))
    results.put(answers)


def test_two_replicas_issuing_the_same_scarce_stock_never_overdraw_and_refuse_with_409(
    two_inventories: tuple[Platform, str, Recorder],
) -> None:
    """Four client processes issue 1 to 3 units at a time through the gateway (so through both
    replicas), asking for twice the stock there is. Asserted: every answer is a 201 or a 409
    `insufficient_stock` that says what is available; the units issued by the 201s equal the
    stock's drop exactly; the line ends at or above zero; both replicas verify (no negative
    stock in their read models) and show the same figures."""
    platform, amqp_uri, _ = two_inventories
    token = issue_token(platform, "admin", user=WRITER)
    api = Api(platform.url, token)
    item = f"item-{uuid.uuid4().hex[:6]}"
    _stock(api, [item], quantity=STOCK)
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    clients = [spawn.Process(target=_issue, args=(platform.url, token, item, n, results))
               for n in range(CLIENTS)]
    for client in clients:
        client.start()
    answers = [answer for _ in clients for answer in results.get(timeout=240)]
    for client in clients:
        client.join(30)
    statuses = Counter(status for status, *_ in answers)
    assert set(statuses) <= {201, 409} and statuses[409] > 0, statuses
    refusals = [(code, message) for status, _, code, message in answers if status == 409]
    assert {code for code, _ in refusals} == {"insufficient_stock"}, refusals[:3]
    assert all("available" in message for _, message in refusals), refusals[:3]
    issued = sum(quantity for status, quantity, *_ in answers if status == 201)
    on_hand = set(_on_hand(amqp_uri, item))
    assert on_hand == {STOCK - issued} and STOCK - issued >= 0, (on_hand, issued)
    for report in _verify_on_every_replica(amqp_uri):
        assert report["ok"] and not report["violations"], report
