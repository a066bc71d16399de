"""The production event store on MongoDB (pymongo), one document per appended batch.

Layout: each `append` writes ONE document to `commits` holding the whole batch, so the
batch is atomic without multi-document transactions (which mongomock and standalone
servers lack). Unique indexes do the rest:

- `(stream_id, first_version)`: two writers appending at the same expected version
  collide, and the loser gets `ConcurrencyError` (a stale version is refused before);
- `event_ids` (multikey): an event id is stored once; an identical retry returns the original.

Why a tailing reader never skips a late commit: positions are reserved from a counter
(`$inc`) *before* the insert, so a later reservation can commit first and leave a gap.
`read_all` never reads past a gap that may still fill. A gap is given up on only when
the commit after it is older than `gap_timeout_s`, and then the reader *claims* it: it
inserts a void document at each missing position itself. The unique `_id` (the first
position of a commit) decides between the reader and a writer that is merely slow
(paused after reserving, stalled in server selection during a failover, starved of
CPU): whichever inserts first owns the position. A writer that loses sees its insert
refused on `_id`, and retries at fresh positions, so no event can ever commit behind
a reader. A writer that fails for any other reason voids its own positions at once.
Voids hold no events: they never count toward `limit`, `head_position`, or a backlog.

Durability: every operation uses write concern `majority` with journaling, read
concern `majority`, and reads from the primary. An append that was acknowledged is on
the journals of a majority of the replica set and survives a failover; a read never
returns a write that a failover could roll back. An append whose acknowledgement was
lost (a network error or timeout during a failover) may or may not have committed: the
command's retry under the same command id finds it (idempotent by event id) or writes
it once, never twice. A standalone server (no replica set) gives `majority` = itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    WTimeoutError,
)
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.integrity import Seal
from shared.keyring import DEVELOPMENT_KEYRING, Keyring
from shared.store.base import (
    STORE_FORMAT,
    ConcurrencyError,
    EventStore,
    Lease,
    Payload,
    StoreFormatError,
    check_batch,
    check_read,
    outages_are_unavailable,
    prepare_records,
    replayed_batch,
    stored_envelope,
)

Document = dict[str, Any]
WRITE_CONCERN = WriteConcern("majority", j=True)
READ_CONCERN = ReadConcern("majority")
_DUPLICATE_KEY = 11000


#: The driver's errors that mean the servers cannot be reached or did not answer in time
#: (`ConnectionFailure` covers `AutoReconnect`, `NotPrimaryError`, `NetworkTimeout` and
#: `ServerSelectionTimeoutError`), not that the request was wrong.
_OUTAGES = (ConnectionFailure, WTimeoutError, ExecutionTimeout)


def outage(error: Exception) -> str | None:
    """Why MongoDB cannot be used now, when `error` says so (`StoreUnavailable`). An append cut
    off this way may or may not have committed: its retry under the same command id finds it."""
    if not isinstance(error, _OUTAGES):
        return None
    detail = str(error).split(", Timeout:")[0]  # a selection timeout goes on with the whole topology
    return f"MongoDB: {type(error).__name__}: {detail[:200]}"


def _envelopes(commit: Document) -> list[EventEnvelope]:
    stream_id = commit["stream_id"]
    return [stored_envelope({**event, "stream_id": stream_id}) for event in commit["events"]]


@outages_are_unavailable(outage)
class MongoEventStore(EventStore):
    """Event store in one MongoDB database (`commits`, `counters`, `checkpoints`, `seals`, `meta`)."""

    def __init__(
        self, database: Database[Document], *, gap_timeout_s: float = 10.0, owns_client: bool = False,
        keyring: Keyring = DEVELOPMENT_KEYRING,
    ) -> None:
        self._db = database
        self._owns_client = owns_client
        self.keyring = keyring
        self.gap_timeout_s = gap_timeout_s
        self._commits = self.collection("commits")
        self._counters = self.collection("counters")
        self._checkpoints = self.collection("checkpoints")
        self._seals = self.collection("seals")
        self._check_format()
        self._commits.create_index(
            [("stream_id", pymongo.ASCENDING), ("first_version", pymongo.ASCENDING)], unique=True
        )
        self._commits.create_index("event_ids", unique=True)
        self._commits.create_index("last_position")

    def collection(self, name: str) -> Collection[Document]:
        """A collection of this store with its durability settings (see the module docstring)."""
        return self._db.get_collection(name, write_concern=WRITE_CONCERN, read_concern=READ_CONCERN,
                                       read_preference=pymongo.ReadPreference.PRIMARY)

    @classmethod
    def from_url(
        cls, url: str, *, default_database: str = "anbei", keyring: Keyring = DEVELOPMENT_KEYRING
    ) -> MongoEventStore:
        client: pymongo.MongoClient[Document] = pymongo.MongoClient(url, tz_aware=True)
        database = client.get_default_database(default=default_database)
        return cls(database, owns_client=True, keyring=keyring)

    def _check_format(self) -> None:
        meta = self.collection("meta")
        # commits first: a writer of this format records the format before its first commit
        has_commits = self._commits.find_one({}, {"_id": 1}) is not None
        found = meta.find_one({"_id": "format"})
        if found is None:
            if has_commits:
                raise StoreFormatError(
                    f"database {self._db.name} was written by an earlier version of Anbei and cannot be "
                    "read by this one: restore it elsewhere and start with an empty database"
                )
            try:
                meta.insert_one({"_id": "format", "value": STORE_FORMAT})
            except DuplicateKeyError:  # another handle opened the new store at the same moment
                self._check_format()
        elif found["value"] != STORE_FORMAT:
            raise StoreFormatError(f"database {self._db.name} is an event store of format "
                                   f"{found['value']}; this version reads format {STORE_FORMAT}")

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        while True:
            replay = replayed_batch(stream_id, events, self._stored_batches(events))
            if replay is not None:
                return replay
            version, previous_hash = self._head(stream_id)
            if version != expected_version:
                raise ConcurrencyError.stream_moved(stream_id, expected_version, version)
            stored = self._insert(stream_id, version, previous_hash, events)
            if stored is not None:
                return stored

    def _insert(
        self, stream_id: str, version: int, previous_hash: str, events: Sequence[NewEvent]
    ) -> list[EventEnvelope] | None:
        """Insert at freshly reserved positions; None when the caller must look again
        (a reader claimed the positions, or another writer got in first)."""
        first_position = self._reserve(len(events))
        last_position = first_position + len(events) - 1
        recorded_at = isoformat(now())
        records = prepare_records(self.keyring, stream_id, version + 1, first_position, previous_hash,
                                  events, recorded_at)
        commit: Document = {
            "_id": first_position,
            "last_position": last_position,
            "stream_id": stream_id,
            "first_version": version + 1,
            "last_version": version + len(events),
            "recorded_at": recorded_at,
            "event_ids": [str(event.event_id) for event in events],
            "events": [{k: v for k, v in r.items() if k != "stream_id"} for r in records],
        }
        try:
            if self.before_commit is not None:
                self.before_commit()
            self._commits.insert_one(commit)
        except DuplicateKeyError:
            if self._commits.find_one({"_id": first_position}, {"_id": 1}) is None:
                self._claim(first_position, last_position)  # lost on stream or event id: free the gap
            return None  # claimed by a reader, or lost to a rival: decide again at fresh positions
        except BaseException:
            self._claim(first_position, last_position)
            raise
        return _envelopes(commit)

    def _reserve(self, count: int) -> int:
        """Take `count` consecutive positions from the global counter."""
        while True:
            try:
                counter = self._counters.find_one_and_update(
                    {"_id": "position"}, {"$inc": {"value": count}},
                    upsert=True, return_document=pymongo.ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # two first-ever upserts raced to create the counter; one won
            assert counter is not None  # an upsert returning AFTER always returns a document
            return int(counter["value"]) - count + 1

    def _claim(self, first: int, last: int) -> None:
        """Fill positions first..last with voids, each its own document, wherever nothing
        holds them yet: the unique `_id` makes a late writer's insert fail instead."""
        recorded_at = isoformat(now())
        voids = [{
            "_id": position, "last_position": position, "void": True,
            "stream_id": f"$void-{position}", "first_version": 0, "last_version": 0,
            "recorded_at": recorded_at, "event_ids": [f"$void-{position}"], "events": [],
        } for position in range(first, last + 1)]
        try:
            self._commits.insert_many(voids, ordered=False)
        except BulkWriteError as error:
            if any(e.get("code") != _DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise

    def _stored_batches(self, events: Sequence[NewEvent]) -> list[list[EventEnvelope]]:
        ids = sorted({str(event.event_id) for event in events})
        return [_envelopes(commit) for commit in
                self._commits.find({"event_ids": {"$in": ids}}, sort=[("_id", 1)])]

    def _head(self, stream_id: str) -> tuple[int, str]:
        head = self._commits.find_one({"stream_id": stream_id}, sort=[("last_version", -1)])
        if head is None:
            return 0, ""
        return int(head["last_version"]), str(head["events"][-1]["hash"])

    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        return [stored_envelope({**event, "stream_id": stream_id})
                for event in self._stream_events(stream_id, from_version, limit)]

    def read_payloads(self, stream_id: str, from_version: int = 1, limit: int | None = None) -> list[Payload]:
        return [Payload(e["version"], e["type"], e["schema_version"], e["data"])
                for e in self._stream_events(stream_id, from_version, limit)]

    def _stream_events(self, stream_id: str, from_version: int, limit: int | None) -> list[Document]:
        """The stored event documents of one stream from `from_version` on (at most `limit`)."""
        events: list[Document] = []
        for commit in self._commits.find({"stream_id": stream_id, "last_version": {"$gte": from_version}},
                                         sort=[("first_version", 1)]):
            events += [e for e in commit["events"] if e["version"] >= from_version]
            if limit is not None and len(events) >= limit:
                break
        return events if limit is None else events[:limit]

    def read_for_command(
        self, stream_id: str, from_version: int, event_id: uuid.UUID | None, limit: int | None = None
    ) -> tuple[list[EventEnvelope], EventEnvelope | None]:
        if limit is not None:  # a long history read in pages: the first page and the record apart
            return super().read_for_command(stream_id, from_version, event_id, limit)
        wanted: list[Document] = [{"stream_id": stream_id, "last_version": {"$gte": from_version}}]
        if event_id is not None:
            wanted.append({"event_ids": str(event_id)})
        tail: list[EventEnvelope] = []
        recorded = None
        for commit in self._commits.find({"$or": wanted}, sort=[("first_version", 1)]):
            for event in _envelopes(commit):
                if event.event_id == event_id:
                    recorded = event
                if event.stream_id == stream_id and event.version >= from_version:
                    tail.append(event)
        tail.sort(key=lambda event: event.version)
        return tail, recorded

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        check_read(after_position, limit)
        result: list[EventEnvelope] = []
        expected = after_position + 1
        while len(result) < limit:
            claimed = False
            for commit in self._commits.find({"last_position": {"$gte": expected}}, sort=[("_id", 1)]):
                if commit["last_position"] < expected:
                    continue  # a void inside a commit already read: both were inserted, harmlessly
                if commit["_id"] > expected:
                    if self._abandoned(commit):
                        self._claim(expected, commit["_id"] - 1)
                        claimed = True
                    break  # a gap that may still fill: never read past it
                result.extend(e for e in _envelopes(commit) if e.position >= expected)
                expected = commit["last_position"] + 1
                if len(result) >= limit:
                    break
            if not claimed:
                break
        return result[:limit]

    def _abandoned(self, commit_after_gap: Document) -> bool:
        recorded = datetime.fromisoformat(commit_after_gap["recorded_at"])
        return datetime.now(UTC) - recorded > timedelta(seconds=self.gap_timeout_s)

    def stream_version(self, stream_id: str) -> int:
        return self._head(stream_id)[0]

    def get_event(self, event_id: uuid.UUID) -> EventEnvelope | None:
        commit = self._commits.find_one({"event_ids": str(event_id)})
        if commit is None:
            return None
        return next(e for e in _envelopes(commit) if e.event_id == event_id)

    def head_position(self) -> int:
        last = self._commits.find_one({"void": {"$ne": True}}, sort=[("_id", -1)])
        return int(last["last_position"]) if last else 0

    def count_after(self, position: int) -> int:
        commits = self._commits.find({"last_position": {"$gt": position}, "void": {"$ne": True}},
                                     {"_id": 1, "last_position": 1})
        return sum(c["last_position"] - max(c["_id"], position + 1) + 1 for c in commits)

    def get_checkpoint(self, name: str) -> int:
        saved = self._checkpoints.find_one({"_id": name})
        return int(saved["position"]) if saved else 0

    def set_checkpoint(self, name: str, position: int) -> None:
        self._checkpoints.update_one({"_id": name}, {"$set": {"position": position}}, upsert=True)

    def acquire_lease(self, name: str, owner: str, ttl_s: float, now: float) -> Lease | None:
        leases = self.collection("leases")
        renewed = leases.find_one_and_update(
            {"_id": name, "owner": owner, "expires_at": {"$gt": now}}, {"$set": {"expires_at": now + ttl_s}},
            return_document=pymongo.ReturnDocument.AFTER)
        if renewed is None:
            renewed = leases.find_one_and_update(
                {"_id": name, "expires_at": {"$lte": now}},
                {"$set": {"owner": owner, "expires_at": now + ttl_s}, "$inc": {"epoch": 1}},
                return_document=pymongo.ReturnDocument.AFTER)
        if renewed is None:
            try:
                leases.insert_one({"_id": name, "owner": owner, "epoch": 1, "expires_at": now + ttl_s})
            except DuplicateKeyError:
                return None  # held by another, or taken a moment ago
            renewed = {"owner": owner, "epoch": 1, "expires_at": now + ttl_s}
        return Lease(name=name, owner=owner, epoch=int(renewed["epoch"]),
                     expires_at=float(renewed["expires_at"]))

    def set_fenced_checkpoint(self, name: str, position: int, epoch: int) -> bool:
        try:
            self._checkpoints.update_one(
                {"_id": name, "$or": [{"epoch": {"$lte": epoch}}, {"epoch": {"$exists": False}}]},
                {"$set": {"position": position, "epoch": epoch}}, upsert=True)
        except DuplicateKeyError:
            return False  # the document exists with a later epoch: the upsert could not insert
        return True

    def read_seals(self, after_position: int = 0) -> list[Seal]:
        return [_seal(doc) for doc in self._seals.find({"_id": {"$gte": after_position}}, sort=[("_id", 1)])]

    def last_seal(self) -> Seal | None:
        doc = self._seals.find_one({}, sort=[("_id", -1)])
        return _seal(doc) if doc else None

    def add_seal(self, seal: Seal) -> bool:
        document = {"_id": seal.after_position, **seal.model_dump(exclude={"after_position"})}
        try:
            self._seals.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    def close(self) -> None:
        if self._owns_client:
            self._db.client.close()


def _seal(doc: Document) -> Seal:
    return Seal(after_position=doc["_id"], through_position=doc["through_position"], events=doc["events"],
                digest=doc["digest"], sealed_at=doc["sealed_at"])
