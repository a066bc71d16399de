"""One incident (突发事件): its report, with the grade Decree 493 suggests for accidents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, InvalidCommand
from shared.ids import Amount, Count, Name, Note, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .grading import Category, Grade, assess

IncidentType = Literal[
    "flood", "waterlogging", "drought", "typhoon", "heat_wave", "cold_wave", "snow_ice",
    "forest_fire", "landslide", "debris_flow", "mountain_torrent", "earthquake",
    "hazardous_chemicals", "road_traffic", "building_fire", "gas", "special_equipment", "other",
]
IncidentStatus = Literal["reported"]
_NATURAL: tuple[IncidentType, ...] = (
    "flood", "waterlogging", "drought", "typhoon", "heat_wave", "cold_wave", "snow_ice",
    "forest_fire", "landslide", "debris_flow", "mountain_torrent", "earthquake",
)
_ACCIDENT: tuple[IncidentType, ...] = (
    "hazardous_chemicals", "road_traffic", "building_fire", "gas", "special_equipment",
)
#: The category each hazard belongs to under the Emergency Response Law; "other" may be any.
CATEGORY_OF: dict[IncidentType, Category] = {
    **dict.fromkeys(_NATURAL, "natural_disaster"), **dict.fromkeys(_ACCIDENT, "accident"),
}


class ReportIncident(Command):
    incident_id: Slug
    title: Name
    incident_type: IncidentType
    category: Category
    township: Name
    location: Name | None = None
    description: Note | None = None
    reported_by: Name
    deaths: Count = 0
    injured: Count = 0
    #: Of the injured, how many seriously (重伤); when not given, Decree 493 counts all injured.
    seriously_injured: Count | None = None
    missing: Count = 0
    affected_people: Count = 0
    direct_loss_yuan: Amount | None = None
    occurred_at: Timestamp | None = None


class IncidentReported(Event):
    """An incident was reported, with its figures and the grade Decree 493 suggests for accidents."""

    meaning_zh = "突发事件上报，含灾情数据及按国务院第493号令建议的事故等级。"

    incident_id: str
    title: str
    incident_type: IncidentType
    category: Category
    township: str
    location: str | None
    description: str | None
    reported_by: str
    deaths: int
    injured: int
    seriously_injured: int | None
    missing: int
    affected_people: int
    direct_loss_yuan: float | None
    suggested_grade: Grade | None
    grade_basis: str


@dataclass(frozen=True)
class Incident:
    status: IncidentStatus | None = None


def decide(command: ReportIncident, state: Incident) -> list[Event]:
    if state.status is not None:
        raise Conflict(f"incident {command.incident_id} is already reported", field="incident_id",
                       code="already_registered")
    expected = CATEGORY_OF.get(command.incident_type, command.category)
    if command.category != expected:
        raise InvalidCommand(f"a {command.incident_type} incident is a {expected} event",
                             field="category")
    if command.seriously_injured is not None and command.seriously_injured > command.injured:
        raise InvalidCommand(f"more than the {command.injured} injured", field="seriously_injured")
    grade, basis = assess(
        command.category, command.deaths,
        command.injured if command.seriously_injured is None else command.seriously_injured,
        command.direct_loss_yuan,
        injured_label="injured" if command.seriously_injured is None else "seriously injured",
    )
    return [IncidentReported(**command.model_dump(exclude={"occurred_at"}),
                             suggested_grade=grade, grade_basis=basis)]


def evolve(state: Incident, event: Event) -> Incident:
    return Incident(status="reported") if isinstance(event, IncidentReported) else state


def stream_id(incident_id: str) -> str:
    return _stream_id("incident", incident_id)


incidents = Decider[ReportIncident, Incident](decide, evolve, Incident(), (IncidentReported,))
