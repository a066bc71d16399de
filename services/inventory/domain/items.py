"""The item catalogue: what the reserve can hold, coded by GB/T 38565-2020.

An item's id is its stable code (a slug such as `life-jackets`); the category code
places it in the national classification. A shelf life makes every receipt state
when its lot expires; an inspection interval makes equipment (generators, boats)
due for inspection that often.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict
from shared.ids import Name, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

#: GB/T 38565-2020: class digit 1-3, then middle, small and fine category 01-99 (99 = other).
CategoryCode = Annotated[str, Field(pattern=r"^[123](?:0[1-9]|[1-9]\d){3}$",
                                    description="7-digit GB/T 38565-2020 code, e.g. 2999999")]
#: Whole days, up to 100 years.
Days = Annotated[int, Field(gt=0, le=36_500, strict=True)]


class RegisterItem(Command):
    item_id: Slug
    name: Name
    name_zh: Name
    unit: Name
    category_code: CategoryCode
    shelf_life_days: Days | None = None
    inspection_interval_days: Days | None = None
    occurred_at: Timestamp | None = None


class ItemRegistered(Event):
    """A material was added to the catalogue, with its GB/T 38565 code, unit and shelf life."""

    meaning_zh = "物资品目登记入目录，含 GB/T 38565 分类编码、计量单位和保质期。"

    item_id: str
    name: str
    name_zh: str
    unit: str
    category_code: str
    shelf_life_days: int | None = None
    inspection_interval_days: int | None = None


@dataclass(frozen=True)
class Item:
    registered: bool = False
    unit: str = ""
    shelf_life_days: int | None = None
    inspection_interval_days: int | None = None


def decide(command: RegisterItem, state: Item) -> list[Event]:
    if state.registered:
        raise Conflict(f"item {command.item_id} is already registered", field="item_id",
                       code="already_registered")
    return [ItemRegistered(**command.model_dump(exclude={"occurred_at"}))]


def evolve(state: Item, event: Event) -> Item:
    if isinstance(event, ItemRegistered):
        return Item(registered=True, unit=event.unit, shelf_life_days=event.shelf_life_days,
                    inspection_interval_days=event.inspection_interval_days)
    return state


def stream_id(item_id: str) -> str:
    return _stream_id("item", item_id)


items = Decider[RegisterItem, Item](decide, evolve, Item(), (ItemRegistered,), state_version=2)
