"""Stock of one item in one warehouse: its events, its state, and how events change it.

The line knows what is on hand (by lot), what is reserved for incidents, and what it
has sent on its way to other warehouses (in transit until received). Available is on
hand minus reserved, and never negative. Decisions live in `stock_rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pydantic import Field

from shared.decider import Event, evolved
from shared.streams import stream_id as _stream_id

from .lots import Lot, LotQuantity, apply


class StockReceived(Event):
    """Stock was received into a warehouse, into one lot."""

    meaning_zh = "物资入库，计入一个批次。"

    warehouse_id: str
    item_id: str
    quantity: int
    source: str
    reference: str | None
    note: str | None
    lot: str = ""
    expires_on: date | None = None
    import_id: str | None = None


class StockIssued(Event):
    """Stock was issued from a warehouse, for instance to an incident, out of its lots."""

    meaning_zh = "物资出库发放（例如发往突发事件），按批次扣减。"

    warehouse_id: str
    item_id: str
    quantity: int
    destination: str
    reference: str | None
    note: str | None
    incident_id: str | None = None
    reservation_id: str | None = None
    lots: list[LotQuantity] = Field(default_factory=list)


class StockWrittenOff(Event):
    """Stock was written off (damaged, expired or lost) and left the warehouse's stock."""

    meaning_zh = "物资报废核销（损坏、过期或丢失），从库存中减除。"

    warehouse_id: str
    item_id: str
    quantity: int
    reason: str
    note: str | None
    lots: list[LotQuantity]


class StockReserved(Event):
    """Stock was reserved, usually for an incident: still on hand, no longer available."""

    meaning_zh = "物资预留（通常为突发事件），仍在库但不再可用。"

    warehouse_id: str
    item_id: str
    reservation_id: str
    quantity: int
    incident_id: str | None
    note: str | None


class ReservationReleased(Event):
    """A reservation was released, in part or in full: that stock is available again."""

    meaning_zh = "预留解除（部分或全部），相应物资恢复可用。"

    warehouse_id: str
    item_id: str
    reservation_id: str
    quantity: int
    reason: str | None


class StockCounted(Event):
    """A stocktake counted a stock line; the difference from what was expected adjusts it.

    `variance` = counted - expected is the adjustment, taken from `lots`.
    """

    meaning_zh = "库存盘点：实盘数与账面数的差异计入库存调整。"

    warehouse_id: str
    item_id: str
    counted: int
    expected: int
    variance: int
    reason: str | None
    lots: list[LotQuantity]
    previous_count_version: int


class StockTransferredOut(Event):
    """Stock left a warehouse on a transfer to another warehouse and is in transit."""

    meaning_zh = "物资调出本仓库，处于在途状态。"

    warehouse_id: str
    item_id: str
    transfer_id: str
    to_warehouse_id: str
    quantity: int
    lots: list[LotQuantity]
    reference: str | None
    note: str | None


class StockTransferredIn(Event):
    """Stock sent on a transfer arrived at the destination warehouse."""

    meaning_zh = "调拨物资到达目的仓库并入库。"

    warehouse_id: str
    item_id: str
    transfer_id: str
    from_warehouse_id: str
    quantity: int
    lots: list[LotQuantity]


class TransitClosed(Event):
    """A received transfer was closed at its source: no longer in transit, with any discrepancy.

    `discrepancy` = received - dispatched.
    """

    meaning_zh = "调出仓库结清已到货的调拨：不再在途，并记录发运与实收的差异。"

    warehouse_id: str
    item_id: str
    transfer_id: str
    dispatched: int
    received: int
    discrepancy: int


class TransferOutCancelled(Event):
    """A transfer was undone before it travelled: the goods are back on hand in their lots."""

    meaning_zh = "调拨在发运前撤销，物资按原批次退回库存。"

    warehouse_id: str
    item_id: str
    transfer_id: str
    quantity: int
    lots: list[LotQuantity]
    reason: str


class MinimumLevelSet(Event):
    """A stock line's minimum level (the reserve it must not fall below) was set."""

    meaning_zh = "设定库存最低储备量。"

    warehouse_id: str
    item_id: str
    minimum: int


