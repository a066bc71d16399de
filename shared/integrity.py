"""Walk the per-stream hash chains and name the first stored event that was altered."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from shared.envelope import GENESIS_HASH, HASHED_FIELDS, EventEnvelope, chain_hash, isoformat


class BrokenLink(BaseModel):
    """The first event whose stored hash does not match its content and predecessor."""

    stream_id: str
    version: int
    position: int
    event_id: str
    reason: str


def expected_hash(previous_hash: str, event: EventEnvelope) -> str:
    record = {name: getattr(event, name) for name in HASHED_FIELDS}
    record |= {"event_id": str(event.event_id), "occurred_at": isoformat(event.occurred_at),
               "recorded_at": isoformat(event.recorded_at), "metadata": event.metadata.model_dump()}
    return chain_hash(previous_hash, record)


def first_broken_link(events: Iterable[EventEnvelope]) -> BrokenLink | None:
    """Check stored (not upcast) events in position order; None when every chain holds.

    A removed event shows as a version gap or as a mismatch in its successor's hash;
    removing a stream's newest event leaves no trace in the chain itself.
    """
    heads: dict[str, tuple[int, str]] = {}
    for event in events:
        version, previous = heads.get(event.stream_id, (0, GENESIS_HASH))
        reason = None
        if event.version != version + 1:
            reason = f"version {event.version} follows version {version}"
        elif event.hash != expected_hash(previous, event):
            reason = "hash does not match the event's content and its predecessor"
        if reason:
            return BrokenLink(
                stream_id=event.stream_id, version=event.version, position=event.position,
                event_id=str(event.event_id), reason=reason,
            )
        heads[event.stream_id] = (event.version, event.hash)
    return None
