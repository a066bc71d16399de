"""A request for materials and teams against an incident: what the command centre asks, approves,
rejects or cancels, and what neighbouring districts and companies pledge against it.

A request has material lines (`m1`, `m2`, … in the order given: an item, a quantity) and
team lines (`t1`, …: a named team, or a capability and a number of people). The approver
may approve a different quantity for any line (0 declines it); who raised, approved,
rejected or cancelled is the actor recorded on each event.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from shared.decider import Command, Event
from shared.ids import Count, Name, Note, PositiveCount, Slug
from shared.timestamps import Timestamp

from .kinds import GeoPoint, Value

Priority = Literal["urgent", "high", "normal"]
PledgerKind = Literal["neighbouring_district", "company", "organisation", "other"]
#: The capabilities the teams service registers (`services/teams/domain/registry.py`), repeated
#: here so a request for one it does not know is a 400 now, not a failed dispatch later.
Capability = Literal[
    "flood_water_rescue", "forest_fire", "hazardous_chemicals", "collapse_search", "medical",
    "drainage", "heavy_machinery", "fire_fighting", "transport", "lifting", "communications",
    "sanitation", "evacuation",
]
LineId = Annotated[str, Field(pattern=r"^[mt][1-9][0-9]{0,2}$", description="m1, m2… or t1, t2…")]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class MaterialAsk(Value):
    item_id: Slug
    quantity: PositiveCount


class TeamAsk(Value):
    """A named team (with `people`, or the whole team), or a capability and a number of people."""

    team_id: Slug | None = None
    capability: Capability | None = None
    people: PositiveCount | None = None

    @model_validator(mode="after")
    def _one_way(self) -> TeamAsk:
        if (self.team_id is None) == (self.capability is None):
            raise ValueError("name a team_id or a capability, not both")
        if self.capability is not None and self.people is None:
            raise ValueError("a capability needs the number of people")
        return self


def _distinct_items(lines: tuple[MaterialAsk, ...]) -> tuple[MaterialAsk, ...]:
    items = [line.item_id for line in lines]
    if duplicate := next((item for item in items if items.count(item) > 1), None):
        raise ValueError(f"names {duplicate} twice; one line per item")
    return lines


def _distinct_teams(lines: tuple[TeamAsk, ...]) -> tuple[TeamAsk, ...]:
    named = [line.team_id for line in lines if line.team_id is not None]
    if duplicate := next((team for team in named if named.count(team) > 1), None):
        raise ValueError(f"names team {duplicate} twice")
    return lines


MaterialAsks = Annotated[tuple[MaterialAsk, ...], Field(max_length=100), AfterValidator(_distinct_items)]
TeamAsks = Annotated[tuple[TeamAsk, ...], Field(max_length=50), AfterValidator(_distinct_teams)]


class RaiseRequest(Command):
    incident_id: Slug
    request_id: Slug
    priority: Priority = "normal"
    #: Where the materials and teams go, e.g. "Sanshipu township flood HQ, Zhangxi village".
    destination: Name
    #: Where that is; when not given, the incident's coordinates or its township's seat.
    coordinates: GeoPoint | None = None
    materials: MaterialAsks = ()
    teams: TeamAsks = ()
    note: Note | None = None
    occurred_at: Timestamp | None = None

    @model_validator(mode="after")
    def _asks_for_something(self) -> RaiseRequest:
        if not self.materials and not self.teams:
            raise ValueError("ask for materials, teams or both")
        return self


class LineChange(Value):
    """An approved quantity other than the one asked: items for a material line, people for a team
    line (a named team asked for whole is approved whole unless people are given)."""

    line: LineId
    quantity: Count


class ApproveRequest(Command):
    incident_id: Slug
    request_id: Slug
    changes: Annotated[tuple[LineChange, ...], Field(max_length=150)] = ()
    note: Note | None = None
    occurred_at: Timestamp | None = None


class RejectRequest(Command):
    incident_id: Slug
    request_id: Slug
    reason: Reason
    occurred_at: Timestamp | None = None


class CancelRequest(Command):
    """Call off a request: reservations are released, teams stood down, call-offs closed."""

    incident_id: Slug
    request_id: Slug
    reason: Reason
    occurred_at: Timestamp | None = None


class PledgeMaterials(Command):
    """A neighbouring district, a company or an organisation pledges materials against a request."""

    incident_id: Slug
    request_id: Slug
    pledge_id: Slug
    pledged_by: Name
    kind: PledgerKind
    lines: Annotated[tuple[MaterialAsk, ...], Field(min_length=1, max_length=100),
                     AfterValidator(_distinct_items)]
    note: Note | None = None
    occurred_at: Timestamp | None = None


class MaterialLine(Value):
    line: str
    item_id: str
    quantity: int


class TeamLine(Value):
    line: str
    team_id: str | None
    capability: str | None
    #: People asked (or approved); None: the named team as it is.
    people: int | None


class RequestRaised(Event):
    """A request for materials and teams was raised for an incident, with its priority and destination."""

    meaning_zh = "为突发事件提出物资和队伍需求，含优先级和送达地点。"

    incident_id: str
    request_id: str
    priority: Priority
    destination: str
    coordinates: GeoPoint | None
    materials: tuple[MaterialLine, ...]
    teams: tuple[TeamLine, ...]
    note: str | None


class RequestApproved(Event):
    """A request was approved, with the quantity approved on every line (0: declined)."""

    meaning_zh = "需求获批，逐项列明批准数量（0为不予批准）。"

    incident_id: str
    request_id: str
    materials: tuple[MaterialLine, ...]
    teams: tuple[TeamLine, ...]
    note: str | None


class RequestRejected(Event):
    """A request was rejected, with the reason."""

    meaning_zh = "需求被驳回，并说明原因。"

    incident_id: str
    request_id: str
    reason: str


class RequestCancelled(Event):
    """A request was cancelled; what was dispatched for it is undone."""

    meaning_zh = "需求撤销，已为其调派的物资和队伍予以撤回。"

    incident_id: str
    request_id: str
    reason: str
    #: The status it had: what there is to undo depends on it.
    was: str


class MaterialsPledged(Event):
    """A neighbouring district, a company or an organisation pledged materials for a request."""

    meaning_zh = "相邻区县、企业或社会组织为需求承诺提供物资。"

    incident_id: str
    request_id: str
    pledge_id: str
    pledged_by: str
    kind: PledgerKind
    lines: tuple[MaterialAsk, ...]
    note: str | None

