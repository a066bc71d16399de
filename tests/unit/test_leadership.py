"""A lease holder trusts its lease for a fraction of the lease time, on its own monotonic clock,
so a holder that was paused stops acting before any other replica can take the lease over."""

from __future__ import annotations

import time

import pytest

from shared.leases import TRUSTED_FRACTION, Leadership
from shared.store.memory import InMemoryEventStore, Memory


class Clocks:
    """The holder's monotonic clock and the wall clock the store's lease runs on, moved together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monotonic, self.wall = 100.0, 1_800_000_000.0
        monkeypatch.setattr(time, "monotonic", lambda: self.monotonic)
        monkeypatch.setattr(time, "time", lambda: self.wall)

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += seconds


def test_a_holder_stops_trusting_its_lease_before_another_replica_may_take_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clocks, shared = Clocks(monkeypatch), Memory()
    holder = Leadership(InMemoryEventStore(shared), "relay", "replica-a", ttl_s=10)
    other = Leadership(InMemoryEventStore(shared), "relay", "replica-b", ttl_s=10)
    assert holder.hold() is not None and holder.valid()

    clocks.advance(10 * TRUSTED_FRACTION - 0.01)
    assert holder.valid()
    clocks.advance(0.02)  # paused past its trusted time, yet before the lease expires
    assert not holder.valid()
    assert other.hold() is None  # nobody else holds it yet: no moment with two holders

    clocks.advance(10)
    assert other.hold() is not None and other.valid()
    assert holder.hold() is None and not holder.valid()


def test_renewing_the_lease_extends_the_trust_from_the_moment_it_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clocks = Clocks(monkeypatch)
    holder = Leadership(InMemoryEventStore(), "relay", "replica-a", ttl_s=10)
    holder.hold()
    clocks.advance(5)
    assert holder.hold() is not None
    clocks.advance(5)
    assert holder.valid()
