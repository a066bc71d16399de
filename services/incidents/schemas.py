"""What the incidents RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`incident_docs.py`, `request_docs.py`, `timeline.py`,
`projections.py`), what a read adds at the moment it is asked (`relief.py`, `queries.py`) and
the command answers (`answers.py`). Every model refuses a field it does not name, so a test
that validates real answers against these fails when a document gains an undescribed field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .domain.dispatch_steps import CallOff, Shortfall, Source, Step
from .domain.grading import Category, Grade
from .domain.incidents import IncidentStatus
from .domain.kinds import GeoPoint, IncidentType, Level
from .domain.lifecycle import ResponseBasis
from .domain.request_commands import MaterialAsk, PledgerKind, Priority
from .domain.request_state import RequestStatus
from .relief import ClockState

Outcome = Literal["fulfilled", "partly_fulfilled", "failed"]


class Answer(BaseModel):
    """An RPC answer: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


class TimelineEntry(Answer):
    position: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    request_id: str | None
    site_id: str | None
    text: str


class ResponseChange(Answer):
    change: Literal["activated", "raised", "lowered"]
    level: Level
    from_level: Level | None
    basis: ResponseBasis
    at: datetime
    by: str


class Dismissal(Answer):
    reason: str
    was: IncidentStatus
    at: datetime
    by: str


class ReliefDelivery(Answer):
    number: int
    people: int
    provided: str
    site_id: str | None
    note: str | None
    at: datetime
    by: str


class IssuedMaterial(Answer):
    request_id: str
    at: datetime
    warehouse_id: str
    item_id: str
    quantity: int


class CalledOffMaterial(Answer):
    request_id: str
    at: datetime
    agreement_id: str
    item_id: str
    quantity: int
    lead_time_hours: int


class PledgeOnIncident(Answer):
    request_id: str
    at: datetime
    pledge_id: str
    pledged_by: str
    kind: PledgerKind
    lines: list[MaterialAsk]


class SentTeam(Answer):
    """A team sent by a request; `status` follows our stand-downs and what its team recorded."""

    request_id: str
    at: datetime
    team_id: str
    people: int | None
    deployment: int | None
    status: Literal["deployed", "on_scene", "released", "stood_down", "no_longer_deployed"]
    arrived_at: datetime | None
    ended_at: datetime | None


class TeamReport(Answer):
    """What the teams service recorded of a deployment before its dispatch was recorded here."""

    team_id: str
    deployment: int
    report: Literal["arrived", "released", "stood_down"]
    at: datetime


class MaterialUsed(Answer):
    item_id: str
    issued: int
    called_off: int
    pledged: int


class AfterActionSummary(Answer):
    materials: list[MaterialUsed]
    teams: int
    deployments: int
    people: int
    requests: dict[str, int]
    report_delay_s: float
    reported_late: bool
    time_to_response_s: float | None
    time_to_first_relief_s: float | None
    relief_target_met: bool | None
    people_relieved: int
    evacuees_peak: int
    highest_response_level: Level | None
    duration_s: float | None


class IncidentCore(Answer):
    """An incident as its events made it, but for the teams and materials it was sent (which the
    gateway's view lists in its own, richer, shape)."""

    incident_id: str
    title: str
    incident_type: IncidentType
    category: Category
    township: str
    village: str | None
    location: str | None
    coordinates: GeoPoint | None
    description: str | None
    reported_by: str
    deaths: int
    injured: int
    seriously_injured: int | None
    missing: int
    affected_people: int
    people_relocated: int
    houses_collapsed: int
    houses_damaged: int
    direct_loss_yuan: float | None
    suggested_grade: Grade | None
    reported_grade: Grade | None
    grade: Grade | None
    grade_basis: str
    status: IncidentStatus
    occurred_at: datetime
    reported_at: datetime
    recorded_at: datetime
    report_delay_s: float
    report_deadline: datetime
    reported_late: bool
    relief_deadline: datetime
    verified_at: datetime | None
    assessment: str | None
    dismissed: Dismissal | None
    response_level: Level | None
    response_activated_at: datetime | None
    response_history: list[ResponseChange]
    contained_at: datetime | None
    recovering_at: datetime | None
    closed_at: datetime | None
    closing_note: str | None
    follow_ups: int
    last_follow_up_at: datetime | None
    relief: list[ReliefDelivery]
    people_relieved: int
    relief_provided_at: datetime | None
    evacuees: dict[str, int]
    evacuees_now: int
    evacuees_peak: int
    request_statuses: dict[str, str]
    called_off: list[CalledOffMaterial]
    pledged: list[PledgeOnIncident]
    team_reports: list[TeamReport]
    summary: AfterActionSummary | None


class Incident(IncidentCore):
    """An incident as its events made it (the read model's document)."""

    dispatched_materials: list[IssuedMaterial]
    dispatched_teams: list[SentTeam]


