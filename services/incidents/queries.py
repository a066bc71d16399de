"""The incidents reads that need "now" or a filter: an incident's full view, open incidents by
level and type, and the district's statistics. Query values arrive as text from a URL; anything
unknown or malformed is a 400 naming it."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import parse
from shared.ids import Slug
from shared.paging import PageRequest, page
from shared.timestamps import CHINA_STANDARD_TIME, Timestamp
from shared.views import ViewStore

from .domain.kinds import LEVELS, IncidentType, Level
from .read_keys import ENDED, INCIDENTS, REQUESTS, SITES, TIMELINE, incident_prefix
from .relief import PENDING, clock_state, relief_clock

Doc = dict[str, Any]
#: Resettlement sites the district's plan counts (安置点).
PLANNED_SITES = 84


class OpenQuery(PageRequest):
    level: Level | Literal["none"] | None = None
    incident_type: IncidentType | None = None
    township: Slug | None = None


class StatisticsQuery(BaseModel):
    """Incidents that occurred from `from` (inclusive) until `until` (exclusive); both optional."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    since: Timestamp | None = Field(default=None, alias="from")
    until: Timestamp | None = None


def _all(views: ViewStore, collection: str, prefix: str = "") -> list[Doc]:
    return views.list(collection, prefix)


def incident_view(views: ViewStore, incident_id: str, now: datetime) -> Doc:
    """The incident, its relief clock, its requests and its whole timeline."""
    doc = views.require(INCIDENTS, incident_id, f"no incident {incident_id}", "incident_id")
    return {**doc, "relief_clock": relief_clock(doc, now),
            "requests": _all(views, REQUESTS, incident_prefix(incident_id)),
            "timeline": _all(views, TIMELINE, incident_prefix(incident_id))}


def with_clock(doc: Doc, now: datetime) -> Doc:
    return {**doc, "relief_clock": relief_clock(doc, now)}


def _level(doc: Doc) -> str:
    return doc["response_level"] or "none"


def open_incidents(views: ViewStore, raw: dict[str, Any] | None, now: datetime) -> Doc:
    """Incidents not closed or dismissed, counted by response level and type, and a page of them
    (filtered by `level`, `incident_type`, `township`) with their relief clocks."""
    query = parse(OpenQuery, raw or {})
    current = [doc for doc in _all(views, INCIDENTS) if doc["status"] not in ENDED]
    by_level = Counter(_level(doc) for doc in current)

    def keep(doc: Doc) -> bool:
        return (query.level in (None, _level(doc)) and query.incident_type in (None, doc["incident_type"])
                and query.township in (None, doc["township"]))

    chosen = [doc for doc in current if keep(doc)]
    after = query.after_key()
    start = [doc for doc in chosen if after is None or doc["incident_id"] > after]
    items = start[:query.limit]
    more = len(start) > query.limit
    result = page([with_clock(doc, now) for doc in items], items[-1]["incident_id"] if more else None)
    return {"open": len(current),
            "by_level": {level: by_level[level] for level in (*LEVELS, "none")},
            "by_type": dict(sorted(Counter(doc["incident_type"] for doc in current).items())),
            **result}


def _month(doc: Doc) -> str:
    return datetime.fromisoformat(doc["occurred_at"]).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def district_statistics(views: ViewStore, raw: dict[str, Any] | None, now: datetime) -> Doc:
    """Incidents per type and month (China Standard Time), the relief-target hit rate and report
    timeliness over the incidents that occurred in the window; resettlement sites now."""
    query = parse(StatisticsQuery, raw or {})
    within: Callable[[Doc], bool] = lambda doc: (  # noqa: E731
        (query.since is None or datetime.fromisoformat(doc["occurred_at"]) >= query.since)
        and (query.until is None or datetime.fromisoformat(doc["occurred_at"]) < query.until))
    incidents = [doc for doc in _all(views, INCIDENTS) if within(doc)]
    per_month: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in incidents:
        per_month[_month(doc)][doc["incident_type"]] += 1
    states = Counter(clock_state(doc, now) for doc in incidents)
    decided = states["met"] + states["missed"] + states["overdue"]
    delays = sorted(doc["report_delay_s"] for doc in incidents)
    late = sum(doc["reported_late"] for doc in incidents)
    sites = _all(views, SITES)
    return {
        "as_of": now.isoformat(),
        "from": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "incidents": len(incidents),
        "by_status": dict(sorted(Counter(doc["status"] for doc in incidents).items())),
        "by_month_and_type": {month: dict(sorted(per_month[month].items())) for month in sorted(per_month)},
        "relief_target": {"met": states["met"], "missed": states["missed"], "overdue": states["overdue"],
                          "pending": sum(states[s] for s in PENDING if s != "overdue"),
                          "hit_rate": _share(states["met"], decided)},
        "report_timeliness": {"reports": len(incidents), "on_time": len(incidents) - late, "late": late,
                              "on_time_rate": _share(len(incidents) - late, len(incidents)),
                              "median_delay_s": statistics.median(delays) if delays else None,
                              "max_delay_s": delays[-1] if delays else None},
        "resettlement": {"sites": len(sites), "planned_sites": PLANNED_SITES,
                         "capacity": sum(site["capacity"] for site in sites),
                         "occupancy": sum(site["occupancy"] for site in sites)},
    }
