"""The vocabulary of an incident: hazard types and their categories, grades and response levels,
where it is, and the figures a report gives (casualties, people affected, damage)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.ids import Amount, Count

from .grading import Category, Grade

IncidentType = Literal[
    "flood", "waterlogging", "drought", "typhoon", "heat_wave", "cold_wave", "snow_ice",
    "forest_fire", "landslide", "debris_flow", "mountain_torrent", "earthquake",
    "hazardous_chemicals", "road_traffic", "building_fire", "gas", "special_equipment", "other",
]
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

#: Response levels (响应级别) I-IV: I is the highest, as with grades.
Level = Grade
LEVELS: tuple[Level, ...] = ("I", "II", "III", "IV")


def more_severe(a: Level, b: Level) -> bool:
    """True when level `a` is higher (more severe) than `b`: I > II > III > IV."""
    return LEVELS.index(a) < LEVELS.index(b)


class Value(BaseModel):
    """A value inside a command or event: frozen, strict about unknown fields, trims text."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class GeoPoint(Value):
    """WGS 84 degrees, as the teams service places townships. JSON `true` is not a latitude."""

    lat: Annotated[float, Field(ge=-90, le=90, strict=True, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, strict=True, allow_inf_nan=False)]


class Figures(Value):
    """What a report says of the harm done, as totals so far (a follow-up replaces them)."""

    deaths: Count = 0
    injured: Count = 0
    #: Of the injured, how many seriously (重伤); when not given, Decree 493 counts all injured.
    seriously_injured: Count | None = None
    missing: Count = 0
    affected_people: Count = 0
    #: People moved out of danger (转移安置): resettled or staying with relatives.
    people_relocated: Count = 0
    houses_collapsed: Count = 0
    houses_damaged: Count = 0
    direct_loss_yuan: Amount | None = None


FIGURE_FIELDS = tuple(Figures.model_fields)