class ReliefClock(Answer):
    """The 8-hour relief target, counted from when the incident occurred, as of the read."""

    applies: bool
    state: ClockState
    started_at: datetime
    deadline: datetime
    met_at: datetime | None
    met: bool | None
    overdue: bool
    remaining_s: float


class Reported(Incident):
    """The answer to a first report: the incident and the first entry of its timeline."""

    timeline: list[TimelineEntry]


class IncidentNow(Incident):
    """An incident with its relief clock as of the read (lists)."""

    relief_clock: ReliefClock


class MaterialLineDoc(Answer):
    line: str
    item_id: str
    asked: int
    approved: int | None
    planned: int
    reserved: int
    issued: int
    called_off: int
    released: int
    pledged: int
    missing: int | None


class AssignedTeam(Answer):
    team_id: str
    people: int | None
    distance_km: float | None
    status: Literal["planned", "deployed", "refused", "stood_down", "released", "no_longer_deployed"]
    deployment: int | None


class TeamLineDoc(Answer):
    line: str
    team_id: str | None
    capability: str | None
    asked: int | None
    approved: int | None
    teams: list[AssignedTeam]
    missing: int | None


class StatusChange(Answer):
    status: RequestStatus
    at: datetime
    by: str
    reason: str | None


class PlannedSource(Source):
    model_config = ConfigDict(extra="forbid")
    status: str


class PlannedCallOff(CallOff):
    model_config = ConfigDict(extra="forbid")
    status: str


class Refusal(Answer):
    step: Step
    line: str
    ref: str
    code: str
    reason: str


class PledgeOnRequest(Answer):
    pledge_id: str
    pledged_by: str
    kind: PledgerKind
    lines: list[MaterialAsk]
    note: str | None
    at: datetime
    by: str


class Request(Answer):
    """A request and its dispatch as its events made it."""

    incident_id: str
    request_id: str
    priority: Priority
    destination: str
    coordinates: GeoPoint | None
    note: str | None
    status: RequestStatus
    raised_by: str
    raised_at: datetime
    status_history: list[StatusChange]
    materials: list[MaterialLineDoc]
    teams: list[TeamLineDoc]
    sources: list[PlannedSource]
    call_offs: list[PlannedCallOff]
    shortfalls: list[Shortfall]
    refusals: list[Refusal]
    pledges: list[PledgeOnRequest]
    outcome: Outcome | None


class IncidentView(IncidentNow):
    """An incident's full view: with its requests and its whole timeline."""

    requests: list[Request]
    timeline: list[TimelineEntry]


class IncidentViewCore(IncidentCore):
    """The full view but for the teams and materials, for the gateway to list in its own shape."""

    relief_clock: ReliefClock
    requests: list[Request]
    timeline: list[TimelineEntry]


class IncidentAnswer(Answer):
    """The answer to a lifecycle command: where the incident stands and what was recorded."""

    incident_id: str
    status: IncidentStatus | None
    response_level: Level | None
    figures: dict[str, int | float | None]
    events: list[dict[str, Any]]


class RequestLine(Answer):
    line: str
    item_id: str | None = None
    quantity: int | None = None
    team_id: str | None = None
    capability: str | None = None
    people: int | None = None


class RequestAnswer(Answer):
    """The answer to a request command: its status and its lines (as approved, once they are)."""

    incident_id: str
    request_id: str
    status: RequestStatus | None
    materials: list[RequestLine]
    teams: list[RequestLine]
    events: list[dict[str, Any]]


class Site(Answer):
    site_id: str
    name: str
    name_zh: str | None
    township: str
    village: str | None
    address: str | None
    coordinates: GeoPoint | None
    capacity: int
    registered_at: datetime
    occupancy: int
    by_incident: dict[str, int]


class SiteAnswer(Answer):
    site_id: str
    capacity: int
    occupancy: int
    by_incident: dict[str, int]
    events: list[dict[str, Any]]


class OpenIncidents(Answer):
    open: int
    by_level: dict[str, int]
    by_type: dict[str, int]
    items: list[IncidentNow]
    next: str | None


class ReliefTarget(Answer):
    met: int
    missed: int
    overdue: int
    pending: int
    hit_rate: float | None


class Timeliness(Answer):
    reports: int
    on_time: int
    late: int
    on_time_rate: float | None
    median_delay_s: float | None
    max_delay_s: float | None


class Resettlement(Answer):
    sites: int
    planned_sites: int
    capacity: int
    occupancy: int


class Statistics(Answer):
    as_of: datetime
    since: datetime | None = Field(alias="from")
    until: datetime | None
    incidents: int
    by_status: dict[str, int]
    by_month_and_type: dict[str, dict[str, int]]
    relief_target: ReliefTarget
    report_timeliness: Timeliness
    resettlement: Resettlement

