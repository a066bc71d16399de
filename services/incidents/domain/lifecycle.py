"""What can be asked of an incident and what it records: the commands and events of its lifecycle.

reported → verified (or dismissed as a false report) → response active at level I-IV (raised or
lowered, each change with its basis) → contained → recovering → closed. Follow-up reports
(灾情续报) and relief deliveries are recorded along the way. `occurred_at` on a command is when
the thing happened in the world; on a report it is when the *incident* happened, and
`reported_at` is when the report was made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from shared.decider import Command, Event
from shared.ids import Amount, Count, Name, Note, PositiveCount, Slug
from shared.timestamps import Timestamp

from .grading import Category, Grade
from .kinds import GeoPoint, IncidentType, Level, Value

Reason = Note


class ReportIncident(Command):
    incident_id: Slug
    title: Name
    incident_type: IncidentType
    category: Category
    #: The township or subdistrict: its id in the district's register (`/townships`) or its name.
    township: Name
    village: Name | None = None
    location: Name | None = None
    coordinates: GeoPoint | None = None
    description: Note | None = None
    reported_by: Name
    deaths: Count = 0
    injured: Count = 0
    #: Of the injured, how many seriously (重伤); when not given, Decree 493 counts all injured.
    seriously_injured: Count | None = None
    missing: Count = 0
    affected_people: Count = 0
    people_relocated: Count = 0
    houses_collapsed: Count = 0
    houses_damaged: Count = 0
    direct_loss_yuan: Amount | None = None
    #: When the incident happened; when not given, when it was reported.
    occurred_at: Timestamp | None = None
    #: When the report was made (the first report, 初报); when not given, now.
    reported_at: Timestamp | None = None


class FileFollowUp(Command):
    """A follow-up report (灾情续报): the figures as they stand now; those not given are unchanged."""

    incident_id: Slug
    reported_by: Name
    deaths: Count | None = None
    injured: Count | None = None
    seriously_injured: Count | None = None
    missing: Count | None = None
    affected_people: Count | None = None
    people_relocated: Count | None = None
    houses_collapsed: Count | None = None
    houses_damaged: Count | None = None
    direct_loss_yuan: Amount | None = None
    description: Note | None = None
    occurred_at: Timestamp | None = None


class VerifyIncident(Command):
    """The command centre's assessment (会商研判) confirms the report; it may set the grade."""

    incident_id: Slug
    #: The severity grade (事件分级); when not given, the grade Decree 493 suggests (if any).
    grade: Grade | None = None
    assessment: Note | None = None
    occurred_at: Timestamp | None = None


class DismissIncident(Command):
    """The report was false, a duplicate or no emergency: the incident ends without a response."""

    incident_id: Slug
    reason: Reason = Field(min_length=1)
    occurred_at: Timestamp | None = None


class ResponseBasis(Value):
    """Why a level was set: the figures that decided it, or the commander's reason; at least one."""

    deaths: Count | None = None
    people_relocated: Count | None = None
    houses_collapsed: Count | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _something(self) -> ResponseBasis:
        if all(value is None for value in (self.deaths, self.people_relocated, self.houses_collapsed,
                                           self.reason)) or self.reason == "":
            raise ValueError("give deaths, people_relocated, houses_collapsed or a reason")
        return self


class ActivateResponse(Command):
    incident_id: Slug
    level: Level
    basis: ResponseBasis
    occurred_at: Timestamp | None = None


class ChangeResponseLevel(Command):
    """Raise or lower the active response (分级响应)."""

    incident_id: Slug
    level: Level
    basis: ResponseBasis
    occurred_at: Timestamp | None = None


class DeclareContained(Command):
    incident_id: Slug
    note: Note | None = None
    occurred_at: Timestamp | None = None


class BeginRecovery(Command):
    incident_id: Slug
    note: Note | None = None
    occurred_at: Timestamp | None = None


class CloseIncident(Command):
    incident_id: Slug
    note: Note | None = None
    occurred_at: Timestamp | None = None


class RecordRelief(Command):
    """Basic relief (food, water, clothing, shelter) reached affected people."""

    incident_id: Slug
    people: PositiveCount
    provided: Name
    site_id: Slug | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


