"""The keyed hash covers every stored field of an event and its predecessor's hash."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.envelope import EventEnvelope, NewEvent, hashed_message
from shared.keyring import DEVELOPMENT_KEYRING, Keyring
from shared.store.base import prepare_records

RECORD_FIELDS = sorted(set(EventEnvelope.model_fields) - {"hash"})
CHANGED: dict[str, Any] = {
    "event_id": str(uuid.uuid4()), "type": "StockIssued", "schema_version": 2, "stream_id": "stock:b:x",
    "version": 2, "position": 99, "occurred_at": "2024-07-02T08:30:00.000000+00:00",
    "recorded_at": "2024-07-02T09:00:00.000000+00:00", "data": {"quantity": 6},
    "metadata": {"actor": "someone-else", "correlation_id": None, "causation_id": None,
                 "command_id": None, "command_digest": None},
}


def record() -> dict[str, Any]:
    event = NewEvent(type="StockReceived", occurred_at=datetime(2024, 7, 1, 8, 30, tzinfo=UTC),
                     data={"quantity": 5})
    (stored,) = prepare_records(DEVELOPMENT_KEYRING, "stock:a:x", 1, 1, "", [event],
                                "2024-07-01T09:00:00.000000+00:00")
    return stored


def test_every_stored_field_is_listed_for_the_test() -> None:
    assert sorted(CHANGED) == RECORD_FIELDS


@pytest.mark.parametrize("field", RECORD_FIELDS)
def test_changing_any_stored_field_changes_the_hash(field: str) -> None:
    original = record()
    changed = original | {field: CHANGED[field]}
    assert DEVELOPMENT_KEYRING.sign(hashed_message("", changed)) != original["hash"]


def test_the_hash_chains_to_the_previous_event() -> None:
    original = record()
    assert DEVELOPMENT_KEYRING.sign(hashed_message("development:abc", original)) != original["hash"]


def test_the_hash_is_keyed_and_names_its_key() -> None:
    original = record()
    other = Keyring((("development", b"another-secret-at-least-16-bytes"),))
    assert original["hash"].startswith("development:")
    assert other.sign(hashed_message("", original)) != original["hash"]
    assert other.verify(hashed_message("", original), original["hash"]) == "signature does not match"
