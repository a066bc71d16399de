"""Leadership: one replica at a time acts for a service (publishes, reacts), by a lease in its store.

The holder renews the lease every time it acts; another replica takes over only after
the lease expired (a new epoch). A holder that was paused (SIGSTOP, a long GC, a frozen
VM) must not act on when it wakes: it trusts its lease only for a fraction of the lease
time, measured on its own monotonic clock from the moment it asked, so it stops well
before anyone else may take over; and whatever it writes afterwards (a checkpoint)
is fenced by its epoch, which the new holder's later epoch refuses.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from shared.store.base import EventStore, Lease

#: How much of the lease time a holder trusts its lease for, from when it asked.
TRUSTED_FRACTION = 0.6


def replica_id(name: str = "") -> str:
    """A name for this process among the replicas: its replica name (`inventory-2`), host, pid
    and a random part, e.g. `inventory-2@host:4242:1a2b3c`."""
    where = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    return f"{name}@{where}" if name else where


class Leadership:
    """One named lease held (or waited for) by one owner."""

    def __init__(self, store: EventStore, name: str, owner: str, ttl_s: float = 10.0) -> None:
        self.store, self.name, self.owner, self.ttl_s = store, name, owner, ttl_s
        self.lease: Lease | None = None
        self._trusted_until = 0.0

    def hold(self) -> Lease | None:
        """Take or renew the lease now; None while another replica holds it."""
        asked = time.monotonic()
        self.lease = self.store.acquire_lease(self.name, self.owner, self.ttl_s, time.time())
        self._trusted_until = asked + self.ttl_s * TRUSTED_FRACTION if self.lease else 0.0
        return self.lease

    def valid(self) -> bool:
        """True while this replica may still act on the lease it holds."""
        return self.lease is not None and time.monotonic() < self._trusted_until

    @property
    def epoch(self) -> int:
        return self.lease.epoch if self.lease else 0


class LeaseLost(Exception):
    """This replica's lease ran out (or another took over) while it was acting."""
