"""An event store in memory: for unit tests, and held to the same contract as the others.

Handles made with `InMemoryEventStore(other.shared)` see one store, as two
connections to a database would. Appends are serialized by a lock and become
visible in one step (a list extend) after positions are taken, so readers, which
take no lock, never see a gap that could fill later.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.blocking import native_lock
from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.integrity import Seal
from shared.keyring import DEVELOPMENT_KEYRING, Keyring
from shared.store.base import (
    ConcurrencyError,
    EventStore,
    Lease,
    check_batch,
    check_read,
    next_lease,
    prepare_records,
    replayed_batch,
    stored_envelope,
)


@dataclass
class Memory:
    """The state every handle of one in-memory store shares."""

    lock: threading.RLock = field(default_factory=native_lock)
    log: list[EventEnvelope] = field(default_factory=list)
    streams: dict[str, list[EventEnvelope]] = field(default_factory=dict)
    by_id: dict[uuid.UUID, EventEnvelope] = field(default_factory=dict)
    #: the first position of the batch each event was appended in
    batch_of: dict[uuid.UUID, int] = field(default_factory=dict)
    checkpoints: dict[str, int] = field(default_factory=dict)
    seals: dict[int, Seal] = field(default_factory=dict)
    leases: dict[str, tuple[str, int, float]] = field(default_factory=dict)
    fences: dict[str, int] = field(default_factory=dict)


class InMemoryEventStore(EventStore):
    def __init__(self, shared: Memory | None = None, *, keyring: Keyring = DEVELOPMENT_KEYRING) -> None:
        self.shared = shared or Memory()
        self.keyring = keyring

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        memory = self.shared
        with memory.lock:
            replay = replayed_batch(stream_id, events, self._stored_batches(events))
            if replay is not None:
                return replay
            stream = memory.streams.get(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError.stream_moved(stream_id, expected_version, len(stream))
            first_position = len(memory.log) + 1
            previous_hash = stream[-1].hash if stream else ""
            records = prepare_records(self.keyring, stream_id, len(stream) + 1, first_position,
                                      previous_hash, events, isoformat(now()))
            new = [stored_envelope(record) for record in records]
            if self.before_commit is not None:
                self.before_commit()
            memory.streams[stream_id] = [*stream, *new]
            memory.by_id.update((event.event_id, event) for event in new)
            memory.batch_of.update((event.event_id, first_position) for event in new)
            memory.log.extend(new)
        return new

    def _stored_batches(self, events: Sequence[NewEvent]) -> list[list[EventEnvelope]]:
        memory = self.shared
        firsts = sorted({memory.batch_of[e.event_id] for e in events if e.event_id in memory.by_id})
        batches = []
        for first in firsts:
            batch, position = [], first
            while position <= len(memory.log) and memory.batch_of[memory.log[position - 1].event_id] == first:
                batch.append(memory.log[position - 1])
                position += 1
            batches.append(batch)
        return batches

    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        start = max(from_version, 1) - 1
        return self.shared.streams.get(stream_id, [])[start:None if limit is None else start + limit]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        check_read(after_position, limit)
        log = self.shared.log
        start = bisect.bisect_right(log, after_position, key=lambda event: event.position)
        return log[start:start + limit]

    def stream_version(self, stream_id: str) -> int:
        return len(self.shared.streams.get(stream_id, []))

    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        return self.shared.by_id.get(event_id)

    def head_position(self) -> int:
        return len(self.shared.log)

    def count_after(self, position: int) -> int:
        return max(len(self.shared.log) - position, 0)

    def get_checkpoint(self, name: str) -> int:
        return self.shared.checkpoints.get(name, 0)

    def set_checkpoint(self, name: str, position: int) -> None:
        self.shared.checkpoints[name] = position

    def acquire_lease(self, name: str, owner: str, ttl_s: float, now: float) -> Lease | None:
        with self.shared.lock:
            lease = next_lease(name, owner, ttl_s, now, self.shared.leases.get(name))
            if lease is not None:
                self.shared.leases[name] = (owner, lease.epoch, lease.expires_at)
            return lease

    def set_fenced_checkpoint(self, name: str, position: int, epoch: int) -> bool:
        with self.shared.lock:
            if self.shared.fences.get(name, 0) > epoch:
                return False
            self.shared.fences[name] = epoch
            self.shared.checkpoints[name] = position
            return True

    def read_seals(self, after_position: int = 0) -> list[Seal]:
        return [seal for start, seal in sorted(self.shared.seals.items()) if start >= after_position]

    def last_seal(self) -> Seal | None:
        seals = self.shared.seals
        return seals[max(seals)] if seals else None

    def add_seal(self, seal: Seal) -> bool:
        with self.shared.lock:
            if seal.after_position in self.shared.seals:
                return False
            self.shared.seals[seal.after_position] = seal
            return True
