"""What a team leader reports around the clock: readiness, and the state of each equipment item.

A readiness report says ready / partially ready / not ready, how many people and which
equipment are available, where the team is, and a note. Equipment status says, per
item, how many units are ready, in use, in maintenance or damaged; units in
maintenance or damaged are out of service.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from shared.decider import Command, Event
from shared.ids import Count, Name, Note, PositiveCount, Slug
from shared.timestamps import Timestamp

from .registry import Coordinates, Value

ReadinessStatus = Literal["ready", "partially_ready", "not_ready"]
EquipmentState = Literal["ready", "in_use", "maintenance", "damaged"]
OUT_OF_SERVICE: tuple[EquipmentState, ...] = ("maintenance", "damaged")


class ItemCount(Value):
    item_id: Slug
    quantity: Count


class ReportReadiness(Command):
    team_id: Slug
    status: ReadinessStatus
    people_available: Count
    #: Per registered item, how many units are on hand now; items left out are not stated.
    equipment_available: list[ItemCount] | None = Field(default=None, max_length=200)
    equipment_notes: Note | None = None
    location: Name | None = None
    coordinates: Coordinates | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None

    @field_validator("equipment_available")
    @classmethod
    def _each_item_once(cls, lines: list[ItemCount] | None) -> list[ItemCount] | None:
        items = [line.item_id for line in lines or ()]
        if len(items) != len(set(items)):
            raise ValueError("states an item twice")
        return lines


class ReadinessReported(Event):
    """A team's readiness was reported: its status, people and equipment available, and where it is."""

    meaning_zh = "上报队伍战备状态：状态、在岗人数、可用装备及所在位置。"

    schema_version = 2
    team_id: str
    status: ReadinessStatus
    people_available: int
    equipment_available: list[ItemCount] | None
    equipment_notes: str | None
    location: str | None
    coordinates: Coordinates | None
    note: str | None


class EquipmentCounts(Value):
    """How the units of one item are split; they add up to the registered quantity."""

    ready: Count = 0
    in_use: Count = 0
    maintenance: Count = 0
    damaged: Count = 0

    def total(self) -> int:
        return self.ready + self.in_use + self.maintenance + self.damaged

    def out_of_service(self) -> int:
        return self.maintenance + self.damaged


class ReportEquipmentStatus(Command):
    team_id: Slug
    item_id: Slug
    ready: Count = 0
    in_use: Count = 0
    maintenance: Count = 0
    damaged: Count = 0
    note: Note | None = None
    occurred_at: Timestamp | None = None

    def counts(self) -> EquipmentCounts:
        return EquipmentCounts(ready=self.ready, in_use=self.in_use, maintenance=self.maintenance,
                               damaged=self.damaged)


class EquipmentStatusReported(Event):
    """A team reported how many units of an equipment item are ready, in use, in repair or damaged."""

    meaning_zh = "上报队伍某项装备完好、在用、维修和损坏的数量。"

    team_id: str
    item_id: str
    counts: EquipmentCounts
    #: The item's registered quantity, so readers need not look it up.
    quantity: PositiveCount
    note: str | None
