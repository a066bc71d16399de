"""Incidents' business gauges, read from the incidents read model when Prometheus scrapes.

The relief clock depends on "now": it is read from the wall clock at the scrape, through the
same function the incident view uses (`relief.clock_state`), never stored by a projection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from shared.envelope import now
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import INCIDENTS_BY_RESPONSE_LEVEL, INCIDENTS_OPEN, RELIEF_PENDING, REPORTS_LATE
from shared.views import ViewStore

from .domain.kinds import LEVELS
from .read_keys import ENDED, INCIDENTS
from .relief import PENDING, clock_state

Values = dict[tuple[str, ...], float]
#: Every label value is exported, zeros too: a series that appears at 1 is not an `increase()`.
GRADES = (*LEVELS, "none")


def open_incidents(views: ViewStore) -> Values:
    """Incidents not closed or dismissed, by status and grade (`none` while ungraded)."""
    counts = Counter((doc["status"], doc["grade"] or "none")
                     for doc in views.list(INCIDENTS) if doc["status"] not in ENDED)
    return {labels: float(count) for labels, count in counts.items()}


def by_response_level(views: ViewStore) -> Values:
    counts = Counter(doc["response_level"] or "none"
                     for doc in views.list(INCIDENTS) if doc["status"] not in ENDED)
    return {(level,): float(counts[level]) for level in GRADES}


def relief_pending(views: ViewStore, at: datetime) -> Values:
    """Open incidents whose affected people still wait for basic relief, by the clock's state."""
    counts = Counter(clock_state(doc, at) for doc in views.list(INCIDENTS) if doc["status"] not in ENDED)
    return {(state,): float(counts[state]) for state in PENDING}


def reports_late(views: ViewStore) -> Values:
    """First reports made after their deadline, by the grade suggested when reported: both are
    fixed at the report, so the count only grows."""
    counts = Counter(doc["reported_grade"] or "none" for doc in views.list(INCIDENTS) if doc["reported_late"])
    return {(grade,): float(counts[grade]) for grade in GRADES}


def register_gauges(gauges: ReadModelGauges, clock: Callable[[], datetime] = now) -> None:
    gauges.add(INCIDENTS_OPEN, open_incidents)
    gauges.add(INCIDENTS_BY_RESPONSE_LEVEL, by_response_level)
    gauges.add(RELIEF_PENDING, lambda views: relief_pending(views, clock()))
    gauges.add(REPORTS_LATE, reports_late)
