"""What the inventory RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`projections/`), the answers the reads build
(`queries.py`) and the command answers (`rpc/`). Every model refuses a field it does
not name, so the role-matrix test (which validates every route's real answer against
these) and schemathesis fail when a document gains a field not described here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.envelope import EventEnvelope

from .domain.agreements import ItemQuantity
from .domain.census import RejectedRow
from .domain.lots import LotQuantity
from .domain.warehouses import WarehouseKind

Clock = Literal["occurred", "recorded"]


class Answer(BaseModel):
    """An RPC answer: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


# --- the catalogue and warehouses -------------------------------------------------------------

class Item(Answer):
    item_id: str
    name: str
    name_zh: str
    unit: str
    #: GB/T 38565-2020 code; its first digit is the class
    category_code: str
    shelf_life_days: int | None
    inspection_interval_days: int | None


class Warehouse(Answer):
    warehouse_id: str
    name: str
    name_zh: str
    kind: WarehouseKind
    township: str | None
    area_m2: float | None
    latitude: float | None
    longitude: float | None
    keeper: str | None
    registered_at: datetime
    status: Literal["open", "closed"]
    closed_at: datetime | None
    closed_reason: str | None


class WarehouseClosed(Answer):
    warehouse_id: str
    status: Literal["closed"]
    closed_at: datetime
    closed_reason: str


# --- stock lines ----------------------------------------------------------------------------

class LotHeld(Answer):
    quantity: int
    expires_on: date | None


class Reservation(Answer):
    """Stock held for an incident (or another purpose) until issued or released."""

    reservation_id: str
    warehouse_id: str
    item_id: str
    quantity: int
    incident_id: str | None
    note: str | None
    reserved_at: datetime


class LastCount(Answer):
    version: int
    counted: int
    expected: int
    variance: int
    reason: str | None
    occurred_at: datetime


class LastInspection(Answer):
    result: str
    units_inspected: int | None
    inspector: str | None
    note: str | None
    occurred_at: datetime


class StockLine(Answer):
    """An item in a warehouse: on hand, reserved, available (on hand less reserved), in transit
    (sent from here, not yet received), incoming (sent here), its minimum level, lots by name."""

    warehouse_id: str
    item_id: str
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    incoming: int
    minimum: int
    lots: dict[str, LotHeld]
    reservations: dict[str, Reservation]
    last_movement_at: datetime | None
    first_received_on: date | None
    last_count: LastCount | None
    last_inspection: LastInspection | None
    inspection_due: date | None


class HeldFor(Answer):
    quantity: int
    incident_id: str | None


class LineChanged(Answer):
    """A stock command's answer: the line's figures right after it, and the events it recorded."""

    warehouse_id: str
    item_id: str
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    lots: dict[str, LotHeld]
    reservations: dict[str, HeldFor]
    events: list[EventEnvelope]


class Movement(Answer):
    """One entry of a warehouse's ledger: signed changes to on hand, reserved and in transit,
    the on-hand `balance` right after it, and the details its event carries."""

    position: int
    version: int
    event_id: str
    type: str
    warehouse_id: str
    item_id: str
    quantity: int
    reserved_change: int
    in_transit_change: int
    balance: int | None
    counterparty: str | None
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    reference: str | None = None
    note: str | None = None
    reason: str | None = None
    incident_id: str | None = None
    reservation_id: str | None = None
    transfer_id: str | None = None
    lot: str | None = None
    expires_on: date | None = None
    lots: list[LotQuantity] | None = None
    counted: int | None = None
    variance: int | None = None
    dispatched: int | None = None
    received: int | None = None
    discrepancy: int | None = None
    reversed_version: int | None = None
    reversed_type: str | None = None
    minimum: int | None = None
    result: str | None = None
    units_inspected: int | None = None
    inspector: str | None = None
    import_id: str | None = None
    previous_count_version: int | None = None


class StocktakeExplained(Answer):
    """A count and, paged, the movements recorded on its line since the count before it."""

    count: Movement
    items: list[Movement]
    next: str | None


class IssueSuggestion(Answer):
    warehouse_id: str
    item_id: str
    quantity: int
    #: first-expiring-first-out, expired lots skipped
    lots: list[LotQuantity]


class Figures(Answer):
    on_hand: int
    reserved: int
    available: int
    in_transit: int