class InspectionRecorded(Event):
    """An inspection or maintenance of equipment in a warehouse was recorded, with its result."""

    meaning_zh = "记录库存装备的检查或维护保养及其结果。"

    warehouse_id: str
    item_id: str
    result: str
    units_inspected: int | None
    inspector: str | None
    note: str | None


class MovementReversed(Event):
    """An earlier stock movement was reversed by this correction (history is never edited).

    It undoes the movement at `reversed_version`: `quantity` is the change to on hand.
    """

    meaning_zh = "冲销此前的一笔库存变动（以新记录更正，不修改历史）。"

    warehouse_id: str
    item_id: str
    reversed_version: int
    reversed_type: str
    quantity: int
    lots: list[LotQuantity]
    reason: str


@dataclass(frozen=True)
class Reservation:
    quantity: int
    incident_id: str | None = None


@dataclass(frozen=True)
class Stock:
    version: int = 0
    on_hand: int = 0
    lots: Mapping[str, Lot] = field(default_factory=dict)
    reservations: Mapping[str, Reservation] = field(default_factory=dict)
    #: transfer id -> the lots dispatched from here and not yet received
    in_transit: Mapping[str, tuple[LotQuantity, ...]] = field(default_factory=dict)
    transfers_out: frozenset[str] = frozenset()
    transfers_in: frozenset[str] = frozenset()
    minimum: int = 0
    last_count_version: int = 0
    reversed: frozenset[int] = frozenset()

    @property
    def reserved(self) -> int:
        return sum(reservation.quantity for reservation in self.reservations.values())

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def in_transit_total(self) -> int:
        return sum(lot.quantity for lots in self.in_transit.values() for lot in lots)


Changes = dict[str, Any]


def _received(state: Stock, event: StockReceived) -> Changes:
    lot = LotQuantity(lot=event.lot, quantity=event.quantity, expires_on=event.expires_on)
    return {"on_hand": state.on_hand + event.quantity, "lots": apply(state.lots, [lot], 1)}


def _issued(state: Stock, event: StockIssued) -> Changes:
    changes = {"on_hand": state.on_hand - event.quantity, "lots": apply(state.lots, event.lots, -1)}
    if event.reservation_id is not None:
        changes["reservations"] = _less_reserved(state, event.reservation_id, event.quantity)
    return changes


def _written_off(state: Stock, event: StockWrittenOff) -> Changes:
    return {"on_hand": state.on_hand - event.quantity, "lots": apply(state.lots, event.lots, -1)}


def _reserved(state: Stock, event: StockReserved) -> Changes:
    reservation = Reservation(event.quantity, event.incident_id)
    return {"reservations": {**state.reservations, event.reservation_id: reservation}}


def _released(state: Stock, event: ReservationReleased) -> Changes:
    return {"reservations": _less_reserved(state, event.reservation_id, event.quantity)}


def _less_reserved(state: Stock, reservation_id: str, quantity: int) -> dict[str, Reservation]:
    reservations = dict(state.reservations)
    held = reservations.pop(reservation_id, None)
    if held is not None and held.quantity > quantity:
        reservations[reservation_id] = replace(held, quantity=held.quantity - quantity)
    return reservations


def _counted(state: Stock, event: StockCounted) -> Changes:
    sign = 1 if event.variance > 0 else -1
    return {"on_hand": state.on_hand + event.variance, "lots": apply(state.lots, event.lots, sign),
            "last_count_version": state.version + 1}


def _transferred_out(state: Stock, event: StockTransferredOut) -> Changes:
    return {"on_hand": state.on_hand - event.quantity, "lots": apply(state.lots, event.lots, -1),
            "in_transit": {**state.in_transit, event.transfer_id: tuple(event.lots)},
            "transfers_out": state.transfers_out | {event.transfer_id}}


def _transferred_in(state: Stock, event: StockTransferredIn) -> Changes:
    return {"on_hand": state.on_hand + event.quantity, "lots": apply(state.lots, event.lots, 1),
            "transfers_in": state.transfers_in | {event.transfer_id}}


