"""The clock a read uses for "now": injectable, so staleness and the relief clock are tested at
their exact boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from nameko.extensions import DependencyProvider

from shared.envelope import now


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    def now(self) -> datetime:
        return now()


@dataclass
class FixedClock:
    """A clock that says what it is told: for tests (`worker_factory(..., clock=FixedClock(t))`)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


class ClockProvider(DependencyProvider):  # type: ignore[misc]
    """Hands each worker the wall clock."""

    def get_dependency(self, worker_ctx: Any) -> Clock:
        return WallClock()


def clock() -> Clock:
    """Declare `clock = clock()` on a service; a worker calls `self.clock.now()`."""
    return cast(Clock, ClockProvider())
