"""Where each approved line is taken from: a pure choice over what the other services reported.

Materials: warehouses with available stock, nearest to the destination first (those whose
place is not on record after them, most stock first); then agreement reserves that can be
on site within the relief target, shortest lead time first; what is still uncovered is a
shortfall with its reason. Teams: a named team as asked; a capability from the candidates
the teams service ranks nearest first, each giving as many people as it has until the
number asked is reached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .dispatch_steps import Assignment, CallOff, Shortfall, Source, step_ref
from .kinds import GeoPoint
from .request_commands import MaterialLine, TeamLine

#: Agreement reserves are called off only when they can be on site within this many hours:
#: the plan's relief target.
CALL_OFF_WITHIN_HOURS = 8


@dataclass(frozen=True)
class StockOption:
    warehouse_id: str
    available: int
    distance_km: float | None


@dataclass(frozen=True)
class AgreementOption:
    agreement_id: str
    callable: int
    lead_time_hours: int


@dataclass(frozen=True)
class Candidate:
    team_id: str
    people_available: int
    distance_km: float | None


@dataclass(frozen=True)
class MaterialPlan:
    sources: tuple[Source, ...]
    call_offs: tuple[CallOff, ...]
    shortfall: Shortfall | None


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance (haversine, mean Earth radius): good enough to rank warehouses."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(h)), 1)


def _nearest_first(options: Iterable[StockOption]) -> list[StockOption]:
    return sorted((o for o in options if o.available > 0),
                  key=lambda o: (o.distance_km is None, o.distance_km or 0.0, -o.available, o.warehouse_id))


def plan_material(incident_id: str, request_id: str, line: MaterialLine, stock: Sequence[StockOption],
                  agreements: Sequence[AgreementOption]) -> MaterialPlan:
    remaining = line.quantity
    sources: list[Source] = []
    for option in _nearest_first(stock):
        if remaining == 0:
            break
        take = min(option.available, remaining)
        sources.append(Source(ref=step_ref("rsv", incident_id, request_id, line.line, option.warehouse_id),
                              line=line.line, item_id=line.item_id, warehouse_id=option.warehouse_id,
                              quantity=take, distance_km=option.distance_km))
        remaining -= take
    call_offs: list[CallOff] = []
    usable = sorted((a for a in agreements if a.callable > 0 and a.lead_time_hours <= CALL_OFF_WITHIN_HOURS),
                    key=lambda a: (a.lead_time_hours, -a.callable, a.agreement_id))
    for agreement in usable:
        if remaining == 0:
            break
        take = min(agreement.callable, remaining)
        ref = step_ref("cof", incident_id, request_id, line.line, agreement.agreement_id)
        call_offs.append(CallOff(ref=ref, line=line.line, item_id=line.item_id,
                                 agreement_id=agreement.agreement_id, quantity=take,
                                 lead_time_hours=agreement.lead_time_hours))
        remaining -= take
    shortfall = None
    if remaining:
        in_stock = sum(o.available for o in stock if o.available > 0)
        callable_ = sum(a.callable for a in usable)
        shortfall = Shortfall(line=line.line, missing=remaining, reason=(
            f"{remaining:,} {line.item_id} missing: the district's warehouses have {in_stock:,} available "
            f"and agreement reserves can deliver {callable_:,} within {CALL_OFF_WITHIN_HOURS} hours"))
    return MaterialPlan(tuple(sources), tuple(call_offs), shortfall)


def plan_named_team(line: TeamLine, team_id: str, people_available: int | None) -> Assignment:
    """A named team: the people asked, else everyone its latest report says is available."""
    return Assignment(line=line.line, team_id=team_id,
                      people=line.people if line.people is not None else people_available)


def plan_capability(line: TeamLine, candidates: Sequence[Candidate],
                    taken: set[str]) -> tuple[tuple[Assignment, ...], Shortfall | None]:
    """Teams with the capability, in the order given (nearest first), until the people are found."""
    assert line.people is not None and line.capability is not None
    remaining = line.people
    assignments = []
    for candidate in candidates:
        if remaining == 0:
            break
        if candidate.team_id in taken or candidate.people_available <= 0:
            continue
        people = min(candidate.people_available, remaining)
        assignments.append(Assignment(line=line.line, team_id=candidate.team_id, people=people,
                                      distance_km=candidate.distance_km))
        taken.add(candidate.team_id)
        remaining -= people
    shortfall = None
    if remaining:
        found = line.people - remaining
        shortfall = Shortfall(line=line.line, missing=remaining, reason=(
            f"{remaining} people with {line.capability} missing: ready teams not yet deployed "
            f"have {found} between them"))
    return tuple(assignments), shortfall
