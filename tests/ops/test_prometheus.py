"""A real Prometheus (Debian's) on loopback scrapes the running platform: a stock issue made
through the gateway shows in the stock gauge through Prometheus's own query API."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from services.launcher import PROCESSES, Platform
from services.local_prometheus import LocalPrometheus
from tests.ops.api import gateway, metrics_address
from tests.ports import free_port

DEADLINE_S = 30  # a scraped value shows in the query API about 5 s after the scrape


@pytest.fixture
def prometheus(platform: Platform) -> Iterator[LocalPrometheus]:
    targets = {name: [metrics_address(platform, name)] for name in PROCESSES}
    local = LocalPrometheus(free_port(), targets, interval_s=1)
    local.start()
    try:
        local.wait_ready()
        yield local
    finally:
        local.stop()


def poll(prometheus: LocalPrometheus, expression: str, done: Callable[[list[float]], bool]) -> list[float]:
    """The query's values, polled until `done` holds or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        values = [float(sample["value"][1]) for sample in prometheus.query(expression)]
        if done(values) or time.monotonic() > deadline:
            return values
        time.sleep(0.5)


def test_prometheus_scrapes_every_process_and_loads_the_alert_rules(prometheus: LocalPrometheus) -> None:
    up = poll(prometheus, 'sum(up{job="anbei"})', lambda values: values == [4.0])
    assert up == [4.0], prometheus.log()[-2000:]
    assert poll(prometheus, 'count(ALERTS{alertname="AnbeiServiceDown"}) or vector(0)',
                lambda values: True) == [0.0]
    assert "AnbeiReliefOverdue" in str(prometheus.rules())


def test_a_stock_issue_through_the_gateway_moves_the_stock_gauge_seen_in_prometheus(
    platform: Platform, prometheus: LocalPrometheus
) -> None:
    gauge = 'anbei_stock_on_hand{category_class="3"}'
    baseline = poll(prometheus, gauge, lambda values: len(values) == 1)
    assert len(baseline) == 1, prometheus.log()[-2000:]
    warehouse, item = f"w-{uuid.uuid4().hex[:8]}", f"i-{uuid.uuid4().hex[:8]}"
    gateway(platform, "POST", "/warehouses", {"warehouse_id": warehouse, "name": "Depot", "name_zh": "物资库",
                                              "kind": "township"})
    gateway(platform, "POST", "/items", {"item_id": item, "name": "sandbags", "name_zh": "编织袋",
                                         "unit": "bag", "category_code": "3999999"})
    status, _ = gateway(platform, "POST", f"/warehouses/{warehouse}/movements",
                        {"kind": "receipt", "item_id": item, "quantity": 1000})
    assert status == 201
    received = [baseline[0] + 1000]
    assert poll(prometheus, gauge, lambda values: values == received) == received

    status, answer = gateway(platform, "POST", f"/warehouses/{warehouse}/movements",
                             {"kind": "issue", "item_id": item, "quantity": 300, "destination": "Sanshipu"},
                             key=f"issue-{uuid.uuid4()}")
    assert (status, answer["on_hand"]) == (201, 700)

    issued = [baseline[0] + 700]
    assert poll(prometheus, gauge, lambda values: values == issued) == issued
