"""Reserve warehouses and depots: district warehouses, township depots, the forest-fire depot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict
from shared.ids import Name, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

WarehouseKind = Literal["district", "township", "forest_fire", "agreement"]


class RegisterWarehouse(Command):
    warehouse_id: Slug
    name: Name
    name_zh: Name
    kind: WarehouseKind
    township: Name | None = None
    area_m2: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] | None = None
    occurred_at: Timestamp | None = None


class WarehouseRegistered(Event):
    warehouse_id: str
    name: str
    name_zh: str
    kind: WarehouseKind
    township: str | None
    area_m2: float | None


@dataclass(frozen=True)
class Warehouse:
    registered: bool = False


def decide(command: RegisterWarehouse, state: Warehouse) -> list[Event]:
    if state.registered:
        raise Conflict(f"warehouse {command.warehouse_id} is already registered",
                       field="warehouse_id", code="already_registered")
    return [WarehouseRegistered(**command.model_dump(exclude={"occurred_at"}))]


def evolve(state: Warehouse, event: Event) -> Warehouse:
    return Warehouse(registered=True) if isinstance(event, WarehouseRegistered) else state


def stream_id(warehouse_id: str) -> str:
    return _stream_id("warehouse", warehouse_id)


warehouses = Decider[RegisterWarehouse, Warehouse](decide, evolve, Warehouse(), (WarehouseRegistered,))
