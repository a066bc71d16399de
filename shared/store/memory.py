"""An event store in memory: for unit tests, and held to the same contract as the others.

Handles made with `InMemoryEventStore(other.shared)` see one store, as two
connections to a database would. Appends are serialized by a lock and become
visible in one step (a list extend) after positions are taken, so readers, which
take no lock, never see a gap that could fill later.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.blocking import native_lock
from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.store.base import (
    ConcurrencyError,
    EventStore,
    check_batch,
    replayed_batch,
    seal,
    stored_envelope,
)


@dataclass
class Memory:
    """The state every handle of one in-memory store shares."""

    lock: threading.RLock = field(default_factory=native_lock)
    log: list[EventEnvelope] = field(default_factory=list)
    streams: dict[str, list[EventEnvelope]] = field(default_factory=dict)
    by_id: dict[uuid.UUID, EventEnvelope] = field(default_factory=dict)
    checkpoints: dict[str, int] = field(default_factory=dict)


class InMemoryEventStore(EventStore):
    def __init__(self, shared: Memory | None = None) -> None:
        self.shared = shared or Memory()

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        memory = self.shared
        with memory.lock:
            stored = [memory.by_id[e.event_id] for e in events if e.event_id in memory.by_id]
            replay = replayed_batch(stream_id, events, stored)
            if replay is not None:
                return replay
            stream = memory.streams.get(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError.stream_moved(stream_id, expected_version, len(stream))
            recorded_at = isoformat(now())
            previous_hash = stream[-1].hash if stream else ""
            records = seal(stream_id, len(stream) + 1, len(memory.log) + 1, previous_hash, events,
                           recorded_at)
            new = [stored_envelope(record) for record in records]
            if self.before_commit is not None:
                self.before_commit()
            memory.streams[stream_id] = [*stream, *new]
            memory.by_id.update((event.event_id, event) for event in new)
            memory.log.extend(new)
        return new

    def read_stream(self, stream_id: str, from_version: int = 1) -> list[EventEnvelope]:
        return self.shared.streams.get(stream_id, [])[max(from_version, 1) - 1:]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        return self.shared.log[after_position:after_position + limit]

    def stream_version(self, stream_id: str) -> int:
        return len(self.shared.streams.get(stream_id, []))

    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        return self.shared.by_id.get(event_id)

    def head_position(self) -> int:
        return len(self.shared.log)

    def get_checkpoint(self, name: str) -> int:
        return self.shared.checkpoints.get(name, 0)

    def set_checkpoint(self, name: str, position: int) -> None:
        self.shared.checkpoints[name] = position
