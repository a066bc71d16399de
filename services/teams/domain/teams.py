"""One rescue team record: its registration and every readiness report its leader makes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.ids import Count, Name, Note, PositiveCount, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

TeamType = Literal[
    "professional", "semi_professional", "enterprise", "township", "mass_volunteer",
    "fire_rescue", "militia", "social",
]
ReadinessStatus = Literal["ready", "partially_ready", "not_ready"]


class Equipment(BaseModel):
    """A line of a team's equipment on call, e.g. 45 excavators."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: Name
    name_zh: Name | None = None
    quantity: PositiveCount


class RegisterTeam(Command):
    team_id: Slug
    name: Name
    name_zh: Name
    team_type: TeamType
    agency: Name | None = None
    township: Name | None = None
    #: How many teams this record groups, e.g. 22 township flood teams recorded together.
    units: PositiveCount = 1
    #: The roster size; None when not on record (the plan gives none for the fire brigade).
    members: Count | None = None
    equipment: list[Equipment] = Field(default_factory=list)
    occurred_at: Timestamp | None = None


class ReportReadiness(Command):
    team_id: Slug
    status: ReadinessStatus
    people_available: Count
    equipment_notes: Note | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


TeamCommand = RegisterTeam | ReportReadiness


class TeamRegistered(Event):
    team_id: str
    name: str
    name_zh: str
    team_type: TeamType
    agency: str | None
    township: str | None
    units: int
    members: int | None
    equipment: list[Equipment]


class ReadinessReported(Event):
    team_id: str
    status: ReadinessStatus
    people_available: int
    equipment_notes: str | None
    note: str | None


@dataclass(frozen=True)
class Team:
    registered: bool = False
    members: int | None = None
    status: ReadinessStatus | None = None


def decide(command: TeamCommand, state: Team) -> list[Event]:
    fields = command.model_dump(exclude={"occurred_at"})
    if isinstance(command, RegisterTeam):
        if state.registered:
            raise Conflict(f"team {command.team_id} is already registered", field="team_id",
                           code="already_registered")
        return [TeamRegistered(**fields)]
    if not state.registered:
        raise NotFound(f"no team {command.team_id}", field="team_id")
    if state.members is not None and command.people_available > state.members:
        raise InvalidCommand(
            f"{command.people_available} people available but the team has only "
            f"{state.members} members",
            field="people_available",
        )
    return [ReadinessReported(**fields)]


def evolve(state: Team, event: Event) -> Team:
    if isinstance(event, TeamRegistered):
        return Team(registered=True, members=event.members)
    if isinstance(event, ReadinessReported):
        return replace(state, status=event.status)
    return state


def stream_id(team_id: str) -> str:
    return _stream_id("team", team_id)


teams = Decider[TeamCommand, Team](decide, evolve, Team(), (TeamRegistered, ReadinessReported))
