"""What a team is on record: its type, capabilities, home, headcount, equipment and duty posts.

Every post has a backup: a team's duty contact is an A post and a B post (AB岗), two
different contacts, so someone answers around the clock. Contacts are role titles
("duty post A") or names with an optional phone, as the bureau chooses to record them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.decider import Command, Event
from shared.ids import Count, Name, PositiveCount, Slug
from shared.timestamps import Timestamp

TeamType = Literal[
    "fire_rescue", "professional", "semi_professional", "township", "mass_volunteer",
    "enterprise", "enterprise_agreement", "social", "militia",
]
Capability = Literal[
    "flood_water_rescue", "forest_fire", "hazardous_chemicals", "collapse_search", "medical",
    "drainage", "heavy_machinery", "fire_fighting", "transport", "lifting", "communications",
    "sanitation", "evacuation",
]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{2,29}$", description="digits, spaces, hyphens")]


class Value(BaseModel):
    """A value inside a command or event: frozen, strict about unknown fields, trims text."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Coordinates(Value):
    """WGS 84 degrees. JSON `true` is not a latitude."""

    lat: Annotated[Latitude, Field(strict=True)]
    lon: Annotated[Longitude, Field(strict=True)]


class Contact(Value):
    """Who answers for a post: a role title or a name, and a phone if the bureau records one."""

    post: Name
    phone: Phone | None = None


class DutyContacts(Value):
    """The A post and its backup, the B post: never one and the same contact."""

    a: Contact
    b: Contact

    @model_validator(mode="after")
    def _backup_differs(self) -> DutyContacts:
        if self.a == self.b:
            raise ValueError("the B post must be a different contact from the A post")
        return self


class Equipment(Value):
    """A line of a team's equipment on call, e.g. 45 excavators; `item_id` names it in the team."""

    item_id: Slug
    name: Name
    name_zh: Name | None = None
    quantity: PositiveCount
    #: Machines (excavators, pumps, boats, vehicles) count towards capacity; kit does not.
    machine: bool = True


class RegisterTeam(Command):
    team_id: Slug
    name: Name
    name_zh: Name
    team_type: TeamType
    capabilities: list[Capability] = Field(default_factory=list, max_length=20)
    agency: Name | None = None
    #: The home township (a registered township id); its seat locates the team unless
    #: the team gives its own coordinates.
    township: Slug | None = None
    location: Coordinates | None = None
    #: How many teams this record groups, e.g. 22 township flood teams recorded together.
    units: PositiveCount = 1
    #: The headcount; None when not on record (the plan gives none for the fire brigade).
    members: Count | None = None
    equipment: list[Equipment] = Field(default_factory=list, max_length=200)
    leader: Contact | None = None
    duty: DutyContacts | None = None
    occurred_at: Timestamp | None = None

    @field_validator("equipment")
    @classmethod
    def _one_line_per_item(cls, equipment: list[Equipment]) -> list[Equipment]:
        items = [line.item_id for line in equipment]
        if len(items) != len(set(items)):
            raise ValueError("each equipment line needs its own item_id")
        return equipment

    @field_validator("capabilities")
    @classmethod
    def _each_capability_once(cls, capabilities: list[Capability]) -> list[Capability]:
        if len(capabilities) != len(set(capabilities)):
            raise ValueError("lists a capability twice")
        return capabilities


class TeamRegistered(Event):
    """A rescue team was registered, with its type, capabilities, equipment and duty contacts."""

    meaning_zh = "救援队伍登记在册，含队伍类型、能力、装备和值班联系人。"

    schema_version = 2
    team_id: str
    name: str
    name_zh: str
    team_type: TeamType
    capabilities: list[Capability]
    agency: str | None
    township: str | None
    location: Coordinates | None
    units: int
    members: int | None
    equipment: list[Equipment]
    leader: Contact | None
    duty: DutyContacts | None
