"""Leases with fencing, on every backend: one relay at a time, and a paused ex-holder can't write."""

from __future__ import annotations

import threading

from shared.store.base import EventStore
from tests.contract.conftest import Backend

T0 = 1_800_000_000.0  # a moment in Unix seconds; the tests pass time in, nothing sleeps


def test_a_free_lease_is_taken_renewed_by_its_holder_and_refused_to_others(store: EventStore) -> None:
    first = store.acquire_lease("relay", "replica-a", 10, T0)
    assert first is not None and (first.owner, first.epoch, first.expires_at) == ("replica-a", 1, T0 + 10)
    renewed = store.acquire_lease("relay", "replica-a", 10, T0 + 5)
    assert renewed is not None and (renewed.epoch, renewed.expires_at) == (1, T0 + 15)
    assert store.acquire_lease("relay", "replica-b", 10, T0 + 14) is None


def test_an_expired_lease_goes_to_the_next_asker_with_a_new_epoch(store: EventStore) -> None:
    assert store.acquire_lease("relay", "replica-a", 10, T0) is not None
    taken = store.acquire_lease("relay", "replica-b", 10, T0 + 11)
    assert taken is not None and (taken.owner, taken.epoch) == ("replica-b", 2)
    assert store.acquire_lease("relay", "replica-a", 10, T0 + 12) is None  # the ex-holder woke up too late
    back = store.acquire_lease("relay", "replica-a", 10, T0 + 30)
    assert back is not None and back.epoch == 3


def test_leases_of_different_names_are_independent(store: EventStore) -> None:
    assert store.acquire_lease("relay", "replica-a", 10, T0) is not None
    assert store.acquire_lease("reactor", "replica-b", 10, T0) is not None


def test_a_checkpoint_written_under_an_older_epoch_is_refused(store: EventStore) -> None:
    assert store.set_fenced_checkpoint("outbox-relay", 40, epoch=2)
    assert not store.set_fenced_checkpoint("outbox-relay", 55, epoch=1)  # a paused ex-holder
    assert store.get_checkpoint("outbox-relay") == 40
    assert store.set_fenced_checkpoint("outbox-relay", 41, epoch=2)
    assert store.set_fenced_checkpoint("outbox-relay", 60, epoch=3)
    assert store.get_checkpoint("outbox-relay") == 60


def test_many_replicas_asking_at_once_give_the_lease_to_exactly_one(backend: Backend) -> None:
    winners: list[str] = []

    def ask(name: str) -> None:
        if backend.open().acquire_lease("relay", name, 10, T0) is not None:
            winners.append(name)

    threads = [threading.Thread(target=ask, args=(f"replica-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(winners) == 1
