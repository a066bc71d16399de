"""The event store contract. Every backend passes `tests/contract/test_event_store.py`.

- `append` is atomic for the batch, checks `expected_version` (0 = the stream must
  not exist yet; any other mismatch, behind or ahead, is a `ConcurrencyError`);
- it is idempotent by `event_id` *and content*: appending exactly a batch that is
  already stored (same ids, same order, same stream, same content) returns the stored
  events and writes nothing; ids stored with other content, in another stream, or
  split across other batches are refused with `EventIdReusedError`;
- `read_all(after_position, limit)` returns events in global `position` order and
  never skips an event that commits late: each backend says how in its docstring;
  a negative position or limit is refused with ValueError on every backend;
- every event carries a keyed hash (`shared.integrity`), and the store keeps the
  seals that cover the log (`add_seal`, `read_seals`).
"""

from __future__ import annotations

import functools
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from shared.envelope import (
    GENESIS_HASH,
    EventEnvelope,
    Metadata,
    NewEvent,
    hashed_message,
    isoformat,
)
from shared.errors import Conflict, StoreUnavailable
from shared.integrity import Seal
from shared.keyring import DEVELOPMENT_KEYRING, Keyring

M = TypeVar("M", bound=BaseModel)
StoreClass = TypeVar("StoreClass", bound="type[EventStore]")

#: The layout this code writes; a store written by an older layout is refused, not misread.
STORE_FORMAT = 2


class ConcurrencyError(Conflict):
    """The stream is not at the version the writer expected: someone else wrote first."""

    default_code = "concurrency_conflict"

    @classmethod
    def stream_moved(cls, stream_id: str, expected: int, actual: int) -> ConcurrencyError:
        return cls(
            f"stream {stream_id} is at version {actual}, expected {expected}; "
            "reload and try again",
            field="expected_version",
        )


class EventIdReusedError(Conflict):
    """Some of the event ids are already stored, but not as this exact batch of this stream."""

    default_code = "event_id_reused"


class StoreFormatError(RuntimeError):
    """The store was written by an incompatible version of Anbei."""


class Lease(BaseModel):
    """Who may act alone (one relay per service) until `expires_at` (Unix seconds). `epoch`
    grows with every new holder: a fencing token that a paused ex-holder cannot reuse."""

    name: str
    owner: str
    epoch: int
    expires_at: float


class Payload(NamedTuple):
    """What a fold needs of a stored event, and no more: a long history is folded from these
    without building (and parsing the ids, times and metadata of) a whole envelope per event."""

    version: int
    type: str
    schema_version: int
    data: dict[str, Any]


