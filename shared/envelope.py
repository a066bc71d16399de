"""The event envelope: what every stored and published event looks like.

The payload (`data`) belongs to the domain; the envelope belongs to the kernel.
`hash` is a keyed hash (HMAC, `shared.keyring`) over the event's stored record and
the hash of the event before it in its stream, so an edit to stored history is
detectable and cannot be hidden without the key (see `shared.integrity`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

GENESIS_HASH = ""
_EVENT_ID_NAMESPACE = uuid.UUID("6f1c0f4e-5d1a-4b0e-9d53-8a1f2b3c4d5e")


class Metadata(BaseModel):
    """Who and what caused an event: for audit and tracing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = "system"
    correlation_id: str | None = None
    causation_id: str | None = None
    command_id: str | None = None
    #: A digest of the command that recorded the event: a retry under the same
    #: command id must carry the same command (`shared.application`).
    command_digest: str | None = None


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC. Inside the platform every time is aware; a naive one
    is a bug here (the edges read client times with `shared.timestamps.Timestamp`)."""
    if value.tzinfo is None:
        raise ValueError("must be timezone-aware")
    return value.astimezone(UTC)


class NewEvent(BaseModel):
    """An event a caller asks the store to append; the store fills in the rest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=1)
    schema_version: int = Field(default=1, ge=1)
    occurred_at: datetime
    data: dict[str, Any]
    metadata: Metadata = Field(default_factory=Metadata)

    _utc = field_validator("occurred_at")(utc)


class EventEnvelope(BaseModel):
    """A stored event. `version` is 1-based per stream; `position` is global."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    type: str
    schema_version: int
    stream_id: str
    version: int
    position: int
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    metadata: Metadata
    hash: str

    _utc = field_validator("occurred_at", "recorded_at")(utc)

    def to_message(self) -> dict[str, Any]:
        """The JSON-ready form published on the bus and returned by APIs."""
        return self.model_dump(mode="json")


def event_id_for(command_id: str, index: int) -> uuid.UUID:
    """Deterministic event ids make a retried command append the same ids (idempotency)."""
    return uuid.uuid5(_EVENT_ID_NAMESPACE, f"{command_id}/{index}")


def isoformat(moment: datetime) -> str:
    return utc(moment).isoformat(timespec="microseconds")


#: The stored fields an event's hash covers, in order: everything but the hash itself.
HASHED_FIELDS = ("event_id", "type", "schema_version", "stream_id", "version", "position",
                 "occurred_at", "recorded_at", "data", "metadata")


def hashed_message(previous_hash: str, record: Mapping[str, Any]) -> bytes:
    """The bytes an event's keyed hash is computed over: its predecessor's hash in its
    stream and its stored record (see `HASHED_FIELDS`).

    The record holds what the store keeps: the id and timestamps as text, exactly as
    written, and JSON made canonical (sorted keys, no spaces), so the bytes are the
    same on every backend.
    """
    body = json.dumps([record[name] for name in HASHED_FIELDS],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (previous_hash + body).encode()


def now() -> datetime:
    return datetime.now(UTC)
