"""Snapshots: a cached, versioned state per stream, so a command's cost does not grow with history.

A command needs the stream's current state. Folding the whole stream on every command
costs time in proportion to its length (a warehouse's ledger grows without end); a
`StateCache` keeps the newest state of recently used streams in memory and a snapshot
of each stream every `every` events in the read-model file, so loading reads a
snapshot (or the cached state) and only the events after it.

Snapshots are a cache, never a source of truth:
- each carries a fingerprint of what produced it: the decider's `state_version`, its
  event types, the source of the module that defines `evolve`, and the upcasters'
  source. A change to any of them gives a new fingerprint, and older snapshots are
  ignored (the stream is folded from its events and snapshotted anew);
- one that cannot be decoded is ignored and logged;
- `verify` folds each snapshotted stream from its events and reports any snapshot that
  disagrees (a bug in `evolve`'s determinism or in the codec).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from shared.blocking import native_lock
from shared.decider import Decider, known_deciders
from shared.fingerprints import source_digest
from shared.upcasting import Upcasters
from shared.views import ViewStore

log = logging.getLogger(__name__)
S = TypeVar("S")


@dataclass(frozen=True)
class StateCodec(Generic[S]):
    """How one decider's state is fingerprinted, written and read back."""

    fingerprint: str
    adapter: TypeAdapter[S]

    @classmethod
    def of(cls, decider: Decider[Any, S], upcasters: Upcasters) -> StateCodec[S]:
        parts = [
            f"state_version={decider.state_version}",
            "events=" + ",".join(sorted(t.type_name() for t in decider.event_types)),
            f"evolve={decider.evolve.__module__}.{decider.evolve.__qualname__}:{source_digest(decider.evolve)}",
            f"upcasters={upcasters.fingerprint()}",
        ]
        fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        return cls(fingerprint, TypeAdapter(type(decider.initial_state)))

    def dump(self, state: S) -> str:
        return json.dumps(self.adapter.dump_python(state, mode="json"), sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)

    def load(self, text: str) -> S:
        return self.adapter.validate_python(json.loads(text))


@dataclass(frozen=True)
class Cached:
    fingerprint: str
    version: int
    state: Any
    snapshot_version: int


class StateCache:
    """The newest known state of recently used streams, and their snapshots on disk."""

    def __init__(self, views: ViewStore, upcasters: Upcasters, *, every: int = 100,
                 capacity: int = 10_000) -> None:
        self.views, self.upcasters = views, upcasters
        self.every, self.capacity = every, capacity
        self._codecs: dict[tuple[object, ...], StateCodec[Any]] = {}
        self._memory: OrderedDict[str, Cached] = OrderedDict()
        self._lock = native_lock()
        #: snapshots found unreadable and ignored since start (also logged)
        self.ignored = 0

    def codec(self, decider: Decider[Any, S]) -> StateCodec[S]:
        codec = self._codecs.get(decider.identity)
        if codec is None:
            codec = self._codecs[decider.identity] = StateCodec.of(decider, self.upcasters)
        return codec

    def start(self, stream_id: str, decider: Decider[Any, S]) -> tuple[S, int, int]:
        """The best known state to fold the rest of the stream onto: (state, version, snapshot version)."""
        codec = self.codec(decider)
        with self._lock:
            cached = self._memory.get(stream_id)
            if cached is not None and cached.fingerprint == codec.fingerprint:
                self._memory.move_to_end(stream_id)
                return cached.state, cached.version, cached.snapshot_version
        snapshot = self.views.load_snapshot(stream_id)
        if snapshot is not None and snapshot[0] == codec.fingerprint:
            try:
                return codec.load(snapshot[2]), snapshot[1], snapshot[1]
            except (ValidationError, ValueError) as error:
                self.ignored += 1
                log.warning("ignoring the unreadable snapshot of %s at version %d: %s",
                            stream_id, snapshot[1], error)
        return decider.initial_state, 0, 0

    def remember(self, stream_id: str, decider: Decider[Any, S], state: S, version: int,
                 snapshot_version: int) -> None:
        """Keep `state` at `version`; write a snapshot when `every` events passed since the last."""
        codec = self.codec(decider)
        if version - snapshot_version >= self.every:
            try:
                self.views.save_snapshot(stream_id, codec.fingerprint, version, codec.dump(state))
                snapshot_version = version
            except (ValueError, TypeError) as error:  # a state pydantic cannot write: cache only
                log.warning("cannot snapshot %s: %s", stream_id, error)
        with self._lock:
            known = self._memory.get(stream_id)
            if known is None or known.version <= version or known.fingerprint != codec.fingerprint:
                self._memory[stream_id] = Cached(codec.fingerprint, version, state, snapshot_version)
                self._memory.move_to_end(stream_id)
            while len(self._memory) > self.capacity:
                self._memory.popitem(last=False)

    def forget(self, stream_id: str) -> None:
        with self._lock:
            self._memory.pop(stream_id, None)

    def deciders_by_fingerprint(self) -> dict[str, Decider[Any, Any]]:
        return {self.codec(decider).fingerprint: decider for decider in known_deciders()}