class EventStore(ABC):
    """Append-only streams plus a global log, named checkpoints for log readers, and seals."""

    #: Test seam: called inside `append` after positions are taken, before the commit.
    before_commit: Callable[[], None] | None = None
    keyring: Keyring = DEVELOPMENT_KEYRING

    @abstractmethod
    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        """Append `events` atomically; return them as stored (the originals on a retry)."""

    @abstractmethod
    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        """Events of one stream from `from_version` on (at most `limit`), in version order."""

    def read_payloads(self, stream_id: str, from_version: int = 1, limit: int | None = None) -> list[Payload]:
        """`read_stream`, only what a fold needs of each event. Backends answer it cheaper."""
        return [Payload(e.version, e.type, e.schema_version, e.data)
                for e in self.read_stream(stream_id, from_version, limit)]

    def read_for_command(
        self, stream_id: str, from_version: int, event_id: uuid.UUID | None, limit: int | None = None
    ) -> tuple[list[EventEnvelope], EventEnvelope | None]:
        """`read_stream(stream_id, from_version, limit)` and `get_event(event_id)` at once: what a
        command needs before it decides. Backends answer both in one query."""
        recorded = self.get_event(event_id) if event_id is not None else None
        return self.read_stream(stream_id, from_version, limit), recorded

    @abstractmethod
    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        """Up to `limit` events with position > `after_position`, in position order."""

    @abstractmethod
    def stream_version(self, stream_id: str) -> int:
        """The stream's current version; 0 when it has no events."""

    @abstractmethod
    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        """The stored event with this id, if any."""

    @abstractmethod
    def head_position(self) -> int:
        """The highest position of a committed event (0 for an empty store)."""

    @abstractmethod
    def count_after(self, position: int) -> int:
        """How many committed events lie after `position` (a backlog or a lag)."""

    @abstractmethod
    def get_checkpoint(self, name: str) -> int:
        """A log reader's saved position (0 when never saved)."""

    @abstractmethod
    def set_checkpoint(self, name: str, position: int) -> None:
        """Save a log reader's position."""

    @abstractmethod
    def read_seals(self, after_position: int = 0) -> list[Seal]:
        """The seals after `after_position`, in order."""

    @abstractmethod
    def last_seal(self) -> Seal | None:
        """The newest seal, if any."""

    @abstractmethod
    def add_seal(self, seal: Seal) -> bool:
        """Store `seal`; False when a seal already starts at its `after_position`."""

    @abstractmethod
    def acquire_lease(self, name: str, owner: str, ttl_s: float, now: float) -> Lease | None:
        """Take the lease `name` for `owner` until `now + ttl_s` if it is free or expired (a new
        epoch), or renew it if `owner` holds it (the same epoch); None while another holds it."""

    @abstractmethod
    def set_fenced_checkpoint(self, name: str, position: int, epoch: int) -> bool:
        """Save a checkpoint unless a holder of a later lease epoch saved it: False then."""

    def close(self) -> None:
        """Release connections; the default has none to release."""


#: The methods of the contract: a backend's failures to reach its storage become
#: `StoreUnavailable` in each of them (`outages_are_unavailable`).
CONTRACT_METHODS = (
    "append", "read_stream", "read_payloads", "read_for_command", "read_all", "stream_version", "get_event",
    "head_position", "count_after", "get_checkpoint", "set_checkpoint", "read_seals", "last_seal",
    "add_seal", "acquire_lease", "set_fenced_checkpoint",
)