class NoteTeamReport(Command):
    """What the teams service says a deployed team did (arrived on scene, released, stood down):
    noted on the incident as the teams service's fact, whatever the incident's status."""

    incident_id: Slug
    team_id: Slug
    deployment: PositiveCount
    report: Literal["arrived", "released", "stood_down"]
    note: Note | None = None
    occurred_at: Timestamp | None = None


IncidentCommand = (ReportIncident | FileFollowUp | VerifyIncident | DismissIncident | ActivateResponse
                   | ChangeResponseLevel | DeclareContained | BeginRecovery | CloseIncident | RecordRelief
                   | NoteTeamReport)


class IncidentReported(Event):
    """An incident was reported, with its figures and the grade Decree 493 suggests for accidents."""

    meaning_zh = "突发事件上报，含灾情数据及按国务院第493号令建议的事故等级。"

    schema_version = 2

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
    #: When the incident happened (None only on reports recorded before it was asked: then the
    #: report's own time).
    occurred_at: datetime | None
    suggested_grade: Grade | None
    grade_basis: str


class FollowUpReported(Event):
    """A follow-up report gave an incident's figures as they stand now, with the grade they suggest."""

    meaning_zh = "灾情续报：更新灾情数据及相应的建议等级。"

    incident_id: str
    number: int
    reported_by: str
    #: The figures that changed, with their new values.
    changes: dict[str, int | float | None]
    description: str | None
    suggested_grade: Grade | None
    grade_basis: str


class IncidentVerified(Event):
    """An incident was verified and assessed, with its grade and the basis for it."""

    meaning_zh = "突发事件经核实研判，确定事件等级及依据。"

    incident_id: str
    grade: Grade | None
    grade_basis: str
    assessment: str | None


class IncidentDismissed(Event):
    """An incident was dismissed (a false or duplicate report, or no emergency), with the reason."""

    meaning_zh = "突发事件撤销（虚报、重复上报或非突发事件），并注明原因。"

    incident_id: str
    reason: str
    #: The status it had when dismissed (a response may have been active).
    was: str


class ResponseActivated(Event):
    """An emergency response was activated for an incident at a level (I to IV), with its basis."""

    meaning_zh = "启动突发事件应急响应（I至IV级）及其依据。"

    incident_id: str
    level: Level
    basis: ResponseBasis


class ResponseLevelRaised(Event):
    """An incident's response level was raised, with the basis."""

    meaning_zh = "提升应急响应级别及其依据。"

    incident_id: str
    from_level: Level
    level: Level
    basis: ResponseBasis


class ResponseLevelLowered(Event):
    """An incident's response level was lowered, with the basis."""

    meaning_zh = "降低应急响应级别及其依据。"

    incident_id: str
    from_level: Level
    level: Level
    basis: ResponseBasis


class IncidentContained(Event):
    """An incident was declared contained."""

    meaning_zh = "突发事件宣布得到控制。"

    incident_id: str
    note: str | None


class RecoveryBegun(Event):
    """Recovery began for a contained incident."""

    meaning_zh = "得到控制的突发事件转入恢复阶段。"

    incident_id: str
    note: str | None


class IncidentClosed(Event):
    """An incident was closed after recovery."""

    meaning_zh = "突发事件处置结束，事件关闭。"

    incident_id: str
    note: str | None


class ReliefDelivered(Event):
    """Basic relief (food, water, clothing, shelter) reached people affected by an incident."""

    meaning_zh = "受灾群众得到基本生活救助（食品、饮用水、衣被、住所）。"

    incident_id: str
    number: int
    people: int
    provided: str
    site_id: str | None
    note: str | None


class TeamReportNoted(Event):
    """An incident noted a team's arrival, release or stand-down, as the teams service reported it."""

    meaning_zh = "事件记录救援队伍到达、撤离或取消调派（来自队伍服务的报告）。"

    incident_id: str
    team_id: str
    deployment: int
    report: Literal["arrived", "released", "stood_down"]
    note: str | None


INCIDENT_EVENTS: tuple[type[Event], ...] = (
    IncidentReported, FollowUpReported, IncidentVerified, IncidentDismissed, ResponseActivated,
    ResponseLevelRaised, ResponseLevelLowered, IncidentContained, RecoveryBegun, IncidentClosed,
    ReliefDelivered, TeamReportNoted,
)
