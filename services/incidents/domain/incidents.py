"""One incident (突发事件): its lifecycle, enforced here, and its figures as the reports give them.

Every command except the first report names the statuses it may start from (`ALLOWED`);
from any other status it is refused with `illegal_transition`, naming where the incident
is and what would be needed. Two facts come from the handler: `at`, when the command
happened (a report's `reported_at`), and the incident's requests still open, which must
be settled before it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, Literal

from shared.decider import Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.streams import stream_id as _stream_id

from .grading import Category, Grade, assess
from .kinds import CATEGORY_OF, FIGURE_FIELDS, GeoPoint, Level, more_severe
from .lifecycle import (
    INCIDENT_EVENTS,
    ActivateResponse,
    BeginRecovery,
    ChangeResponseLevel,
    CloseIncident,
    DeclareContained,
    DismissIncident,
    FileFollowUp,
    FollowUpReported,
    IncidentClosed,
    IncidentCommand,
    IncidentContained,
    IncidentDismissed,
    IncidentReported,
    IncidentVerified,
    NoteTeamReport,
    RecordRelief,
    RecoveryBegun,
    ReliefDelivered,
    ReportIncident,
    ResponseActivated,
    ResponseLevelLowered,
    ResponseLevelRaised,
    TeamReportNoted,
    VerifyIncident,
)

IncidentStatus = Literal["reported", "verified", "dismissed", "response_active", "contained",
                         "recovering", "closed"]
#: Statuses in which the incident is still being handled (requests, relief, resettlement).
ACTIVE: tuple[IncidentStatus, ...] = ("verified", "response_active", "contained", "recovering")
#: Where each command may start from, and how the refusal describes what it needs.
ALLOWED: dict[type[Any], tuple[tuple[IncidentStatus, ...], str]] = {
    VerifyIncident: (("reported",), "it can be verified only while reported"),
    DismissIncident: (("reported", "verified", "response_active"),
                      "it can be dismissed only before it is contained"),
    ActivateResponse: (("verified",), "a response can be activated only once it is verified"),
    ChangeResponseLevel: (("response_active", "contained"),
                          "the response level can change only while a response is active or contained"),
    DeclareContained: (("response_active",), "it can be declared contained only while a response is active"),
    BeginRecovery: (("contained",), "recovery can begin only once it is contained"),
    CloseIncident: (("recovering",), "it can be closed only while recovering"),
    FileFollowUp: (("reported", *ACTIVE), "follow-up reports are taken until it is closed or dismissed"),
    RecordRelief: (ACTIVE, "relief is recorded once it is verified and until it is closed"),
    NoteTeamReport: (("reported", "dismissed", *ACTIVE, "closed"), "never refused"),
}


@dataclass(frozen=True)
class Incident:
    status: IncidentStatus | None = None
    category: Category | None = None
    township: str = ""
    coordinates: GeoPoint | None = None
    occurred_at: datetime | None = None
    figures: dict[str, int | float | None] = field(default_factory=dict)
    level: Level | None = None
    follow_ups: int = 0
    reliefs: int = 0


@dataclass(frozen=True)
class Facts:
    """What the handler knows beside the command: when it happened, and the open requests."""

    at: datetime
    open_requests: tuple[str, ...] = ()


def decide(command: IncidentCommand, state: Incident, facts: Facts) -> list[Event]:
    if isinstance(command, ReportIncident):
        return _report(command, state, facts)
    if state.status is None:
        raise NotFound(f"no incident {command.incident_id}", field="incident_id")
    allowed, needs = ALLOWED[type(command)]
    if state.status not in allowed:
        raise Conflict(f"incident {command.incident_id} is {state.status}: {needs}", field="status",
                       code="illegal_transition")
    before = state.occurred_at is not None and facts.at < state.occurred_at
    if before and not isinstance(command, NoteTeamReport):  # another service's fact is never refused
        assert state.occurred_at is not None
        raise InvalidCommand(f"is before the incident occurred ({state.occurred_at.isoformat()})",
                             field="occurred_at")
    return _HANDLERS[type(command)](command, state, facts)


def _report(command: ReportIncident, state: Incident, facts: Facts) -> list[Event]:
    if state.status is not None:
        raise Conflict(f"incident {command.incident_id} is already reported", field="incident_id",
                       code="already_registered")
    expected = CATEGORY_OF.get(command.incident_type, command.category)
    if command.category != expected:
        raise InvalidCommand(f"a {command.incident_type} incident is a {expected} event", field="category")
    occurred_at = command.occurred_at or facts.at
    if occurred_at > facts.at:
        raise InvalidCommand(f"is after the report was made ({facts.at.isoformat()})", field="occurred_at")
    figures = command.model_dump(include=set(FIGURE_FIELDS))
    grade, basis = _suggest(command.category, figures)
    return [IncidentReported(**command.model_dump(exclude={"occurred_at", "reported_at"}),
                             occurred_at=occurred_at, suggested_grade=grade, grade_basis=basis)]


def _suggest(category: Category, figures: dict[str, Any]) -> tuple[Grade | None, str]:
    injured, seriously = figures["injured"], figures["seriously_injured"]
    if seriously is not None and seriously > injured:
        raise InvalidCommand(f"more than the {injured} injured", field="seriously_injured")
    return assess(category, figures["deaths"], injured if seriously is None else seriously,
                  figures["direct_loss_yuan"],
                  injured_label="injured" if seriously is None else "seriously injured")


def _follow_up(command: FileFollowUp, state: Incident, facts: Facts) -> list[Event]:
    given = command.model_dump(include=set(FIGURE_FIELDS), exclude_unset=True)
    figures = {**state.figures, **given}
    assert state.category is not None
    grade, basis = _suggest(state.category, figures)
    changes = {name: value for name, value in given.items() if state.figures.get(name) != value}
    return [FollowUpReported(incident_id=command.incident_id, number=state.follow_ups + 1,
                             reported_by=command.reported_by, changes=changes,
                             description=command.description, suggested_grade=grade, grade_basis=basis)]


def _verify(command: VerifyIncident, state: Incident, facts: Facts) -> list[Event]:
    assert state.category is not None
    suggested, basis = _suggest(state.category, state.figures)
    if command.grade is not None and command.grade != suggested:
        basis = f"grade {command.grade} set by the command centre's assessment"
        if suggested is not None:
            basis += f" (Decree 493 suggests {suggested})"
    return [IncidentVerified(incident_id=command.incident_id, grade=command.grade or suggested,
                             grade_basis=basis, assessment=command.assessment)]


def _dismiss(command: DismissIncident, state: Incident, facts: Facts) -> list[Event]:
    assert state.status is not None
    return [IncidentDismissed(incident_id=command.incident_id, reason=command.reason, was=state.status)]


def _activate(command: ActivateResponse, state: Incident, facts: Facts) -> list[Event]:
    return [ResponseActivated(incident_id=command.incident_id, level=command.level, basis=command.basis)]


def _change_level(command: ChangeResponseLevel, state: Incident, facts: Facts) -> list[Event]:
    current = state.level
    assert current is not None
    if command.level == current:
        raise Conflict(f"the response is already at level {current}", field="level", code="same_level")
    changed = ResponseLevelRaised if more_severe(command.level, current) else ResponseLevelLowered
    return [changed(incident_id=command.incident_id, from_level=current, level=command.level,
                    basis=command.basis)]


def _contain(command: DeclareContained, state: Incident, facts: Facts) -> list[Event]:
    return [IncidentContained(incident_id=command.incident_id, note=command.note)]


def _recover(command: BeginRecovery, state: Incident, facts: Facts) -> list[Event]:
    return [RecoveryBegun(incident_id=command.incident_id, note=command.note)]


def _close(command: CloseIncident, state: Incident, facts: Facts) -> list[Event]:
    if facts.open_requests:
        raise Conflict(f"requests still open: {', '.join(facts.open_requests)}; approve, reject or "
                       "cancel them, or let their dispatch finish", field="incident_id", code="requests_open")
    return [IncidentClosed(incident_id=command.incident_id, note=command.note)]


def _relief(command: RecordRelief, state: Incident, facts: Facts) -> list[Event]:
    return [ReliefDelivered(incident_id=command.incident_id, number=state.reliefs + 1, people=command.people,
                            provided=command.provided, site_id=command.site_id, note=command.note)]


def _note(command: NoteTeamReport, state: Incident, facts: Facts) -> list[Event]:
    return [TeamReportNoted(**command.model_dump(exclude={"occurred_at"}))]


_HANDLERS: dict[type[Any], Callable[[Any, Incident, Facts], list[Event]]] = {
    FileFollowUp: _follow_up, VerifyIncident: _verify, DismissIncident: _dismiss,
    ActivateResponse: _activate, ChangeResponseLevel: _change_level, DeclareContained: _contain,
    BeginRecovery: _recover, CloseIncident: _close, RecordRelief: _relief, NoteTeamReport: _note,
}
_STATUS_AFTER: dict[type[Event], IncidentStatus] = {
    IncidentVerified: "verified", IncidentDismissed: "dismissed", ResponseActivated: "response_active",
    IncidentContained: "contained", RecoveryBegun: "recovering", IncidentClosed: "closed",
}


def evolve(state: Incident, event: Event) -> Incident:
    if isinstance(event, IncidentReported):
        return Incident(status="reported", category=event.category, township=event.township,
                        coordinates=event.coordinates, occurred_at=event.occurred_at,
                        figures=event.model_dump(include=set(FIGURE_FIELDS)))
    if isinstance(event, FollowUpReported):
        return replace(state, figures={**state.figures, **event.changes}, follow_ups=event.number)
    if isinstance(event, ReliefDelivered):
        return replace(state, reliefs=event.number)
    if isinstance(event, ResponseActivated | ResponseLevelRaised | ResponseLevelLowered):
        state = replace(state, level=event.level)
    status = _STATUS_AFTER.get(type(event))
    return replace(state, status=status) if status is not None else state


def stream_id(incident_id: str) -> str:
    return _stream_id("incident", incident_id)


def deciding(facts: Facts) -> Decider[IncidentCommand, Incident]:
    """The incident decider with this command's facts."""
    return replace(incidents, decide=partial(decide, facts=facts))


def _no_facts(command: IncidentCommand, state: Incident) -> list[Event]:
    raise TypeError("decide an incident command through deciding(facts)")


incidents = Decider[IncidentCommand, Incident](_no_facts, evolve, Incident(), INCIDENT_EVENTS,
                                               state_version=2)
