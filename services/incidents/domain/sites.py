"""Resettlement sites (安置点) for evacuees: the district has 84. Each has a capacity; people are
admitted for an incident and discharged (home, or moved on), and occupancy never exceeds capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.ids import Name, Note, PositiveCount, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .kinds import GeoPoint

#: Incident statuses in which evacuees are admitted (discharges are always recorded).
ADMITTING = ("verified", "response_active", "contained", "recovering")


class RegisterSite(Command):
    site_id: Slug
    name: Name
    name_zh: Name | None = None
    township: Name
    village: Name | None = None
    address: Name | None = None
    coordinates: GeoPoint | None = None
    #: How many people it can shelter.
    capacity: PositiveCount
    occurred_at: Timestamp | None = None


class AdmitEvacuees(Command):
    site_id: Slug
    incident_id: Slug
    people: PositiveCount
    note: Note | None = None
    occurred_at: Timestamp | None = None


class DischargeEvacuees(Command):
    site_id: Slug
    incident_id: Slug
    people: PositiveCount
    note: Note | None = None
    occurred_at: Timestamp | None = None


SiteCommand = RegisterSite | AdmitEvacuees | DischargeEvacuees


class SiteRegistered(Event):
    """A resettlement site was registered, with its place and capacity."""

    meaning_zh = "登记安置点，含位置和容量。"

    site_id: str
    name: str
    name_zh: str | None
    township: str
    village: str | None
    address: str | None
    coordinates: GeoPoint | None
    capacity: int


class EvacueesAdmitted(Event):
    """People evacuated from an incident were taken in at a resettlement site."""

    meaning_zh = "因突发事件转移的群众进入安置点安置。"

    site_id: str
    incident_id: str
    people: int
    #: The site's occupancy after this admission.
    occupancy: int
    note: str | None


class EvacueesDischarged(Event):
    """Evacuees left a resettlement site."""

    meaning_zh = "安置群众离开安置点。"

    site_id: str
    incident_id: str
    people: int
    occupancy: int
    note: str | None


@dataclass(frozen=True)
class Site:
    registered: bool = False
    capacity: int = 0
    occupancy: int = 0
    by_incident: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """The status of the incident people are admitted for (None: no such incident)."""

    incident_status: str | None = None


def decide(command: SiteCommand, state: Site, facts: Facts) -> list[Event]:
    if isinstance(command, RegisterSite):
        if state.registered:
            raise Conflict(f"site {command.site_id} is already registered", field="site_id",
                           code="already_registered")
        return [SiteRegistered(**command.model_dump(exclude={"occurred_at"}))]
    if not state.registered:
        raise NotFound(f"no resettlement site {command.site_id}", field="site_id")
    if isinstance(command, AdmitEvacuees):
        return _admit(command, state, facts)
    here = state.by_incident.get(command.incident_id, 0)
    if command.people > here:
        raise InvalidCommand(f"only {here} people of incident {command.incident_id} are at site "
                             f"{command.site_id}", field="people")
    return [EvacueesDischarged(site_id=command.site_id, incident_id=command.incident_id,
                               people=command.people, occupancy=state.occupancy - command.people,
                               note=command.note)]


def _admit(command: AdmitEvacuees, state: Site, facts: Facts) -> list[Event]:
    if facts.incident_status is None:
        raise NotFound(f"no incident {command.incident_id}", field="incident_id")
    if facts.incident_status not in ADMITTING:
        raise Conflict(f"incident {command.incident_id} is {facts.incident_status}: evacuees are admitted "
                       "once it is verified and until it is closed", field="incident_id",
                       code="incident_not_active")
    room = state.capacity - state.occupancy
    if command.people > room:
        raise Conflict(f"site {command.site_id} has room for {room} more (capacity {state.capacity}, "
                       f"{state.occupancy} there)", field="people", code="site_full")
    return [EvacueesAdmitted(site_id=command.site_id, incident_id=command.incident_id,
                             people=command.people, occupancy=state.occupancy + command.people,
                             note=command.note)]


def evolve(state: Site, event: Event) -> Site:
    if isinstance(event, SiteRegistered):
        return Site(registered=True, capacity=event.capacity)
    if isinstance(event, EvacueesAdmitted | EvacueesDischarged):
        sign = 1 if isinstance(event, EvacueesAdmitted) else -1
        here = state.by_incident.get(event.incident_id, 0) + sign * event.people
        by_incident = {**state.by_incident, event.incident_id: here}
        return replace(state, occupancy=event.occupancy,
                       by_incident={key: value for key, value in by_incident.items() if value})
    return state


def stream_id(site_id: str) -> str:
    return _stream_id("site", site_id)


def deciding(facts: Facts) -> Decider[SiteCommand, Site]:
    return replace(sites, decide=partial(decide, facts=facts))


def _decide(command: Any, state: Site) -> list[Event]:
    return decide(command, state, Facts())


sites = Decider[SiteCommand, Site](_decide, evolve, Site(), (SiteRegistered, EvacueesAdmitted,
                                                             EvacueesDischarged))
