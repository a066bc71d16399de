"""Reading after one's own write on any replica: the position a caller asks each service for."""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.gateway.openapi import READ_AFTER_SCHEMA
from services.inventory import handlers
from services.inventory.domain.warehouses import RegisterWarehouse
from services.inventory.projections import PROJECTIONS
from shared.application import CommandContext
from shared.config import SERVICES
from shared.errors import InvalidCommand, Unavailable
from shared.projections import ProjectionRunner
from shared.read_after import (
    READ_AFTER,
    WorkerApplication,
    format_read_after,
    merge,
    parse_read_after,
    positioned,
    read_after,
    unwrap,
)
from shared.testing import in_memory_application
from shared.views import ViewStore


@pytest.mark.parametrize(("value", "service", "position"), [
    ("inventory=123,teams=45", "inventory", 123),
    ("inventory=123, teams=45", "teams", 45),
    ("inventory=123", "incidents", 0),
    ("inventory=lots", "inventory", 0),
    ("inventory=-5", "inventory", 0),
    (None, "inventory", 0),
    (42, "inventory", 0),
])
def test_each_service_reads_its_own_position_from_the_callers_context(
    value: object, service: str, position: int
) -> None:
    assert read_after(value, service) == position


def _warehouse(n: int) -> RegisterWarehouse:
    return RegisterWarehouse(warehouse_id=f"w{n}", name=f"Depot {n}", name_zh="仓库", kind="township")


@pytest.mark.parametrize(("text", "positions"), [
    ("inventory=1234", {"inventory": 1234}),
    (" teams = 5 , inventory=0", {"teams": 5, "inventory": 0}),
    ("incidents=9,inventory=1,teams=2", {"incidents": 9, "inventory": 1, "teams": 2}),
])
def test_a_well_formed_header_names_each_services_position(text: str, positions: dict[str, int]) -> None:
    assert parse_read_after(text, SERVICES) == positions


@pytest.mark.parametrize(("text", "why"), [
    ("", "service=position pairs"),
    ("inventory", "service=position pairs"),
    ("inventory=-1", "service=position pairs"),
    ("inventory=12x", "service=position pairs"),
    ("inventory=1,,teams=2", "service=position pairs"),
    ("gateway=3", "not one of inventory, teams, incidents"),
    ("inventory=1,inventory=2", "names inventory twice"),
    ("inventory=99999999999999999999", "service=position pairs"),
    ("inventory=9999999999999999999", "out of range"),
])
def test_a_malformed_header_is_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_read_after(text, SERVICES)


@pytest.mark.parametrize("text", [
    "inventory=1234", " teams = 5 , inventory=0", "incidents=9,inventory=1,teams=2",
    "gateway=3", "inventory=-1",
])
def test_the_documented_header_pattern_accepts_the_service_names_the_parser_does(text: str) -> None:
    try:
        parse_read_after(text, SERVICES)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.fullmatch(READ_AFTER_SCHEMA["pattern"], text)) == parsed


def test_merged_positions_keep_each_services_highest_and_format_in_name_order() -> None:
    assert format_read_after(merge({"teams": 4, "inventory": 9}, {"inventory": 12})) == "inventory=12,teams=4"


def test_only_a_positioned_reply_is_unwrapped() -> None:
    assert unwrap(positioned({"a": 1}, 7)) == ({"a": 1}, 7)
    assert unwrap({"a": 1}) == ({"a": 1}, None)
    assert unwrap(None) == (None, None)


def test_a_worker_reports_the_highest_position_its_commands_reached_and_a_retry_the_originals() -> None:
    app = in_memory_application(PROJECTIONS)
    handlers.change_warehouse(app, _warehouse(1), CommandContext(command_id="first"))
    worker = WorkerApplication(app)
    first = handlers.change_warehouse(worker, _warehouse(2), CommandContext(command_id="second"))  # type: ignore[arg-type]
    assert worker.position() == first.position == app.store.head_position() == 2
    handlers.change_warehouse(app, _warehouse(3), CommandContext(command_id="third"))
    retry = WorkerApplication(app)
    replayed = handlers.change_warehouse(retry, _warehouse(2), CommandContext(command_id="second"))  # type: ignore[arg-type]
    assert replayed.replayed and retry.position() == 2


def test_a_worker_whose_commands_recorded_nothing_reports_the_stores_head() -> None:
    app = in_memory_application(PROJECTIONS)
    handlers.change_warehouse(app, _warehouse(1), CommandContext(command_id="first"))
    assert WorkerApplication(app).position() == 1


def _replica_of(app: Any) -> Any:
    """A second replica's Application on the same store, with read models of its own."""
    return type(app)(app.store, ProjectionRunner(app.store, ViewStore(":memory:"), PROJECTIONS))


def test_a_read_after_a_write_on_another_replica_waits_until_its_read_models_hold_it() -> None:
    writer = in_memory_application(PROJECTIONS)
    position = handlers.change_warehouse(writer, _warehouse(1), CommandContext(command_id="w")).position
    reader = _replica_of(writer)
    WorkerApplication(reader, read_after=position).await_read_after()
    assert reader.runner.checkpoint() == position


def test_a_replica_that_cannot_catch_up_in_time_answers_unavailable_not_stale() -> None:
    writer = in_memory_application(PROJECTIONS)
    position = handlers.change_warehouse(writer, _warehouse(1), CommandContext(command_id="w")).position
    reader = _replica_of(writer)
    reader.runner.catch_up_to = lambda *args, **kwargs: False  # its read models are stuck
    with pytest.raises(Unavailable) as refused:
        WorkerApplication(reader, read_after=position, wait_s=0.1).await_read_after()
    assert refused.value.code == "read_models_behind"


def test_a_position_past_the_stores_head_is_refused_at_once() -> None:
    app = in_memory_application(PROJECTIONS)
    with pytest.raises(InvalidCommand) as refused:
        WorkerApplication(app, read_after=5).await_read_after()
    assert refused.value.field == READ_AFTER
