"""Teams' business gauges, read from the readiness board when Prometheus scrapes."""

from __future__ import annotations

from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import TEAMS
from shared.views import ViewStore

from .projections import READINESS

STATUSES = ("ready", "partially_ready", "not_ready", "unknown")


def teams_by_readiness(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Teams per latest readiness status; a record of 22 township teams counts 22."""
    counts = dict.fromkeys(STATUSES, 0.0)
    for line in views.list(READINESS):
        counts[line["status"]] = counts.get(line["status"], 0.0) + line["units"]
    return {(status,): count for status, count in counts.items()}


def register_gauges(gauges: ReadModelGauges) -> None:
    gauges.add(TEAMS, teams_by_readiness)
