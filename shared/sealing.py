"""Sealing the log: chained, keyed seals over consecutive ranges of positions (`shared.integrity`).

The outbox relay seals before it publishes, so everything other systems have seen is
sealed. Any number of sealers may run at once (replicas): a seal is stored only if no
seal starts at the same position yet, so the chain never forks; the loser reads the
new last seal and carries on from there.
"""

from __future__ import annotations

from shared.envelope import isoformat, now
from shared.integrity import make_seal
from shared.store.base import EventStore


def seal_pending(store: EventStore, page: int = 1000) -> int:
    """Seal every event not yet sealed (those `read_all` can safely return); how many were sealed."""
    sealed = 0
    while True:
        last = store.last_seal()
        events = store.read_all(last.through_position if last else 0, page)
        if not events:
            return sealed
        if store.add_seal(make_seal(store.keyring, last, events, isoformat(now()))):
            sealed += len(events)
            if len(events) < page:
                return sealed


def sealed_through(store: EventStore) -> int:
    last = store.last_seal()
    return last.through_position if last else 0
