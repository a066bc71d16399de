"""Teams' business gauges, read from the readiness board when Prometheus scrapes.

A record that groups several teams (22 township flood teams) counts each of them. What
is stale and what is available is decided as the API decides it at that moment
(`services.teams.reads`): stale after 24 hours without a report; available when ready
or partially ready, not deployed and not stale, as `GET /capacity` counts people.
"""

from __future__ import annotations

from typing import get_args

from shared.envelope import now
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import PEOPLE_AVAILABLE, TEAMS, TEAMS_STALE
from shared.views import ViewStore

from .domain.registry import Capability, TeamType
from .projections import READINESS
from .reads import available, is_stale

STATUSES = ("ready", "partially_ready", "not_ready", "unknown")


def teams_by_readiness(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Teams per latest readiness status."""
    counts = dict.fromkeys(STATUSES, 0.0)
    for line in views.list(READINESS):
        counts[line["status"]] = counts.get(line["status"], 0.0) + line["units"]
    return {(status,): count for status, count in counts.items()}


def stale_teams(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Teams with no readiness report for 24 hours (never reported: since registration), by type."""
    moment = now()
    counts = dict.fromkeys(get_args(TeamType), 0.0)
    for line in views.list(READINESS):
        if is_stale(line, moment):
            counts[line["team_type"]] = counts.get(line["team_type"], 0.0) + line["units"]
    return {(team_type,): count for team_type, count in counts.items()}


def people_available(views: ViewStore) -> dict[tuple[str, ...], float]:
    """People of available teams, per capability (a team with two capabilities counts in both)."""
    moment = now()
    counts = dict.fromkeys(get_args(Capability), 0.0)
    for line in views.list(READINESS):
        if available(line, moment):
            for capability in line["capabilities"]:
                counts[capability] += line["people_available"] or 0
    return {(capability,): count for capability, count in counts.items()}


def register_gauges(gauges: ReadModelGauges) -> None:
    gauges.add(TEAMS, teams_by_readiness)
    gauges.add(TEAMS_STALE, stale_teams)
    gauges.add(PEOPLE_AVAILABLE, people_available)
