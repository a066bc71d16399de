"""Every inventory aggregate's state survives a pydantic round trip, as the kernel's snapshots need."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from services.inventory.domain import imports, items, transfers, warehouses
from services.inventory.domain.census import Catalogue
from services.inventory.domain.imports import StageImport
from services.inventory.domain.transfers import RecordDispatch
from tests.unit.inventory_factories import OPEN, dispatched, given, issued, lot, received, reserved
from tests.unit.test_inventory_registers_domain import agreement, register_item, requested

SOON = date(2025, 1, 1)


def states() -> list[Any]:
    transfer = transfers.transfers.fold(transfers.decide(RecordDispatch(
        transfer_id="t1", from_warehouse_id="a1", to_warehouse_id="b1", item_id="i1", quantity=3,
        lots=(lot("a", 3, SOON),)), transfers.Transfer(), OPEN))
    staged = imports.imports.fold(imports.decide(
        StageImport(import_id="census-1", csv="warehouse_id,item_id,quantity\nw1,i1,5\n"), imports.Import(),
        Catalogue(open_warehouses=frozenset({"w1"}), shelf_life={"i1": None})))
    return [
        given(received(10, "a", SOON), reserved("r1", 2), issued(1, [lot("a", 1, SOON)]),
              dispatched("t1", 3, [lot("a", 3, SOON)])),
        transfer, staged, agreement(requested()),
        items.items.fold(items.decide(register_item(), items.Item())),
        warehouses.Warehouse(registered=True, closed=True),
    ]


@pytest.mark.parametrize("state", states(), ids=lambda state: type(state).__name__)
def test_a_state_round_trips_through_pydantic_json(state: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(type(state))
    assert adapter.validate_json(adapter.dump_json(state)) == state
