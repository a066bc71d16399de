"""Factories for inventory unit tests: commands, events and facts with overridable defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.inventory.domain import stock_rules
from services.inventory.domain.items import Item
from services.inventory.domain.lots import LotQuantity
from services.inventory.domain.stock import (
    Stock,
    StockIssued,
    StockReceived,
    StockReserved,
    StockTransferredOut,
)
from services.inventory.domain.stock_commands import StockFacts
from services.inventory.domain.warehouses import Warehouse
from shared.decider import Command, Event, parse

WAREHOUSE, ITEM = "flood-reserve", "life-jackets"
NOW = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 in China
OPEN = Warehouse(registered=True)
CLOSED = Warehouse(registered=True, closed=True)
CATALOGUED = Item(registered=True, unit="件")


def line(**fields: Any) -> dict[str, Any]:
    return {"warehouse_id": WAREHOUSE, "item_id": ITEM, **fields}


def command(model: type[Command], **fields: Any) -> Any:
    return parse(model, line(**fields))


def facts(**overrides: Any) -> StockFacts:
    values: dict[str, Any] = {"as_of": NOW, "warehouse": OPEN, "item": CATALOGUED}
    return StockFacts(**(values | overrides))


def given(*events: Event) -> Stock:
    return stock_rules.stock.fold(events)


def decide(cmd: Any, state: Stock, **fact_overrides: Any) -> list[Event]:
    return stock_rules.decide(cmd, state, facts(**fact_overrides))


def received(quantity: int, lot: str = "", expires_on: date | None = None, **fields: Any) -> StockReceived:
    return StockReceived(**line(quantity=quantity, source="purchase", reference=None, note=None, lot=lot,
                                expires_on=expires_on, **fields))


def reserved(reservation_id: str, quantity: int, incident_id: str | None = "flood-0701") -> StockReserved:
    return StockReserved(**line(reservation_id=reservation_id, quantity=quantity, incident_id=incident_id,
                                note=None))


def issued(quantity: int, lots: list[LotQuantity], **fields: Any) -> StockIssued:
    return StockIssued(**line(quantity=quantity, destination="Dongqiao", reference=None, note=None,
                              lots=lots, **fields))


def dispatched(transfer_id: str, quantity: int, lots: list[LotQuantity]) -> StockTransferredOut:
    return StockTransferredOut(**line(transfer_id=transfer_id, to_warehouse_id="mayan-depot",
                                      quantity=quantity, lots=lots, reference=None, note=None))


def lot(name: str, quantity: int, expires_on: date | None = None) -> LotQuantity:
    return LotQuantity(lot=name, quantity=quantity, expires_on=expires_on)
