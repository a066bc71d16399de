"""What the inventory RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`projections.py`) and command responses
(`service.py`); keep them in step when a document gains or loses a field (the
schemathesis test checks live answers against them).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.envelope import EventEnvelope

from .domain.warehouses import WarehouseKind


class Item(BaseModel):
    item_id: str
    name: str
    name_zh: str
    unit: str
    category_code: str


class Warehouse(BaseModel):
    warehouse_id: str
    name: str
    name_zh: str
    kind: WarehouseKind
    township: str | None
    area_m2: float | None
    registered_at: datetime


class StockLevel(BaseModel):
    warehouse_id: str
    item_id: str
    quantity: int
    last_movement_at: datetime


class Movement(BaseModel):
    """One line of a warehouse's ledger; `quantity` is negative for an issue."""

    position: int
    event_id: str
    type: str
    item_id: str
    quantity: int
    balance: int
    counterparty: str | None
    reference: str | None
    note: str | None
    occurred_at: datetime
    recorded_at: datetime
    actor: str


class MovementRecorded(BaseModel):
    """A recorded movement: the stock on hand right after it, and its events."""

    warehouse_id: str
    item_id: str
    quantity: int
    events: list[EventEnvelope]
