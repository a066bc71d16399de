"""Reserve warehouses and depots: district warehouses, township depots, the forest-fire depot.

`kind` is the warehouse's level. A closed warehouse receives nothing (no receipt, no
transfer in); what it still holds can be issued, written off or transferred out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, NotFound
from shared.ids import Name, Note, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

WarehouseKind = Literal["district", "township", "forest_fire"]
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True, allow_inf_nan=False)]


class RegisterWarehouse(Command):
    warehouse_id: Slug
    name: Name
    name_zh: Name
    kind: WarehouseKind
    township: Name | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    area_m2: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] | None = None
    keeper: Name | None = None
    occurred_at: Timestamp | None = None


class CloseWarehouse(Command):
    warehouse_id: Slug
    reason: Note = Field(min_length=1)
    occurred_at: Timestamp | None = None


WarehouseCommand = RegisterWarehouse | CloseWarehouse


class WarehouseRegistered(Event):
    """A reserve warehouse or depot was put on record, with its kind, township and place."""

    meaning_zh = "储备仓库（库点）登记在册，含类型、所在乡镇和位置。"

    warehouse_id: str
    name: str
    name_zh: str
    kind: str
    township: str | None
    area_m2: float | None
    latitude: float | None = None
    longitude: float | None = None
    keeper: str | None = None


class WarehouseClosed(Event):
    """A warehouse was closed and takes no more stock movements."""

    meaning_zh = "仓库停用，不再办理出入库。"

    warehouse_id: str
    reason: str


@dataclass(frozen=True)
class Warehouse:
    registered: bool = False
    closed: bool = False


def decide(command: WarehouseCommand, state: Warehouse) -> list[Event]:
    if isinstance(command, RegisterWarehouse):
        if state.registered:
            raise Conflict(f"warehouse {command.warehouse_id} is already registered",
                           field="warehouse_id", code="already_registered")
        return [WarehouseRegistered(**command.model_dump(exclude={"occurred_at"}))]
    require_registered(state, command.warehouse_id)
    if state.closed:
        raise Conflict(f"warehouse {command.warehouse_id} is already closed", field="warehouse_id",
                       code="warehouse_closed")
    return [WarehouseClosed(warehouse_id=command.warehouse_id, reason=command.reason)]


def evolve(state: Warehouse, event: Event) -> Warehouse:
    if isinstance(event, WarehouseRegistered):
        return Warehouse(registered=True)
    if isinstance(event, WarehouseClosed):
        return Warehouse(registered=True, closed=True)
    return state


def require_registered(state: Warehouse, warehouse_id: str, field: str = "warehouse_id") -> None:
    if not state.registered:
        raise NotFound(f"no warehouse {warehouse_id}", field=field)


def require_open(state: Warehouse, warehouse_id: str, field: str = "warehouse_id") -> None:
    """Stock may come into a warehouse only while it is registered and open."""
    require_registered(state, warehouse_id, field)
    if state.closed:
        raise Conflict(f"warehouse {warehouse_id} is closed and receives nothing", field=field,
                       code="warehouse_closed")


def stream_id(warehouse_id: str) -> str:
    return _stream_id("warehouse", warehouse_id)


warehouses = Decider[WarehouseCommand, Warehouse](
    decide, evolve, Warehouse(), (WarehouseRegistered, WarehouseClosed), state_version=2
)
