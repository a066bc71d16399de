"""What can be asked of one stock line (an item in a warehouse), and the facts a decision needs.

Every command names its line by `warehouse_id` and `item_id` and may carry
`occurred_at` (when it happened in the world). Quantities are positive whole numbers
in the item's unit. Commands marked *internal* are built by the service itself (the
transfer and import flows), never parsed from a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from shared.decider import Command, Event
from shared.ids import Count, Name, Note, PositiveCount, Slug
from shared.timestamps import Timestamp

from .items import Item
from .lots import LotId, LotPick, LotQuantity
from .warehouses import Warehouse

Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Picks = Annotated[tuple[LotPick, ...], Field(max_length=100)]
ReceiptSource = Literal["purchase", "donation", "return", "opening_balance", "census", "other"]
WriteOffReason = Literal["damaged", "expired", "lost", "other"]
InspectionResult = Literal["serviceable", "needs_repair", "unserviceable"]


class LineCommand(Command):
    warehouse_id: Slug
    item_id: Slug
    occurred_at: Timestamp | None = None


class ReceiveStock(LineCommand):
    """Stock arrives: bought, donated, returned, or on record at the start."""

    kind: Literal["receipt"] = "receipt"
    quantity: PositiveCount
    source: ReceiptSource = "purchase"
    lot: LotId | None = None
    expires_on: date | None = None
    produced_on: date | None = None
    reference: Name | None = None
    note: Note | None = None


class IssueStock(LineCommand):
    """Stock leaves to an incident or a purpose, optionally against a reservation."""

    kind: Literal["issue"] = "issue"
    quantity: PositiveCount
    destination: Name
    incident_id: Slug | None = None
    reservation_id: Slug | None = None
    lots: Picks = ()
    reference: Name | None = None
    note: Note | None = None


class WriteOffStock(LineCommand):
    """Stock is lost to the reserve: damaged, expired, lost."""

    kind: Literal["write_off"] = "write_off"
    quantity: PositiveCount
    reason: WriteOffReason
    lots: Picks = ()
    note: Note | None = None


class ReserveStock(LineCommand):
    """Hold available stock for an incident; it stays on hand but is no longer available."""

    reservation_id: Slug
    quantity: PositiveCount
    incident_id: Slug | None = None
    note: Note | None = None


class ReleaseReservation(LineCommand):
    """Give reserved stock back to available: all that is left of it, or `quantity`."""

    reservation_id: Slug
    quantity: PositiveCount | None = None
    reason: Note | None = None


class CountStock(LineCommand):
    """A stocktake: the quantity counted; a difference is adjusted and needs a reason."""

    counted: Count
    reason: Reason | None = None


class DispatchTransfer(LineCommand):
    """Send stock from this warehouse (`warehouse_id`) to another: it is in transit until received."""

    transfer_id: Slug
    to_warehouse_id: Slug
    quantity: PositiveCount
    lots: Picks = ()
    reference: Name | None = None
    note: Note | None = None


class SetMinimumLevel(LineCommand):
    """The reserve quota (储备定额) of this item in this warehouse; 0 means none."""

    minimum: Count


class RecordInspection(LineCommand):
    """An inspection or maintenance of equipment on this line (generators, boats, pumps)."""

    result: InspectionResult
    units_inspected: Count | None = None
    inspector: Name | None = None
    note: Note | None = None


class ReverseMovement(LineCommand):
    """Correct a receipt, issue or write-off by a new event that undoes it (never an edit)."""

    version: PositiveCount
    reason: Reason


class ReceiveTransferredStock(LineCommand):
    """Internal: a transfer's goods arrive in `warehouse_id`."""

    transfer_id: Slug
    from_warehouse_id: Slug
    quantity: Count
    lots: tuple[LotQuantity, ...]


class CloseTransit(LineCommand):
    """Internal: the source learns its transfer was received (and how much arrived)."""

    transfer_id: Slug
    received: Count


class CancelTransferOut(LineCommand):
    """Internal: a dispatch whose transfer id turned out to be taken is undone."""

    transfer_id: Slug
    reason: Reason


class ReceiveCensusRow(LineCommand):
    """Internal: one row of an imported census, received as an opening figure."""

    import_id: str
    line: PositiveCount
    quantity: PositiveCount
    lot: LotId | None = None
    expires_on: date | None = None
    reference: Name | None = None


StockCommand = (ReceiveStock | IssueStock | WriteOffStock | ReserveStock | ReleaseReservation
                | CountStock | DispatchTransfer | SetMinimumLevel | RecordInspection | ReverseMovement
                | ReceiveTransferredStock | CloseTransit | CancelTransferOut | ReceiveCensusRow)
#: The movements a client posts to a warehouse's ledger, by `kind`.
MOVEMENTS: dict[str, type[ReceiveStock] | type[IssueStock] | type[WriteOffStock]] = {
    "receipt": ReceiveStock, "issue": IssueStock, "write_off": WriteOffStock,
}


@dataclass(frozen=True)
class Recorded:
    """An event of this line as recorded at `version` (what a reversal undoes)."""

    version: int
    event: Event


@dataclass(frozen=True)
class StockFacts:
    """What a stock decision knows beyond its own stream, gathered by the handler.

    `as_of` is when the command happened (its `occurred_at`, else when it arrived):
    lots expire against it. The domain never reads the clock itself.
    """

    as_of: datetime
    warehouse: Warehouse
    item: Item
    destination: Warehouse | None = None
    transfer_taken: bool = False
    reversing: Recorded | None = None
