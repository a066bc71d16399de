"""Every running service's real exposition passes `promtool check metrics` and shows the
RED, kernel and business metrics its work produces."""

from __future__ import annotations

import operator
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from services.launcher import PROCESSES, Platform
from tests.ops.api import gateway, scrape
from tests.ops.tools import run


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the one sample of `name` whose labels include `labels`, if any."""
    for line in exposition.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{key}="{value}"' in match.group(1) for key, value in labels.items()):
            return float(match.group(2))
    return None


def eventually(read: Callable[[], float | None], done: Callable[[float | None], bool],
               deadline_s: float = 15) -> float | None:
    deadline = time.monotonic() + deadline_s
    while not done(value := read()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


@pytest.mark.parametrize("process", PROCESSES)
def test_promtool_finds_nothing_to_lint_in_each_process_exposition(platform: Platform, process: str) -> None:
    exposition = scrape(platform, process)
    checked = run("promtool", "check", "metrics", stdin=exposition)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
    assert "# HELP anbei_entrypoint_requests_total" in exposition


@pytest.mark.parametrize("process", PROCESSES)
def test_each_process_answers_its_health_check_on_the_metrics_port(platform: Platform, process: str) -> None:
    assert scrape(platform, process, "/healthz") == "ok\n"


def test_a_stock_movement_through_the_gateway_shows_in_red_kernel_and_business_metrics(
    platform: Platform,
) -> None:
    warehouse, item = f"w-{uuid.uuid4().hex[:8]}", f"i-{uuid.uuid4().hex[:8]}"
    assert gateway(platform, "POST", "/warehouses", {"warehouse_id": warehouse, "name": "Depot",
                                                     "name_zh": "物资库", "kind": "township"})[0] == 201
    assert gateway(platform, "POST", "/items", {"item_id": item, "name": "pumps", "name_zh": "水泵",
                                                "unit": "set", "category_code": "1999999"})[0] == 201
    before = scrape(platform, "inventory")
    movement = {"kind": "receipt", "item_id": item, "quantity": 5}
    assert gateway(platform, "POST", f"/warehouses/{warehouse}/movements", movement)[0] == 201
    too_many = {"kind": "issue", "item_id": item, "quantity": 50, "destination": "Sanshipu"}
    assert gateway(platform, "POST", f"/warehouses/{warehouse}/movements", too_many)[0] == 409

    def inventory(name: str, **labels: str) -> Callable[[], float | None]:
        return lambda: sample(scrape(platform, "inventory"), name, **labels)

    def grew(name: str, by: float, **labels: str) -> None:
        start = sample(before, name, **labels) or 0.0
        assert eventually(inventory(name, **labels), lambda value: value == start + by) == start + by, name

    grew("anbei_entrypoint_requests_total", 1, entrypoint="record_movement", type="rpc", outcome="ok")
    grew("anbei_entrypoint_requests_total", 1, entrypoint="record_movement", type="rpc", outcome="conflict")
    grew("anbei_events_appended_total", 1, aggregate="stock")
    grew("anbei_stock_on_hand", 5, category_class="1")
    published_before = sample(before, "anbei_events_published_total") or 0.0
    # at least the receipt; the warehouse's and item's events may be published after `before`
    published = eventually(inventory("anbei_events_published_total"),
                           lambda value: value is not None and value >= published_before + 1)
    assert published is not None and published >= published_before + 1
    assert sample(scrape(platform, "inventory"), "anbei_outbox_backlog_events") is not None
    assert sample(scrape(platform, "inventory"), "anbei_projection_lag_events") == 0

    at_gateway = scrape(platform, "gateway")
    assert sample(at_gateway, "anbei_entrypoint_requests_total", entrypoint="record_movement", type="http",
                  outcome="conflict") is not None
    assert f"/warehouses/{warehouse}" not in at_gateway  # routes are labelled by name, never by path


def test_a_line_set_below_its_minimum_and_a_lot_expiring_soon_show_in_the_reserve_gauges(
    platform: Platform,
) -> None:
    warehouse, item = f"w-{uuid.uuid4().hex[:8]}", f"i-{uuid.uuid4().hex[:8]}"
    assert gateway(platform, "POST", "/warehouses", {"warehouse_id": warehouse, "name": "Depot",
                                                     "name_zh": "物资库", "kind": "township"})[0] == 201
    assert gateway(platform, "POST", "/items", {"item_id": item, "name": "water", "name_zh": "饮用水",
                                                "unit": "case", "category_code": "1999999"})[0] == 201
    before = scrape(platform, "inventory")
    soon = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    receipt = {"kind": "receipt", "item_id": item, "quantity": 5, "lot": "W1", "expires_on": soon}
    assert gateway(platform, "POST", f"/warehouses/{warehouse}/movements", receipt)[0] == 201
    minimum = f"/warehouses/{warehouse}/stock/{item}/minimum"
    assert gateway(platform, "PUT", minimum, {"minimum": 50})[0] == 200

    def class_1(name: str) -> Callable[[], float | None]:
        return lambda: sample(scrape(platform, "inventory"), name, category_class="1")

    for name in ("anbei_stock_below_minimum_lines", "anbei_stock_lots_expiring_soon"):
        wanted = (sample(before, name, category_class="1") or 0.0) + 1
        assert eventually(class_1(name), partial(operator.eq, wanted)) == wanted, name


def test_the_readiness_gauges_are_exposed_for_every_team_type_and_capability(platform: Platform) -> None:
    exposition = scrape(platform, "teams")
    assert sample(exposition, "anbei_teams_stale", team_type="militia") is not None
    assert sample(exposition, "anbei_people_available", capability="forest_fire") is not None


def test_a_late_report_and_an_open_flood_show_in_the_incident_gauges(platform: Platform) -> None:
    before = scrape(platform, "incidents")
    happened = datetime.now(UTC) - timedelta(hours=3)
    report = {"incident_id": f"flood-{uuid.uuid4().hex[:8]}", "title": "Seepage", "incident_type": "flood",
              "category": "natural_disaster", "township": "Dongqiao", "reported_by": "officer",
              "affected_people": 40, "occurred_at": happened.isoformat(),
              "reported_at": (happened + timedelta(hours=2)).isoformat()}
    assert gateway(platform, "POST", "/incidents", report)[0] == 201

    def incidents(name: str, **labels: str) -> Callable[[], float | None]:
        return lambda: sample(scrape(platform, "incidents"), name, **labels)

    for name, labels in (("anbei_incident_reports_late_total", {"grade": "none"}),
                         ("anbei_incidents_open_by_response_level", {"level": "none"}),
                         ("anbei_relief_pending_incidents", {"clock": "on_track"})):
        wanted = (sample(before, name, **labels) or 0.0) + 1
        assert eventually(incidents(name, **labels), partial(operator.eq, wanted)) == wanted, name
    overdue = sample(scrape(platform, "incidents"), "anbei_relief_pending_incidents", clock="overdue")
    assert overdue is not None  # every state is exported, zeros too
