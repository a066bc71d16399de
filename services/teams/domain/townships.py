"""The district's townships and subdistricts (乡镇/街道), each placed by its seat's coordinates.

Teams name their home township; candidate teams for a request are ordered by distance
from the township that asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.decider import Command, Decider, Event
from shared.errors import Conflict
from shared.ids import Name, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .registry import Coordinates

TownshipKind = Literal["subdistrict", "town", "township"]


class RegisterTownship(Command):
    township_id: Slug
    name: Name
    name_zh: Name
    kind: TownshipKind
    location: Coordinates
    occurred_at: Timestamp | None = None


class TownshipRegistered(Event):
    """A township or subdistrict was registered, with the place of its seat."""

    meaning_zh = "乡镇（街道）登记在册，含驻地位置。"

    township_id: str
    name: str
    name_zh: str
    kind: TownshipKind
    location: Coordinates


@dataclass(frozen=True)
class Township:
    registered: bool = False


def decide(command: RegisterTownship, state: Township) -> list[Event]:
    if state.registered:
        raise Conflict(f"township {command.township_id} is already registered", field="township_id",
                       code="already_registered")
    return [TownshipRegistered(**command.model_dump(exclude={"occurred_at"}))]


def evolve(state: Township, event: Event) -> Township:
    return Township(registered=True) if isinstance(event, TownshipRegistered) else state


def stream_id(township_id: str) -> str:
    return _stream_id("township", township_id)


townships = Decider[RegisterTownship, Township](decide, evolve, Township(), (TownshipRegistered,))
