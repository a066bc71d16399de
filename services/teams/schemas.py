"""What the teams RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`projections.py`, `registers.py`, `as_of.py`),
what a read adds at the moment it is asked (`reads.py`: `stale`, time out of service,
capacity, candidates) and the command answers (`service.py`). Every model refuses a
field it does not name, so the role-matrix test (which validates every route's real
answer against these) and schemathesis fail when a document gains a field that is
not described here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .domain.deployments import ReleaseOutcome
from .domain.posts import Level
from .domain.readiness import EquipmentCounts, ItemCount, ReadinessStatus
from .domain.registry import Capability, Contact, Coordinates, DutyContacts, TeamType
from .domain.townships import TownshipKind

BoardStatus = ReadinessStatus | Literal["unknown"]
DeploymentStatus = Literal["deployed", "on_scene"]


class Answer(BaseModel):
    """An RPC answer: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


class Readiness(Answer):
    """A team's latest readiness report; `unknown` with nulls until its first report."""

    status: BoardStatus
    people_available: int | None
    equipment_available: list[ItemCount] | None
    equipment_notes: str | None
    location: str | None
    coordinates: Coordinates | None
    note: str | None
    reported_at: datetime | None
    recorded_at: datetime | None
    reported_by: str | None


class ReadinessRecorded(Readiness):
    """The answer to a readiness report: the report as recorded."""

    team_id: str


class CurrentDeployment(Answer):
    """Where a team is sent now."""

    deployment: int
    incident_id: str
    status: DeploymentStatus
    deployed_at: datetime
    arrived_at: datetime | None
    people: int | None


class EquipmentLine(Answer):
    """One item of a team's equipment on call, with how its units stand and, on one team,
    the unit-seconds it has been out of service up to the moment of the read."""

    item_id: str
    name: str
    name_zh: str | None
    quantity: int
    machine: bool
    status: EquipmentCounts
    status_reported_at: datetime | None
    status_note: str | None
    out_of_service_since: datetime | None
    out_of_service_unit_seconds: float


class Team(Answer):
    """A team as registered, with its latest readiness, equipment status and deployment."""

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
    equipment: list[EquipmentLine]
    leader: Contact | None
    duty: DutyContacts | None
    registered_at: datetime
    #: when the team turns stale unless it reports (24 hours after its latest report)
    stale_at: datetime
    readiness: Readiness
    deployment: CurrentDeployment | None
    #: how many deployments the team has had
    deployments: int


class TeamNow(Team):
    """One team read now: `stale` when it has not reported for 24 hours."""

    stale: bool


class BoardLine(Answer):
    """One line of the readiness board: who the team is, its latest readiness, where it is sent."""

    team_id: str
    name: str
    name_zh: str
    team_type: TeamType
    capabilities: list[Capability]
    township: str | None
    location: Coordinates | None
    units: int
    members: int | None
    status: BoardStatus
    people_available: int | None
    machines_available: int
    equipment_out_of_service: int
    equipment_notes: str | None
    note: str | None
    reported_at: datetime | None
    recorded_at: datetime | None
    reported_by: str | None
    registered_at: datetime
    stale_at: datetime
    deployment: CurrentDeployment | None
    stale: bool


class DeploymentAsOf(Answer):
    incident_id: str
    deployment: int
    status: DeploymentStatus


class ReadinessAsOf(Answer):
    """A team's readiness at a past moment (`?as_of=`): the report, deployment and equipment then."""

    team_id: str
    as_of: datetime
    status: BoardStatus
    people_available: int | None
    reported_at: datetime | None
    deployment: DeploymentAsOf | None
    equipment: dict[str, EquipmentCounts]


class EquipmentStatusRecorded(Answer):
    team_id: str
    item_id: str
    counts: EquipmentCounts
    #: the item's registered quantity
    quantity: int
    note: str | None
    reported_at: datetime
    reported_by: str


class DeploymentChange(Answer):
    """The answer of a deploy, an arrival or a release (the dispatch contract)."""

    team_id: str
    incident_id: str
    deployment: int
    status: DeploymentStatus | ReleaseOutcome
    at: datetime
    people: int | None
    note: str | None
    event_id: str


class Deployment(Answer):
    """One deployment in a team's history."""

    team_id: str
    deployment: int
    incident_id: str
    people: int | None
    note: str | None
    status: DeploymentStatus | ReleaseOutcome
    deployed_at: datetime
    deployed_by: str
    arrived_at: datetime | None
    released_at: datetime | None
    release_note: str | None


class TeamTimelineEntry(Answer):
    position: int
    type: str
    summary: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    #: the event's own fields
    data: dict[str, Any]


class Certificate(Answer):
    team_id: str
    member_id: str
    certificate_id: str
    kind: str
    number: str | None
    issued_on: date | None
    expires_on: date
    entered_at: datetime
    #: false once renewed under the same id or its member left the roster
    current: bool


class ExpiringCertificate(Certificate):
    expired: bool
    days_left: int


class Member(Answer):
    team_id: str
    member_id: str
    name: str
    role: str
    special_operations: bool
    active: bool
    added_at: datetime
    removed_at: datetime | None
    certificates: list[Certificate]


class MemberRemoved(Answer):
    team_id: str
    member_id: str
    reason: str | None
    removed_at: datetime


class CapabilityCapacity(Answer):
    capability: Capability
    teams: int
    teams_available: int
    people_available: int
    machines_available: int
    teams_deployed: int
    teams_stale: int


class TeamCounts(Answer):
    teams: int
    stale: int
    deployed: int
    by_status: dict[str, int]


class Capacity(Answer):
    """People and machines available now per capability (ready or partially ready, not
    deployed, not stale), and the teams by status."""

    as_of: datetime
    capabilities: list[CapabilityCapacity]
    teams: TeamCounts


class Candidate(BoardLine):
    """A team able to answer a request, with its distance from the asking township."""

    distance_km: float | None
    covers_request: bool
    people_together: int


class Township(Answer):
    township_id: str
    name: str
    name_zh: str
    kind: TownshipKind
    location: Coordinates
    registered_at: datetime


class DutyPost(Answer):
    post_id: str
    name: str
    name_zh: str | None
    levels: list[Level]
    township: str | None
    village: str | None
    officers: int
    contacts: DutyContacts
    registered_at: datetime
