"""The production event store on MongoDB (pymongo), one document per appended batch.

Layout: each `append` writes ONE document to `commits` holding the whole batch, so the
batch is atomic without multi-document transactions (which mongomock and standalone
servers lack). Unique indexes do the rest:

- `(stream_id, first_version)`: two writers appending at the same expected version
  collide, and the loser gets `ConcurrencyError` (a stale version is refused before);
- `event_ids` (multikey): an event id is stored once; a retry returns the original.

Why a tailing reader never skips a late commit: positions are reserved from a counter
(`$inc`) *before* the insert, so a later reservation can commit first and leave a
gap. `read_all` stops at the first gap and returns only what lies before it, until
the gap fills or is provably abandoned: a writer that fails after reserving fills its
gap with a void document, and a writer that dies outright leaves a gap that readers
skip once the next commit is older than `gap_timeout_s`. Writers refuse to insert
more than `gap_timeout_s / 2` after reserving (they void and retry), so a skipped gap
can never fill in later. Clocks of writers and readers must agree to well within
that margin (NTP).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared.envelope import EventEnvelope, NewEvent, isoformat, now
from shared.store.base import (
    ConcurrencyError,
    EventStore,
    check_batch,
    replayed_batch,
    seal,
    stored_envelope,
)

Document = dict[str, Any]


def _envelopes(commit: Document) -> list[EventEnvelope]:
    stream_id = commit["stream_id"]
    return [stored_envelope({**event, "stream_id": stream_id}) for event in commit["events"]]


class ReservationExpiredError(Exception):
    """The writer took too long between reserving positions and inserting."""


class MongoEventStore(EventStore):
    """Event store in one MongoDB database (collections `commits`, `counters`, `checkpoints`)."""

    def __init__(
        self, database: Database[Document], *, gap_timeout_s: float = 10.0, owns_client: bool = False
    ) -> None:
        self._db = database
        self._owns_client = owns_client
        self._commits = database["commits"]
        self.gap_timeout_s = gap_timeout_s
        self._commits.create_index(
            [("stream_id", pymongo.ASCENDING), ("first_version", pymongo.ASCENDING)], unique=True
        )
        self._commits.create_index("event_ids", unique=True)
        self._commits.create_index("last_position")

    @classmethod
    def from_url(cls, url: str, *, default_database: str = "anbei") -> MongoEventStore:
        client: pymongo.MongoClient[Document] = pymongo.MongoClient(url, tz_aware=True)
        database = client.get_default_database(default=default_database)
        return cls(database, owns_client=True)

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        check_batch(stream_id, expected_version, events)
        while True:
            replay = replayed_batch(stream_id, events, self._stored(events))
            if replay is not None:
                return replay
            version, previous_hash = self._head(stream_id)
            if version != expected_version:
                raise ConcurrencyError.stream_moved(stream_id, expected_version, version)
            try:
                return self._insert(stream_id, version, previous_hash, events)
            except ReservationExpiredError:
                continue

    def _insert(
        self, stream_id: str, version: int, previous_hash: str, events: Sequence[NewEvent]
    ) -> list[EventEnvelope]:
        first_position, reserved_at = self._reserve(len(events)), time.monotonic()
        recorded_at = isoformat(now())
        records = seal(stream_id, version + 1, first_position, previous_hash, events, recorded_at)
        commit: Document = {
            "_id": first_position,
            "last_position": first_position + len(events) - 1,
            "stream_id": stream_id,
            "first_version": version + 1,
            "last_version": version + len(events),
            "recorded_at": recorded_at,
            "event_ids": [str(event.event_id) for event in events],
            "events": [{k: v for k, v in r.items() if k != "stream_id"} for r in records],
        }
        if self.before_commit is not None:
            self.before_commit()
        if time.monotonic() - reserved_at > self.gap_timeout_s / 2:
            self._void(first_position, len(events))
            raise ReservationExpiredError
        try:
            self._commits.insert_one(commit)
        except DuplicateKeyError:
            self._void(first_position, len(events))
            replay = replayed_batch(stream_id, events, self._stored(events))
            if replay is not None:  # an identical retry got there first
                return replay
            raise ConcurrencyError.stream_moved(
                stream_id, version, self.stream_version(stream_id)
            ) from None
        return _envelopes(commit)

    def _reserve(self, count: int) -> int:
        """Take `count` consecutive positions from the global counter."""
        while True:
            try:
                counter = self._db["counters"].find_one_and_update(
                    {"_id": "position"}, {"$inc": {"value": count}},
                    upsert=True, return_document=pymongo.ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # two first-ever upserts raced to create the counter; one won
            assert counter is not None  # an upsert returning AFTER always returns a document
            return int(counter["value"]) - count + 1

    def _void(self, first_position: int, count: int) -> None:
        """Fill a reserved range that will never hold events, so readers need not wait."""
        self._commits.insert_one({
            "_id": first_position, "last_position": first_position + count - 1,
            "stream_id": f"$void-{first_position}", "first_version": 0,
            "recorded_at": isoformat(now()), "event_ids": [f"$void-{first_position}"],
            "events": [],
        })

    def _stored(self, events: Sequence[NewEvent]) -> list[EventEnvelope]:
        ids = {str(event.event_id) for event in events}
        found = self._commits.find({"event_ids": {"$in": sorted(ids)}})
        return [e for commit in found for e in _envelopes(commit) if str(e.event_id) in ids]

    def _head(self, stream_id: str) -> tuple[int, str]:
        head = self._commits.find_one({"stream_id": stream_id}, sort=[("last_version", -1)])
        if head is None:
            return 0, ""
        return int(head["last_version"]), str(head["events"][-1]["hash"])

    def read_stream(self, stream_id: str, from_version: int = 1) -> list[EventEnvelope]:
        commits = self._commits.find(
            {"stream_id": stream_id, "last_version": {"$gte": from_version}},
            sort=[("first_version", 1)],
        )
        return [e for commit in commits for e in _envelopes(commit) if e.version >= from_version]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        result: list[EventEnvelope] = []
        expected = after_position + 1
        for commit in self._commits.find(
            {"last_position": {"$gte": expected}}, sort=[("_id", 1)], limit=limit + 1
        ):
            if commit["_id"] > expected and not self._abandoned(commit):
                break  # a gap that may still fill: never read past it
            result.extend(e for e in _envelopes(commit) if e.position >= expected)
            expected = commit["last_position"] + 1
            if len(result) >= limit:
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
        last = self._commits.find_one({}, sort=[("_id", -1)])
        return int(last["last_position"]) if last else 0

    def get_checkpoint(self, name: str) -> int:
        saved = self._db["checkpoints"].find_one({"_id": name})
        return int(saved["position"]) if saved else 0

    def set_checkpoint(self, name: str, position: int) -> None:
        self._db["checkpoints"].update_one(
            {"_id": name}, {"$set": {"position": position}}, upsert=True
        )

    def close(self) -> None:
        if self._owns_client:
            self._db.client.close()
