"""The gateway's own answers as pydantic models: errors, the caller, the feed and the views.

Only the OpenAPI document uses them (the views build plain dicts); the role-matrix test
and schemathesis check live answers against them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.incidents.schemas import IncidentViewCore, ReliefClock
from shared.envelope import EventEnvelope

Json = dict[str, Any]


class Error(BaseModel):
    """Every error: a stable `code`, a message for people, the field at fault if one is."""

    code: str
    message: str
    field: str | None
    request_id: str | None = Field(default=None, description="on a 500: quote it when reporting")


class Me(BaseModel):
    user: str
    role: str
    token_id: str
    warehouses: list[str]
    teams: list[str]


class FeedQuery(BaseModel):
    """`after`: the position after which to read (0 = the beginning); `limit`: 1 to 1000."""

    model_config = ConfigDict(extra="forbid")

    after: int = Field(default=0, ge=0, le=2**62)
    limit: int = Field(default=100, ge=1, le=1000)


class FeedPage(BaseModel):
    """Committed events in global order; pass `next` back as `after` to follow."""

    items: list[EventEnvelope]
    next: int


class Partial(BaseModel):
    """A view gathered from several services: those that did not answer are named."""

    partial: bool
    unavailable: list[str]


class Named(BaseModel):
    """A stock line's warehouse and item, by name (null when no longer on record)."""

    warehouse_id: str
    warehouse_name: str | None
    warehouse_name_zh: str | None
    item_id: str
    item_name: str | None
    item_name_zh: str | None
    unit: str | None


class NamedShortage(Named):
    minimum: int
    available: int
    missing: int


class NamedExpiringLot(Named):
    lot: str
    quantity: int
    expires_on: date
    days_left: int
    expired: bool


class StockSummary(BaseModel):
    """Open warehouses, catalogue items, items the district holds none of, lines below their
    minimum level, and lots expired or expiring within 30 days."""

    warehouses: int
    items: int
    out_of_stock: list[str]
    shortages: list[NamedShortage]
    expiring_lots: list[NamedExpiringLot]


class OpenIncident(BaseModel):
    """An incident neither closed nor dismissed, with its response level and its relief clock
    (the incidents service's, as of the read)."""

    incident_id: str
    title: str
    township: str
    status: str
    level: str | None
    relief_clock: ReliefClock


class IncidentSummary(BaseModel):
    """Open incidents counted by response level (`none` before one is activated), and those whose
    affected people wait past 6 hours (`relief_at_risk`) or 8 (`relief_overdue`) for basic relief."""

    open: int
    by_level: dict[str, int]
    relief_at_risk: list[OpenIncident]
    relief_overdue: list[OpenIncident]


class StaleTeam(BaseModel):
    """A team with no readiness report for 24 hours (never reported: since registration)."""

    team_id: str
    name: str
    name_zh: str
    township: str | None
    status: str
    reported_at: datetime | None
    stale_since: datetime


class AvailableCapability(BaseModel):
    """Teams with a capability, and what the available ones (ready or partially ready, not
    deployed, not stale) bring now."""

    capability: str
    teams: int
    teams_available: int
    people_available: int
    machines_available: int


class ReadinessSummary(BaseModel):
    """Team records by latest status, deployed now, stale, and availability per capability."""

    teams: int
    by_status: dict[str, int]
    deployed: int
    stale: list[StaleTeam]
    available: list[AvailableCapability]


class Overview(Partial):
    """The command centre's picture: each section is null when its service did not answer."""

    generated_at: datetime
    incidents: IncidentSummary | None
    stock: StockSummary | None
    readiness: ReadinessSummary | None


class DispatchedTeam(BaseModel):
    """A team sent to the incident, as the incident records it (by which request, how many people,
    which deployment, deployed, on scene, released or stood down), with its name and readiness now
    from the teams service; a team deployed to it by hand through the teams API has no request."""

    team_id: str
    name: str | None
    name_zh: str | None
    readiness: str | None
    stale: bool | None
    request_id: str | None
    deployment: int | None
    people: int | None
    status: Literal["deployed", "on_scene", "released", "stood_down", "no_longer_deployed"]
    arrived_at: datetime | None
    ended_at: datetime | None


class DispatchedMaterial(BaseModel):
    """Material for the incident: `dispatched` (issued) as the incident records it, or `reserved`
    for it in a warehouse (with the reservation's id); `request_id` names the request it was
    taken for (none for a reservation made by hand)."""

    warehouse_id: str
    warehouse_name: str | None
    warehouse_name_zh: str | None
    item_id: str
    quantity: int | None
    status: Literal["dispatched", "reserved"]
    reservation_id: str | None
    request_id: str | None


class IncidentView(Partial, IncidentViewCore):
    """The incidents service's full view of an incident (its requests, timeline and relief clock),
    with the teams and materials sent to it named and their readiness and warehouses added."""

    dispatched_teams: list[DispatchedTeam]
    dispatched_materials: list[DispatchedMaterial]


class Place(BaseModel):
    """Something on the district picture; `latitude`/`longitude` are null when not on record,
    and `placed_by` says where they come from (see `services.gateway.picture`)."""

    kind: Literal["warehouse", "team", "township", "incident"]
    id: str
    name: str
    name_zh: str | None
    township: str | None
    latitude: float | None
    longitude: float | None
    placed_by: Literal["reported", "registered", "township"] | None
    status: str | None
    #: teams only: no readiness report for 24 hours
    stale: bool | None
    #: teams only: the incident it is deployed to
    incident_id: str | None


class Picture(Partial):
    places: list[Place]