class ItemFigures(Figures):
    item_id: str


class StockAsOf(Answer):
    """Stock at `at`: as it happened (`occurred`) or as it was on record then (`recorded`)."""

    at: datetime
    clock: Clock
    items: list[ItemFigures]


class WarehouseStockAsOf(StockAsOf):
    warehouse_id: str


# --- the district ---------------------------------------------------------------------------

class ItemTotal(Figures):
    """One item over every warehouse, with each warehouse's share."""

    item_id: str
    by_warehouse: dict[str, Figures]


class WarehouseShare(Figures):
    """One warehouse's part of an item's stock, by name, with the line's minimum level."""

    minimum: int
    #: available below the minimum level (储备定额)
    below_minimum: bool
    name: str | None
    name_zh: str | None


class ItemStock(Figures):
    """One item's district total and, by warehouse id, each warehouse's share: every warehouse
    the item moved in, and any whose minimum level it is below."""

    item_id: str
    name: str
    name_zh: str
    unit: str
    by_warehouse: dict[str, WarehouseShare]


class Shortage(Answer):
    """A stock line whose available stock is below its minimum level (储备定额)."""

    warehouse_id: str
    item_id: str
    minimum: int
    available: int
    missing: int


class ExpiringLot(Answer):
    warehouse_id: str
    item_id: str
    lot: str
    quantity: int
    expires_on: date
    days_left: int
    expired: bool


class OverdueInspection(Answer):
    warehouse_id: str
    item_id: str
    due_on: date
    days_overdue: int
    on_hand: int | None
    last_inspection: LastInspection | None


class CallableReserve(Answer):
    agreement_id: str
    company: str
    quantity: int
    lead_time_hours: int


class OnSiteLine(Answer):
    item_id: str
    name_zh: str
    unit: str
    in_stock: int
    by_agreement: list[CallableReserve]
    total: int


class OnSite(Answer):
    """Per catalogue item (paged): available stock plus what valid agreements deliver in time."""

    within_hours: int
    as_of_date: date
    items: list[OnSiteLine]
    next: str | None


class ImportStaged(Answer):
    import_id: str
    status: Literal["running", "completed"]
    total_rows: int


class ImportProgress(Answer):
    import_id: str
    digest: str
    total_rows: int
    imported: int
    rejected: list[RejectedRow]
    failed: list[RejectedRow]
    status: Literal["rejected", "running", "completed"]
    started_at: datetime
    finished_at: datetime | None


# --- transfers and agreements ------------------------------------------------------------------

class Transfer(Answer):
    transfer_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    item_id: str
    quantity: int
    lots: list[LotQuantity]
    reference: str | None
    note: str | None
    status: Literal["in_transit", "received"]
    dispatched_at: datetime
    received: int | None
    discrepancy: int | None
    received_at: datetime | None
    received_note: str | None


class TransferReceived(Answer):
    transfer_id: str
    from_warehouse_id: str
    to_warehouse_id: str
    item_id: str
    #: how much was sent; `received` less this is the discrepancy
    quantity: int
    received: int
    discrepancy: int
    lots_received: list[LotQuantity]
    status: Literal["received"]
    received_at: datetime
    received_note: str | None


class Agreement(Answer):
    agreement_id: str
    company: str
    company_zh: str | None
    contract_reference: str
    valid_from: date
    valid_until: date
    lead_time_hours: int
    people: int
    lines: list[ItemQuantity]
    note: str | None
    registered_at: datetime
    #: present once the agreement was renewed
    renewed_at: datetime | None = None


class AgreementRenewed(Answer):
    agreement_id: str
    valid_from: date
    valid_until: date
    events: list[EventEnvelope]


class CallOff(Answer):
    agreement_id: str
    call_off_id: str
    requested: dict[str, int]
    delivered: dict[str, int]
    destination: str
    incident_id: str | None
    note: str | None
    status: Literal["requested", "partly_delivered", "delivered", "closed"]
    requested_at: datetime
    delivered_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None


class CallOffChanged(Answer):
    """A call-off right after a command, and what the agreement can still supply per item."""

    agreement_id: str
    call_off_id: str
    status: Literal["open", "closed"]
    requested: dict[str, int]
    delivered: dict[str, int]
    callable: dict[str, int]
    events: list[EventEnvelope]