def _transit_closed(state: Stock, event: TransitClosed | TransferOutCancelled) -> Changes:
    return {"in_transit": {k: v for k, v in state.in_transit.items() if k != event.transfer_id}}


def _transfer_cancelled(state: Stock, event: TransferOutCancelled) -> Changes:
    return {"on_hand": state.on_hand + event.quantity, "lots": apply(state.lots, event.lots, 1),
            **_transit_closed(state, event)}


def _minimum(state: Stock, event: MinimumLevelSet) -> Changes:
    return {"minimum": event.minimum}


def _reversed(state: Stock, event: MovementReversed) -> Changes:
    sign = 1 if event.quantity > 0 else -1
    return {"on_hand": state.on_hand + event.quantity, "lots": apply(state.lots, event.lots, sign),
            "reversed": state.reversed | {event.reversed_version}}


_EVOLVE: dict[type[Event], Callable[[Stock, Any], Changes]] = {
    StockReceived: _received,
    StockIssued: _issued,
    StockWrittenOff: _written_off,
    StockReserved: _reserved,
    ReservationReleased: _released,
    StockCounted: _counted,
    StockTransferredOut: _transferred_out,
    StockTransferredIn: _transferred_in,
    TransitClosed: _transit_closed,
    TransferOutCancelled: _transfer_cancelled,
    MinimumLevelSet: _minimum,
    InspectionRecorded: lambda state, event: {},
    MovementReversed: _reversed,
}
EVENT_TYPES: tuple[type[Event], ...] = tuple(_EVOLVE)
STATE_VERSION = 2


def evolve(state: Stock, event: Event) -> Stock:
    """The line after `event`. Total: never raises, whatever order events come in."""
    change = _EVOLVE.get(type(event))
    return evolved(state, version=state.version + 1, **(change(state, event) if change else {}))


def changes(event_type: str, data: Mapping[str, Any]) -> tuple[int, int, int]:
    """How an event (by type and data) changes (on hand, reserved, in transit) of its line.

    The ledger and stock-as-of read models use this, so they agree with `evolve`.
    """
    quantity = data.get("quantity", 0)
    if event_type in ("StockReceived", "StockTransferredIn"):
        return quantity, 0, 0
    if event_type == "StockIssued":
        return -quantity, -quantity if data.get("reservation_id") else 0, 0
    if event_type == "StockWrittenOff":
        return -quantity, 0, 0
    if event_type == "StockReserved":
        return 0, quantity, 0
    if event_type == "ReservationReleased":
        return 0, -quantity, 0
    if event_type == "StockCounted":
        return data["variance"], 0, 0
    if event_type == "StockTransferredOut":
        return -quantity, 0, quantity
    if event_type == "TransitClosed":
        return 0, 0, -data["dispatched"]
    if event_type == "TransferOutCancelled":
        return quantity, 0, -quantity
    if event_type == "MovementReversed":
        return quantity, 0, 0
    return 0, 0, 0


def stream_id(warehouse_id: str, item_id: str) -> str:
    return _stream_id("stock", warehouse_id, item_id)


def lot_changes(event_type: str, data: Mapping[str, Any]) -> list[tuple[str, int, str | None]]:
    """How an event (by type and data) changes its line's lots: (lot, signed quantity, expires_on)."""
    if event_type == "StockReceived":
        return [(data.get("lot", ""), data["quantity"], data.get("expires_on"))]
    sign = {"StockIssued": -1, "StockWrittenOff": -1, "StockTransferredOut": -1, "StockTransferredIn": 1,
            "TransferOutCancelled": 1}.get(event_type)
    if event_type == "StockCounted":
        sign = 1 if data["variance"] > 0 else -1
    elif event_type == "MovementReversed":
        sign = 1 if data["quantity"] > 0 else -1
    if sign is None:
        return []
    return [(lot["lot"], sign * lot["quantity"], lot.get("expires_on")) for lot in data.get("lots", [])]
