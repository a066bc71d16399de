"""Incidents' business gauges, read from the incidents read model when Prometheus scrapes."""

from __future__ import annotations

from collections import Counter

from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import INCIDENTS_OPEN
from shared.views import ViewStore

from .projections import INCIDENTS

CLOSED = frozenset({"closed"})


def open_incidents(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Incidents not closed, by status and grade (`none` while ungraded)."""
    counts = Counter(
        (incident["status"], incident.get("suggested_grade") or "none")
        for incident in views.list(INCIDENTS) if incident["status"] not in CLOSED
    )
    return {labels: float(count) for labels, count in counts.items()}


def register_gauges(gauges: ReadModelGauges) -> None:
    gauges.add(INCIDENTS_OPEN, open_incidents)
