"""A team's roster: its members, their roles and the certificates they hold, with expiry dates.

The plan targets every special-operations worker holding a valid certificate
(特种作业人员持证率100%), so each member says whether the role is special operations,
and certificates carry the date they expire. Recording a certificate again under the
same id renews it (a new expiry date replaces the old).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import model_validator

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, NotFound
from shared.ids import Name, Note, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp


class AddMember(Command):
    team_id: Slug
    member_id: Slug
    name: Name
    role: Name
    special_operations: bool = False
    occurred_at: Timestamp | None = None


class RecordCertificate(Command):
    team_id: Slug
    member_id: Slug
    certificate_id: Slug
    kind: Name
    number: Name | None = None
    issued_on: date | None = None
    expires_on: date
    occurred_at: Timestamp | None = None

    @model_validator(mode="after")
    def _expires_after_issue(self) -> RecordCertificate:
        if self.issued_on is not None and self.expires_on < self.issued_on:
            raise ValueError("expires_on must not be before issued_on")
        return self


class RemoveMember(Command):
    team_id: Slug
    member_id: Slug
    reason: Note | None = None
    occurred_at: Timestamp | None = None


RosterCommand = AddMember | RecordCertificate | RemoveMember


class MemberAdded(Event):
    """A member joined a team's roster, with their role."""

    meaning_zh = "队员加入队伍名册，含其岗位。"

    team_id: str
    member_id: str
    name: str
    role: str
    special_operations: bool


class CertificateRecorded(Event):
    """A member's certificate was recorded or renewed, with the date it expires."""

    meaning_zh = "登记或更新队员证书及其有效期。"

    team_id: str
    member_id: str
    certificate_id: str
    kind: str
    number: str | None
    issued_on: date | None
    expires_on: date


class MemberRemoved(Event):
    """A member left a team's roster."""

    meaning_zh = "队员移出队伍名册。"

    team_id: str
    member_id: str
    reason: str | None


@dataclass(frozen=True)
class Roster:
    members: frozenset[str] = field(default_factory=frozenset)
    #: Members ever on the roster: an id is never reused, so history stays unambiguous.
    ever: frozenset[str] = field(default_factory=frozenset)


def decide(command: RosterCommand, state: Roster) -> list[Event]:
    fields = command.model_dump(exclude={"occurred_at"})
    if isinstance(command, AddMember):
        if command.member_id in state.ever:
            raise Conflict(f"member {command.member_id} is already on the roster of team "
                           f"{command.team_id} (or was: ids are not reused)", field="member_id",
                           code="already_registered")
        return [MemberAdded(**fields)]
    if command.member_id not in state.members:
        raise NotFound(f"no member {command.member_id} on the roster of team {command.team_id}",
                       field="member_id")
    if isinstance(command, RecordCertificate):
        return [CertificateRecorded(**fields)]
    return [MemberRemoved(**fields)]


def evolve(state: Roster, event: Event) -> Roster:
    if isinstance(event, MemberAdded):
        return Roster(members=state.members | {event.member_id}, ever=state.ever | {event.member_id})
    if isinstance(event, MemberRemoved):
        return replace(state, members=state.members - {event.member_id})
    return state


def stream_id(team_id: str) -> str:
    return _stream_id("roster", team_id)


rosters = Decider[RosterCommand, Roster](decide, evolve, Roster(),
                                         (MemberAdded, CertificateRecorded, MemberRemoved))
