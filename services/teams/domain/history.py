"""A team's readiness as of any past moment, by replaying its events up to that moment.

This is the specification: fold every event that happened (by `occurred_at`) at or
before the moment, in the order they happened, ties broken by the order recorded. The
read model answers the same question from an index (`services.teams.projections`),
and a property test holds the two equal on random histories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.decider import Event

from .deployments import TeamArrived, TeamDeployed, TeamReleased
from .readiness import EquipmentCounts, EquipmentStatusReported, ReadinessReported


@dataclass(frozen=True)
class Timed:
    """An event with when it happened and its place in the stream."""

    occurred_at: datetime
    version: int
    event: Event


@dataclass(frozen=True)
class ReadinessAsOf:
    status: str = "unknown"
    people_available: int | None = None
    reported_at: datetime | None = None
    #: incident_id, deployment number and whether the team had arrived, while deployed.
    deployment: tuple[str, int, bool] | None = None
    equipment: dict[str, EquipmentCounts] = field(default_factory=dict)


def _apply(state: ReadinessAsOf, timed: Timed) -> ReadinessAsOf:
    event = timed.event
    if isinstance(event, ReadinessReported):
        return replace(state, status=event.status, people_available=event.people_available,
                       reported_at=timed.occurred_at)
    if isinstance(event, TeamDeployed | TeamArrived):
        return replace(state, deployment=(event.incident_id, event.deployment,
                                          isinstance(event, TeamArrived)))
    if isinstance(event, TeamReleased):
        return replace(state, deployment=None)
    if isinstance(event, EquipmentStatusReported):
        return replace(state, equipment={**state.equipment, event.item_id: event.counts})
    return state


def replay_as_of(history: Iterable[Timed], moment: datetime) -> ReadinessAsOf:
    """The team's readiness at `moment`: its events up to then, in the order they happened."""
    happened = sorted((timed for timed in history if timed.occurred_at <= moment),
                      key=lambda timed: (timed.occurred_at, timed.version))
    state = ReadinessAsOf()
    for timed in happened:
        state = _apply(state, timed)
    return state
