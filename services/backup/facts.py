"""What an event store holds, summed up: enough to prove a copy holds exactly the same events.

A backup records these facts for each store in its manifest; a restore (or a check of a
MongoDB store after mongorestore) computes them again from the restored store and compares.
`log_digest` covers every event's position, id, stream, version and keyed hash in position
order, and each keyed hash covers the event's whole stored record, so equal digests mean
the same events, byte for byte, in the same order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import takewhile

from pydantic import BaseModel, ConfigDict

from shared.envelope import EventEnvelope
from shared.integrity import Seal, first_broken_link, first_broken_seal
from shared.keyring import Keyring
from shared.outbox import RELAY_CHECKPOINT
from shared.projections import iter_all
from shared.store.base import EventStore


class SealFacts(BaseModel):
    """The newest seal: the relay's keyed digest over the log up to `through_position`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after_position: int
    through_position: int
    events: int
    digest: str


class StoreFacts(BaseModel):
    """One store's log up to its head, as `verify` sees it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    head_position: int
    events: int
    streams: int
    #: sha256 over (position, event_id, stream_id, version, hash) of every event, in order
    log_digest: str
    #: sha256 over each stream's last (version, hash), by stream id: the chain heads
    stream_heads_digest: str
    sealed_through: int
    last_seal: SealFacts | None
    #: the keys whose signatures the events and seals carry (the key ring must hold them all)
    key_ids: list[str]
    #: how far the outbox relay had published (for information: it moves on after a copy)
    published_through: int = 0

    def differences(self, found: StoreFacts) -> list[str]:
        """What `found` (from a restored store) says otherwise than these facts."""
        compared = ("head_position", "events", "streams", "log_digest", "stream_heads_digest",
                    "sealed_through", "last_seal", "key_ids")
        return [f"{name} is {_short(getattr(found, name))}, the manifest says {_short(getattr(self, name))}"
                for name in compared if getattr(found, name) != getattr(self, name)]


def _short(value: object) -> str:
    text = str(value.model_dump() if isinstance(value, BaseModel) else value)
    return text if len(text) <= 80 else f"{text[:77]}..."


@dataclass
class Survey:
    """The facts, and whatever the integrity checks found broken on the way."""

    facts: StoreFacts
    problems: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    log: hashlib._Hash = field(default_factory=hashlib.sha256)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    key_ids: set[str] = field(default_factory=set)
    events: int = 0
    head: int = 0

    def observe(self, events: Iterable[EventEnvelope]) -> Iterator[EventEnvelope]:
        for event in events:
            self.log.update(f"{event.position}\t{event.event_id}\t{event.stream_id}\t{event.version}\t"
                            f"{event.hash}\n".encode())
            self.heads[event.stream_id] = (event.version, event.hash)
            self.key_ids.add(event.hash.partition(":")[0])
            self.events, self.head = self.events + 1, event.position
            yield event

    def heads_digest(self) -> str:
        digest = hashlib.sha256()
        for stream_id in sorted(self.heads):
            version, hash_ = self.heads[stream_id]
            digest.update(f"{stream_id}\t{version}\t{hash_}\n".encode())
        return digest.hexdigest()


def survey(store: EventStore, keyring: Keyring, through: int | None = None,
           sealed_through: int | None = None) -> Survey:
    """Sum up the log (up to position `through`, and its seals up to `sealed_through`, when
    given) and check its chains and seals.

    The head is the last event `read_all` returns, so on MongoDB it never lies beyond a gap
    a slow writer may still fill."""
    tally = _Tally()
    broken_link = first_broken_link(tally.observe(_upto(iter_all(store), through)), keyring)
    seals = [seal for seal in store.read_seals()
             if sealed_through is None or seal.through_position <= sealed_through]
    broken_seal, sealed = first_broken_seal(seals, _upto(iter_all(store), through), keyring)
    problems = []
    if broken_link is not None:
        problems.append(f"the hash chain of stream {broken_link.stream_id} breaks at version "
                        f"{broken_link.version} (position {broken_link.position}): {broken_link.reason}")
    if broken_seal is not None:
        problems.append(f"the seal over positions {broken_seal.after_position + 1}-"
                        f"{broken_seal.through_position} is broken: {broken_seal.reason}")
    last = seals[-1] if seals else None
    facts = StoreFacts(
        head_position=tally.head, events=tally.events, streams=len(tally.heads),
        log_digest=tally.log.hexdigest(), stream_heads_digest=tally.heads_digest(),
        sealed_through=sealed, last_seal=_seal_facts(last),
        key_ids=sorted(tally.key_ids | {seal.digest.partition(":")[0] for seal in seals}),
        published_through=store.get_checkpoint(RELAY_CHECKPOINT),
    )
    return Survey(facts, problems)


def _upto(events: Iterator[EventEnvelope], through: int | None) -> Iterator[EventEnvelope]:
    return events if through is None else takewhile(lambda event: event.position <= through, events)


def _seal_facts(seal: Seal | None) -> SealFacts | None:
    if seal is None:
        return None
    return SealFacts(after_position=seal.after_position, through_position=seal.through_position,
                     events=seal.events, digest=seal.digest)
