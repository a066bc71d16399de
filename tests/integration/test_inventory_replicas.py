"""Two inventory processes on one SQLite event store, each with its own read models, serving the
same RPC queue: clients in other OS processes issuing and reserving the same stock at once never
overdraw it, and both replicas end with the same, verified figures.

A second test takes the broker out and shows the race is real: two processes deciding on one
stream at the same moment, released together by a barrier, conflict, retry, and still never
overdraw.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves (clients import this module)
from tests.rabbit import rabbitmqctl

STOCK, CLIENTS, CALLS = 40, 4, 20
WAREHOUSE, ITEM = "flood-reserve", "life-jackets"


def _consumers(amqp_uri: str, queue: str) -> int:
    vhost = amqp_uri.rsplit("/", 1)[1]
    for row in rabbitmqctl("list_queues", "-p", vhost, "name", "consumers").splitlines():
        name, _, count = row.partition("\t")
        if name == queue:
            return int(count)
    return 0


@pytest.fixture
def two_replicas(amqp_uri: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {key: value for key, value in os.environ.items() if key not in ("VIEW_STORE_PATH",)}
    env |= {"AMQP_URI": amqp_uri, "EVENT_STORE_URL": f"sqlite:///{tmp_path}/inventory-events.db",
            "DATA_DIR": str(tmp_path), "RELAY_POLL_S": "0.2"}
    replicas = []
    for n in (1, 2):
        with open(tmp_path / f"replica-{n}.log", "wb") as log:
            replicas.append(subprocess.Popen(
                [sys.executable, "-m", "services.inventory"], stdout=log, stderr=subprocess.STDOUT,
                env=env | {"VIEW_STORE_PATH": str(tmp_path / f"views-{n}.db")}))
    try:
        deadline = time.monotonic() + 60
        while _consumers(amqp_uri, "rpc-inventory") < 2:
            assert time.monotonic() < deadline, "both replicas should consume the RPC queue"
            assert all(replica.poll() is None for replica in replicas)
            time.sleep(0.3)
        yield replicas
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            replica.wait(30)


def _client(amqp_uri: str, number: int, start: Any, results: Any) -> None:
    outcomes: Counter[str] = Counter()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        start.wait()
        for call in range(CALLS):
            line = {"warehouse_id": WAREHOUSE, "item_id": ITEM, "quantity": 1}
            try:
                if call % 2:
                    rpc.inventory.issue_stock({**line, "destination": "Dongqiao"})
                    outcomes["issued"] += 1
                else:
                    rpc.inventory.reserve_stock({**line, "reservation_id": f"c{number}-{call}",
                                                 "incident_id": "flood-0701"})
                    outcomes["reserved"] += 1
            except Exception as error:  # typed kernel errors come back as themselves
                outcomes[getattr(error, "code", type(error).__name__)] += 1
    results.put(dict(outcomes))


def test_two_replicas_issuing_and_reserving_the_same_stock_never_overdraw_it(
    two_replicas: list[subprocess.Popen[bytes]], amqp_uri: str
) -> None:
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        rpc.inventory.register_warehouse({"warehouse_id": WAREHOUSE, "name": "District reserve",
                                          "name_zh": "区防汛物资仓库", "kind": "district"})
        rpc.inventory.register_item({"item_id": ITEM, "name": "life jackets", "name_zh": "救生衣",
                                     "unit": "件", "category_code": "2999999"})
        rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": WAREHOUSE, "item_id": ITEM,
                                       "quantity": STOCK})
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    clients = [context.Process(target=_client, args=(amqp_uri, n, start, results)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    start.set()
    totals: Counter[str] = Counter()
    for _ in clients:
        totals.update(results.get(timeout=240))
    for client in clients:
        client.join(30)

    taken = totals["issued"] + totals["reserved"]
    assert taken <= STOCK, totals
    assert totals["insufficient_stock"] > 0, totals
    assert sum(totals.values()) == CLIENTS * CALLS
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        answers = [(rpc.inventory.get_stock_line(WAREHOUSE, ITEM), rpc.inventory.verify()) for _ in range(6)]
    for line, report in answers:  # the calls land on both replicas
        assert report["ok"], report
        assert (line["on_hand"], line["reserved"]) == (STOCK - totals["issued"], totals["reserved"])
        assert line["available"] == STOCK - taken >= 0


def _contend(path: str, views: str, rounds: int, barrier: Any, results: Any) -> None:
    from services.inventory import handlers
    from services.inventory.domain.stock_commands import IssueStock
    from services.inventory.projections import PROJECTIONS
    from shared.application import Application, CommandContext
    from shared.errors import Conflict
    from shared.projections import ProjectionRunner
    from shared.store.base import ConcurrencyError
    from shared.store.sqlite import SQLiteEventStore
    from shared.views import ViewStore

    store = SQLiteEventStore(path)
    conflicts = 0
    real_append = store.append

    def counting_append(*args: Any) -> Any:
        nonlocal conflicts
        try:
            return real_append(*args)
        except ConcurrencyError:
            conflicts += 1
            raise

    store.append = counting_append  # type: ignore[method-assign,assignment]
    app = Application(store, ProjectionRunner(store, ViewStore(views), PROJECTIONS))
    issued = refused = 0
    for _ in range(rounds):
        barrier.wait()
        command = IssueStock(warehouse_id=WAREHOUSE, item_id=ITEM, quantity=1, destination="Dongqiao")
        try:
            handlers.change_stock(app, command, CommandContext(command_id=str(uuid.uuid4())))
            issued += 1
        except Conflict:
            refused += 1
    results.put((issued, refused, conflicts))


def test_two_processes_deciding_on_one_stream_at_once_conflict_retry_and_never_overdraw(
    tmp_path: Path,
) -> None:
    from services.inventory import handlers
    from services.inventory.domain.items import RegisterItem
    from services.inventory.domain.stock_commands import ReceiveStock
    from services.inventory.domain.warehouses import RegisterWarehouse
    from services.inventory.projections import PROJECTIONS
    from shared.application import Application, CommandContext
    from shared.projections import ProjectionRunner
    from shared.store.sqlite import SQLiteEventStore
    from shared.views import ViewStore

    path = str(tmp_path / "events.db")
    store = SQLiteEventStore(path)
    app = Application(store, ProjectionRunner(store, ViewStore(tmp_path / "views.db"), PROJECTIONS))
    depot = RegisterWarehouse(warehouse_id=WAREHOUSE, name="District reserve", name_zh="区仓库",
                              kind="district")
    jackets = RegisterItem(item_id=ITEM, name="life jackets", name_zh="救生衣", unit="件",
                           category_code="2999999")
    handlers.change_warehouse(app, depot, CommandContext(command_id="w"))
    handlers.register_item(app, jackets, CommandContext(command_id="i"))
    handlers.change_stock(app, ReceiveStock(warehouse_id=WAREHOUSE, item_id=ITEM, quantity=25),
                          CommandContext(command_id="r"))

    rounds = 30
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_contend, args=(path, str(tmp_path / f"views-{n}.db"), rounds, barrier,
                                                       results)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=240) for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0

    issued = sum(outcome[0] for outcome in outcomes)
    conflicts = sum(outcome[2] for outcome in outcomes)
    assert issued == 25 and sum(outcome[1] for outcome in outcomes) == 2 * rounds - 25
    assert conflicts > 0, "the two processes should have raced on the stream"
    from services.inventory.domain import stock, stock_rules

    state = app.load(stock.stream_id(WAREHOUSE, ITEM), stock_rules.stock)[0]
    assert (state.on_hand, state.available) == (0, 0)
