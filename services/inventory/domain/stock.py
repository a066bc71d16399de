"""Stock of one item in one warehouse: every receipt and issue, never below zero."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.decider import Command, Decider, Event
from shared.errors import Conflict
from shared.ids import Name, Note, PositiveCount, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp


class ReceiveStock(Command):
    kind: Literal["receipt"] = "receipt"
    warehouse_id: Slug
    item_id: Slug
    quantity: PositiveCount
    source: Name = "purchase"
    reference: Name | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


class IssueStock(Command):
    kind: Literal["issue"] = "issue"
    warehouse_id: Slug
    item_id: Slug
    quantity: PositiveCount
    destination: Name
    reference: Name | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


StockCommand = ReceiveStock | IssueStock
MOVEMENTS: dict[str, type[ReceiveStock] | type[IssueStock]] = {
    "receipt": ReceiveStock, "issue": IssueStock,
}


class StockReceived(Event):
    warehouse_id: str
    item_id: str
    quantity: int
    source: str
    reference: str | None
    note: str | None


class StockIssued(Event):
    warehouse_id: str
    item_id: str
    quantity: int
    destination: str
    reference: str | None
    note: str | None


@dataclass(frozen=True)
class Stock:
    on_hand: int = 0


def decide(command: StockCommand, state: Stock) -> list[Event]:
    fields = command.model_dump(exclude={"kind", "occurred_at"})
    if isinstance(command, ReceiveStock):
        return [StockReceived(**fields)]
    if command.quantity > state.on_hand:
        raise Conflict(
            f"cannot issue {command.quantity} of {command.item_id}: only {state.on_hand} on hand "
            f"in {command.warehouse_id}",
            field="quantity", code="insufficient_stock",
        )
    return [StockIssued(**fields)]


def evolve(state: Stock, event: Event) -> Stock:
    if isinstance(event, StockReceived):
        return Stock(on_hand=state.on_hand + event.quantity)
    if isinstance(event, StockIssued):
        return Stock(on_hand=state.on_hand - event.quantity)
    return state


def stream_id(warehouse_id: str, item_id: str) -> str:
    return _stream_id("stock", warehouse_id, item_id)


stock = Decider[StockCommand, Stock](decide, evolve, Stock(), (StockReceived, StockIssued))
