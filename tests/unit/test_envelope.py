from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.envelope import EventEnvelope, Metadata, NewEvent, event_id_for, isoformat
from shared.store.base import stored_envelope


def test_an_envelope_rebuilt_from_storage_equals_a_validated_one() -> None:
    event_id = str(uuid.uuid4())
    fields: dict[str, object] = {
        "event_id": event_id, "type": "StockReceived", "schema_version": 2,
        "stream_id": "stock-w-i", "version": 3, "position": 17,
        "occurred_at": "2024-07-01T08:30:00.000000+00:00",
        "recorded_at": "2024-07-03T09:00:00.123456+00:00",
        "data": {"quantity": 5}, "metadata": {"actor": "keeper", "correlation_id": None,
                                            "causation_id": None, "command_id": "c-1",
                                            "command_digest": None},
        "hash": "ab" * 32,
    }
    rebuilt = stored_envelope(json.loads(json.dumps(fields)))
    validated = EventEnvelope.model_validate(fields)
    assert rebuilt == validated
    assert rebuilt.model_dump() == validated.model_dump()
    assert rebuilt.metadata.command_id == "c-1"
    assert rebuilt.event_id == uuid.UUID(event_id)
    assert hash(rebuilt.event_id) == hash(uuid.UUID(event_id))
    assert str(rebuilt.event_id) == event_id


def test_occurred_at_in_another_zone_is_stored_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    event = NewEvent(type="X", occurred_at=datetime(2024, 7, 1, 16, 30, tzinfo=beijing), data={})
    assert isoformat(event.occurred_at) == "2024-07-01T08:30:00.000000+00:00"


def test_a_naive_occurred_at_is_refused_inside_the_platform() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        NewEvent(type="X", occurred_at=datetime(2024, 7, 1, 8, 30), data={})


def test_event_ids_from_one_command_are_stable_and_distinct() -> None:
    assert event_id_for("cmd-1", 0) == event_id_for("cmd-1", 0)
    assert event_id_for("cmd-1", 0) != event_id_for("cmd-1", 1)
    assert event_id_for("cmd-1", 0) != event_id_for("cmd-2", 0)


def test_metadata_defaults_to_the_system_actor() -> None:
    assert Metadata().actor == "system"