def outages_are_unavailable(outage: Callable[[Exception], str | None]) -> Callable[[StoreClass], StoreClass]:
    """Class decorator for a backend: an error that `outage` recognises as the storage being
    unreachable (it returns why, else None) leaves every contract method as `StoreUnavailable`.

    The boundary is here, once, so that callers (a command, the relay, the projections, the
    gateway's error table) see one kernel error whatever the backend, and a service answers
    503 instead of failing with the driver's own exception. Any other error passes unchanged:
    a bug or a corrupt file must stay loud.
    """

    def guard(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(self: EventStore, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except StoreUnavailable:
                raise
            except Exception as error:
                reason = outage(error)
                if reason is None:
                    raise
                raise StoreUnavailable(f"the event store is unavailable ({reason}); send the same "
                                       "request again later: a retry is recorded once") from error

        return guarded

    def decorate(cls: StoreClass) -> StoreClass:
        for name in CONTRACT_METHODS:
            setattr(cls, name, guard(getattr(cls, name)))
        return cls

    return decorate


def next_lease(name: str, owner: str, ttl_s: float, now: float,
                held: Sequence[Any] | None) -> Lease | None:
    """The lease `owner` gets given who holds it now (`held`: owner, epoch, expires_at), or None."""
    if held is None:
        return Lease(name=name, owner=owner, epoch=1, expires_at=now + ttl_s)
    holder, epoch, expires_at = held
    if holder == owner and expires_at > now:
        return Lease(name=name, owner=owner, epoch=epoch, expires_at=now + ttl_s)
    if expires_at <= now:
        return Lease(name=name, owner=owner, epoch=epoch + 1, expires_at=now + ttl_s)
    return None


def check_batch(stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> None:
    if not stream_id:
        raise ValueError("stream_id must not be empty")
    if expected_version < 0:
        raise ValueError("expected_version must be >= 0")
    if not events:
        raise ValueError("append needs at least one event")
    if len({event.event_id for event in events}) != len(events):
        raise EventIdReusedError("the batch repeats an event_id", field="event_id")


def check_read(after_position: int, limit: int) -> None:
    if after_position < 0:
        raise ValueError(f"after_position must be >= 0, got {after_position}")
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")


def same_content(new: NewEvent, stored: EventEnvelope) -> bool:
    return (new.type == stored.type and new.schema_version == stored.schema_version
            and isoformat(new.occurred_at) == isoformat(stored.occurred_at)
            and new.data == stored.data and new.metadata == stored.metadata)


def replayed_batch(
    stream_id: str, events: Sequence[NewEvent], batches: Sequence[Sequence[EventEnvelope]]
) -> list[EventEnvelope] | None:
    """The original result when `events` were already appended as exactly one batch, else None.

    `batches` are the stored batches holding any of the ids, each complete. Raises
    `EventIdReusedError` when the ids are stored otherwise, or with other content.
    """
    if not batches:
        return None
    ids = [event.event_id for event in events]
    if len(batches) != 1 or [e.event_id for e in batches[0]] != ids:
        raise EventIdReusedError(
            f"{sum(len(b) for b in batches)} stored events in {len(batches)} batch(es) share ids with "
            f"this batch of {len(events)}: not a retry of one earlier append",
            field="event_id",
        )
    (batch,) = batches
    if any(e.stream_id != stream_id for e in batch):
        raise EventIdReusedError(f"these event ids are stored in stream {batch[0].stream_id}",
                                 field="event_id")
    if not all(same_content(new, old) for new, old in zip(events, batch, strict=True)):
        raise EventIdReusedError("these event ids are stored with different content", field="event_id")
    return list(batch)


def prepare_records(
    keyring: Keyring,
    stream_id: str,
    first_version: int,
    first_position: int,
    previous_hash: str,
    events: Sequence[NewEvent],
    recorded_at: str,
) -> list[dict[str, Any]]:
    """Each new event as the store will keep it: text id and timestamps, its version,
    position and chained keyed hash. Backends only serialize these records."""
    records = []
    last_hash = previous_hash or GENESIS_HASH
    for offset, event in enumerate(events):
        record: dict[str, Any] = {
            "event_id": str(event.event_id),
            "type": event.type,
            "schema_version": event.schema_version,
            "stream_id": stream_id,
            "version": first_version + offset,
            "position": first_position + offset,
            "occurred_at": isoformat(event.occurred_at),
            "recorded_at": recorded_at,
            "data": event.data,
            "metadata": event.metadata.model_dump(),
        }
        record["hash"] = last_hash = keyring.sign(hashed_message(last_hash, record))
        records.append(record)
    return records


_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def _trusted(model: type[M], values: dict[str, Any]) -> M:
    """Build a pydantic model from values this store wrote itself, skipping validation.

    Replay is the hot path and `model_construct` costs more than the JSON decoding;
    this sets exactly what it would set for a frozen model without extras or private
    attributes (every field given, so all share one fields-set: frozen models never
    change it, and copies get their own). `tests/unit/test_envelope.py` checks the
    result equals a validated one.
    """
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    fields_set = _FIELDS_SET.get(model)
    if fields_set is None:
        fields_set = _FIELDS_SET[model] = set(model.model_fields)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def _uuid(text: str) -> uuid.UUID:
    """Parse a canonical UUID string this store wrote; the last step of `UUID.__init__`, 3x faster."""
    value = uuid.UUID.__new__(uuid.UUID)
    object.__setattr__(value, "int", int(text.replace("-", ""), 16))
    object.__setattr__(value, "is_safe", uuid.SafeUUID.unknown)
    return value


def stored_envelope(fields: dict[str, Any]) -> EventEnvelope:
    """Build an envelope from trusted stored fields (text ids and timestamps, decoded JSON).

    Takes ownership of `fields`: replay is the hot path, so nothing is copied or validated.
    """
    fields["event_id"] = _uuid(fields["event_id"])
    fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
    fields["recorded_at"] = datetime.fromisoformat(fields["recorded_at"])
    fields["metadata"] = _trusted(Metadata, fields["metadata"])
    return _trusted(EventEnvelope, fields)
