"""Tamper evidence: keyed hash chains per stream, and chained seals over the global log.

What `verify` checks, and therefore detects (the key ring is not in the store, so
nobody without it can recompute a hash or a seal to hide a change):

1. Each event's keyed hash covers its whole stored record (id, type, schema version,
   stream, version, position, both timestamps, data, metadata) and the hash of the
   event before it in its stream: an edit to any field, a changed position, a
   reordering, an inserted event, or a deleted event that has a successor in its
   stream breaks the chain at a named event.
2. Seals cover the global log in consecutive ranges of positions; each seal is a keyed
   digest of every event in its range and of the seal before it. Deleting any sealed
   event — the newest of its stream, or a whole stream — or adding one into a sealed
   range breaks a named seal, and so does deleting or editing a seal.
3. The log must reach as far as the positions others have already seen: the read
   models' checkpoint (kept in another file) and the relay's published position.

Not detected: removing the newest events of the whole log that are not yet sealed
(normally well under a second's worth: the relay seals before it publishes) when
nothing outside the store has seen them yet, and anything done by someone who holds
the key ring.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from pydantic import BaseModel

from shared.envelope import GENESIS_HASH, HASHED_FIELDS, EventEnvelope, hashed_message, isoformat
from shared.keyring import Keyring


class BrokenLink(BaseModel):
    """The first event whose stored hash does not match its content and predecessor."""

    stream_id: str
    version: int
    position: int
    event_id: str
    reason: str


class Seal(BaseModel):
    """A keyed digest over the events in positions (after_position, through_position]."""

    after_position: int
    through_position: int
    events: int
    digest: str
    sealed_at: str


class BrokenSeal(BaseModel):
    after_position: int
    through_position: int
    reason: str


def stored_record(event: EventEnvelope) -> dict[str, object]:
    record = {name: getattr(event, name) for name in HASHED_FIELDS}
    record |= {"event_id": str(event.event_id), "occurred_at": isoformat(event.occurred_at),
               "recorded_at": isoformat(event.recorded_at), "metadata": event.metadata.model_dump()}
    return record


def first_broken_link(events: Iterable[EventEnvelope], keyring: Keyring) -> BrokenLink | None:
    """Check stored (not upcast) events in position order; None when every chain holds."""
    heads: dict[str, tuple[int, str]] = {}
    for event in events:
        version, previous = heads.get(event.stream_id, (0, GENESIS_HASH))
        reason = None
        if event.version != version + 1:
            reason = f"version {event.version} follows version {version}"
        else:
            problem = keyring.verify(hashed_message(previous, stored_record(event)), event.hash)
            if problem is not None:
                reason = f"hash: {problem} (content, position or predecessor changed)"
        if reason:
            return BrokenLink(
                stream_id=event.stream_id, version=event.version, position=event.position,
                event_id=str(event.event_id), reason=reason,
            )
        heads[event.stream_id] = (event.version, event.hash)
    return None


def _seal_message(previous_digest: str, after: int, through: int, count: int, events_digest: str) -> bytes:
    return f"{previous_digest}|{after}|{through}|{count}|{events_digest}".encode()


def _events_digest(events: Iterable[EventEnvelope]) -> tuple[str, int]:
    digest, count = hashlib.sha256(), 0
    for event in events:
        digest.update(f"{event.position}\t{event.stream_id}\t{event.version}\t{event.hash}\n".encode())
        count += 1
    return digest.hexdigest(), count


def make_seal(keyring: Keyring, previous: Seal | None, events: list[EventEnvelope], sealed_at: str) -> Seal:
    """The seal following `previous` over `events` (the log's next events, in order)."""
    after = previous.through_position if previous else 0
    events_digest, count = _events_digest(events)
    through = events[-1].position
    message = _seal_message(previous.digest if previous else "", after, through, count, events_digest)
    return Seal(after_position=after, through_position=through, events=count,
                digest=keyring.sign(message), sealed_at=sealed_at)


def first_broken_seal(
    seals: Iterable[Seal], events: Iterator[EventEnvelope], keyring: Keyring
) -> tuple[BrokenSeal | None, int]:
    """Check every seal against the events it covers; returns the first broken one (or
    None) and the position sealed through."""
    previous: Seal | None = None
    pending: EventEnvelope | None = None
    for seal in seals:
        after = previous.through_position if previous else 0
        if seal.after_position != after:
            return BrokenSeal(after_position=seal.after_position, through_position=seal.through_position,
                              reason=f"follows position {after}: a seal is missing or was moved"), after
        covered: list[EventEnvelope] = []
        while True:
            event = pending if pending is not None else next(events, None)
            pending = None
            if event is None:
                break
            if event.position > seal.through_position:
                pending = event
                break
            covered.append(event)
        events_digest, count = _events_digest(covered)
        message = _seal_message(previous.digest if previous else "", after, seal.through_position, count,
                                events_digest)
        problem = keyring.verify(message, seal.digest)
        if problem is not None or count != seal.events:
            detail = (f"covers {count} events, sealed {seal.events}" if count != seal.events
                      else problem)
            return BrokenSeal(after_position=seal.after_position, through_position=seal.through_position,
                              reason=f"{detail}: events in its range were added, removed or changed"), after
        previous = seal
    return None, previous.through_position if previous else 0
