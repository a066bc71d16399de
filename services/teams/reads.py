"""What a read adds at the moment it is asked: staleness, time out of service, capacity, candidates.

Projections cannot read the clock (they must rebuild identically), so they store the
moments things change and these functions, given `now`, finish the answer. The RPC
layer passes its clock's `now`; tests pass any moment they like.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, get_args

from .domain.registry import Capability
from .domain.teams import DEPLOYABLE
from .geo import distance_km

Doc = dict[str, Any]


def is_stale(doc: Doc, now: datetime) -> bool:
    """No readiness report for 24 hours (or, never reported, 24 hours since registration)."""
    return now >= datetime.fromisoformat(doc["stale_at"])


def board_entry(line: Doc, now: datetime) -> Doc:
    return {**line, "stale": is_stale(line, now)}


def team_view(team: Doc, now: datetime) -> Doc:
    """A team's record with staleness and its equipment's time out of service up to `now`."""
    return {**team, "stale": is_stale(team, now),
            "equipment": [_out_of_service_so_far(line, now) for line in team["equipment"]]}


def _out_of_service_so_far(line: Doc, now: datetime) -> Doc:
    out = line["status"]["maintenance"] + line["status"]["damaged"]
    seconds = line["out_of_service_unit_seconds"]
    if out and line["status_reported_at"] is not None:
        open_for = (now - datetime.fromisoformat(line["status_reported_at"])).total_seconds()
        seconds += out * max(open_for, 0.0)
    return {**line, "out_of_service_unit_seconds": seconds}


def available(line: Doc, now: datetime) -> bool:
    """Can be sent now: ready or partially ready, not deployed, and not stale."""
    return line["status"] in DEPLOYABLE and line["deployment"] is None and not is_stale(line, now)


def capacity(lines: Iterable[Doc], now: datetime) -> Doc:
    """People and machines available now per capability, and the teams by status."""
    per: dict[str, Doc] = {name: {"capability": name, "teams": 0, "teams_available": 0, "people_available": 0,
                                  "machines_available": 0, "teams_deployed": 0, "teams_stale": 0}
                           for name in get_args(Capability)}
    by_status: dict[str, int] = {}
    totals = {"teams": 0, "stale": 0, "deployed": 0}
    for line in lines:
        stale, deployed = is_stale(line, now), line["deployment"] is not None
        by_status[line["status"]] = by_status.get(line["status"], 0) + 1
        totals["teams"] += 1
        totals["stale"] += stale
        totals["deployed"] += deployed
        for name in line["capabilities"]:
            entry = per[name]
            entry["teams"] += 1
            entry["teams_stale"] += stale
            entry["teams_deployed"] += deployed
            if available(line, now):
                entry["teams_available"] += 1
                entry["people_available"] += line["people_available"] or 0
                entry["machines_available"] += line["machines_available"]
    return {"as_of": now.isoformat(), "capabilities": list(per.values()),
            "teams": {**totals, "by_status": dict(sorted(by_status.items()))}}


def candidates(lines: Iterable[Doc], capability: str, people: int, origin: Doc | None,
               homes: dict[str, Doc], now: datetime, include_stale: bool) -> list[Doc]:
    """Teams that could answer a request, nearest first (those with no known place last).

    Each says whether it alone covers the people asked for, and how many people the
    teams up to it in this order would bring together.
    """
    found = []
    for line in lines:
        if capability not in line["capabilities"] or not (line["people_available"] or 0):
            continue
        if line["status"] not in DEPLOYABLE or line["deployment"] is not None:
            continue
        stale = is_stale(line, now)
        if stale and not include_stale:
            continue
        place = line["location"] or homes.get(line["township"] or "")
        distance = None if origin is None or place is None else round(distance_km(origin, place), 1)
        found.append({**line, "stale": stale, "distance_km": distance})
    found.sort(key=lambda c: (c["distance_km"] is None, c["distance_km"] or 0.0, -c["people_available"],
                              c["team_id"]))
    together = 0
    for candidate in found:
        together += candidate["people_available"]
        candidate["covers_request"] = candidate["people_available"] >= people
        candidate["people_together"] = together
    return found


def certificate_entry(certificate: Doc, today: date) -> Doc:
    expires = date.fromisoformat(certificate["expires_on"])
    return {**certificate, "expired": expires < today, "days_left": (expires - today).days}
