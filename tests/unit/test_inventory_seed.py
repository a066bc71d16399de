"""The inventory seed: every record is a valid command, and the figures are the district plan's."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from services.inventory.domain.agreements import RegisterAgreement
from services.inventory.domain.items import RegisterItem
from services.inventory.domain.stock_commands import ReceiveStock, SetMinimumLevel
from services.inventory.domain.warehouses import RegisterWarehouse
from shared.decider import Command, parse

SEED: dict[str, Any] = json.loads((files("services") / "seed" / "inventory.json").read_text())
MODELS: dict[str, type[Command]] = {"items": RegisterItem, "warehouses": RegisterWarehouse,
                                    "receipts": ReceiveStock, "agreements": RegisterAgreement}


@pytest.mark.parametrize(("section", "record"), [(s, r) for s in MODELS for r in SEED[s]],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_seed_record_is_a_valid_command(section: str, record: dict[str, Any]) -> None:
    parse(MODELS[section], record)


def test_every_minimum_level_is_a_valid_command_with_its_basis() -> None:
    for level in SEED["minimum_levels"]:
        parse(SetMinimumLevel, {key: value for key, value in level.items() if key != "basis"})
        assert level["basis"]


def test_the_seed_refers_only_to_its_own_items_and_warehouses() -> None:
    items = {item["item_id"] for item in SEED["items"]}
    warehouses = {warehouse["warehouse_id"] for warehouse in SEED["warehouses"]}
    lines = [*SEED["receipts"], *SEED["minimum_levels"]]
    assert {line["item_id"] for line in lines} <= items
    assert {line["warehouse_id"] for line in lines} <= warehouses
    assert {line["item_id"] for a in SEED["agreements"] for line in a["lines"]} <= items


def test_the_district_reserve_holds_the_stock_on_record_in_the_plan() -> None:
    stock = {r["item_id"]: r["quantity"] for r in SEED["receipts"]
             if r["warehouse_id"] == "jinan-flood-reserve"}
    assert stock == {"woven-sandbags": 290_000, "rubber-boats": 32, "assault-boats": 10,
                     "drainage-pump-sets": 46, "life-jackets": 2_253, "generators": 11}
    minimums = {m["item_id"]: m["minimum"] for m in SEED["minimum_levels"]}
    assert minimums == stock


def test_the_forest_fire_depot_and_its_command_equipment() -> None:
    [depot] = [w for w in SEED["warehouses"] if w["kind"] == "forest_fire"]
    assert depot["area_m2"] == 53
    kit = {"wind-extinguishers", "chainsaws", "brush-cutters", "water-pumps", "fire-suits"}
    assert kit <= {item["item_id"] for item in SEED["items"]}
    held = {r["item_id"]: r["quantity"] for r in SEED["receipts"]
            if r["warehouse_id"] == depot["warehouse_id"]}
    assert held == {"command-vehicles": 2, "radios": 15}


def test_the_eight_contracted_companies_are_an_agreement_reserve_with_their_equipment() -> None:
    [agreement] = SEED["agreements"]
    assert agreement["people"] == 310
    assert {line["item_id"]: line["quantity"] for line in agreement["lines"]} == {
        "excavators": 45, "bulldozers": 8, "loaders": 8, "transport-trucks": 68, "lifting-equipment": 2,
        "drainage-pump-sets": 28}
