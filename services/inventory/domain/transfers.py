"""A transfer between two warehouses: dispatched, in transit, received (with any discrepancy).

Stock moves in two steps on two stock lines; this small aggregate ties them together
and makes each step happen once. Dispatch takes the stock off the source line
(`StockTransferredOut`) and then records `TransferDispatched` here; receipt records
`TransferReceived` here (how much arrived: a shortfall or surplus is the
discrepancy) and then credits the destination and closes the source's transit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, NotFound
from shared.ids import Count, Name, Note, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .lots import LotQuantity, split_received
from .warehouses import Warehouse, require_open


class RecordDispatch(Command):
    """Internal: the source line let the goods go (built from its `StockTransferredOut`)."""

    transfer_id: Slug
    from_warehouse_id: Slug
    to_warehouse_id: Slug
    item_id: Slug
    quantity: int
    lots: tuple[LotQuantity, ...]
    reference: Name | None = None
    note: Note | None = None


class ReceiveTransfer(Command):
    """The destination counts what arrived (`received`, in the item's unit)."""

    transfer_id: Slug
    warehouse_id: Slug
    received: Count
    note: Note | None = None
    occurred_at: Timestamp | None = None


TransferCommand = RecordDispatch | ReceiveTransfer


class TransferDispatched(Event):
    """A transfer of stock from one warehouse to another was dispatched."""

    meaning_zh = "仓库间物资调拨已发运。"

    transfer_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    item_id: str
    quantity: int
    lots: list[LotQuantity]
    reference: str | None
    note: str | None


class TransferReceived(Event):
    """The destination recorded what arrived on a transfer, with any discrepancy."""

    meaning_zh = "目的仓库登记调拨实收数量及差异。"

    transfer_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    item_id: str
    dispatched: int
    received: int
    discrepancy: int
    lots: list[LotQuantity]
    note: str | None


@dataclass(frozen=True)
class Transfer:
    status: Literal["none", "in_transit", "received"] = "none"
    dispatched: TransferDispatched | None = None
    received: TransferReceived | None = None


def decide(command: TransferCommand, state: Transfer, destination: Warehouse | None) -> list[Event]:
    if isinstance(command, RecordDispatch):
        if state.dispatched is not None:
            raise Conflict(f"transfer {command.transfer_id} already exists; use a new transfer id",
                           field="transfer_id", code="transfer_exists")
        return [TransferDispatched(**command.model_dump())]
    sent = state.dispatched
    if sent is None:
        raise NotFound(f"no transfer {command.transfer_id}", field="transfer_id")
    if state.received is not None:
        raise Conflict(f"transfer {command.transfer_id} was already received ({state.received.received} "
                       f"of {sent.quantity})", field="transfer_id", code="already_received")
    if command.warehouse_id != sent.to_warehouse_id:
        raise Conflict(f"transfer {command.transfer_id} goes to {sent.to_warehouse_id}, not "
                       f"{command.warehouse_id}", field="warehouse_id", code="wrong_warehouse")
    require_open(destination or Warehouse(), command.warehouse_id)
    return [TransferReceived(
        transfer_id=command.transfer_id, from_warehouse_id=sent.from_warehouse_id,
        to_warehouse_id=sent.to_warehouse_id, item_id=sent.item_id, dispatched=sent.quantity,
        received=command.received, discrepancy=command.received - sent.quantity,
        lots=split_received(sent.lots, command.received), note=command.note,
    )]


def evolve(state: Transfer, event: Event) -> Transfer:
    if isinstance(event, TransferDispatched):
        return Transfer(status="in_transit", dispatched=event)
    if isinstance(event, TransferReceived):
        return Transfer(status="received", dispatched=state.dispatched, received=event)
    return state


def stream_id(transfer_id: str) -> str:
    return _stream_id("transfer", transfer_id)


def _without_destination(command: TransferCommand, state: Transfer) -> list[Event]:
    return decide(command, state, None)


transfers = Decider[TransferCommand, Transfer](
    _without_destination, evolve, Transfer(), (TransferDispatched, TransferReceived)
)


def decider(destination: Warehouse | None) -> Decider[TransferCommand, Transfer]:
    """The transfer's decider, knowing the state of the warehouse a receipt is for."""
    return replace(transfers, decide=partial(decide, destination=destination))
