"""The example consumer's rules without a broker: dedupe by event_id, the feed position as the
join point, and per-stream order restored from the feed after the relay's resend."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from examples import consumer
from services.contracts.published import asyncapi_document

Json = dict[str, Any]


def envelope(position: int, version: int, stream: str = "stock:depot:rope", **data: Any) -> Json:
    return {"event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stream}/{version}")), "type": "StockReceived",
            "schema_version": 1, "stream_id": stream, "version": version, "position": position,
            "occurred_at": "2024-07-01T00:00:00+00:00", "recorded_at": "2024-07-01T00:00:00+00:00",
            "data": {"warehouse_id": "depot", "item_id": "rope", "quantity": 5, "source": "purchase",
                     "reference": None, "note": None} | data,
            "metadata": {"actor": "keeper-li"}, "hash": "00"}


class OfflineConsumer(consumer.Consumer):
    """The example's consumer with the gateway replaced by a list of committed events."""

    def __init__(self, state: Path, feed: list[Json]) -> None:
        self.feed = feed
        super().__init__(argparse.Namespace(state=str(state), service="inventory", gateway="", token=""))

    def _get(self, path: str) -> Json:
        if path == "/api/v1/asyncapi.json":
            return asyncapi_document()
        after = int(path.split("after=")[1].split("&")[0])
        items = [event for event in self.feed if event["position"] > after][:500]
        return {"items": items, "next": items[-1]["position"] if items else after}


def steps(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, Any, str]]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [(line["step"], line.get("version"), line.get("source", "")) for line in lines
            if line["step"] != "backfilled"]


def test_a_redelivered_event_is_applied_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reader = OfflineConsumer(tmp_path / "state.db", [])
    first = envelope(1, 1)
    assert reader.handle(first) and reader.handle(dict(first))
    assert steps(capsys) == [("applied", 1, "amqp"), ("duplicate", 1, "amqp")]


def test_an_event_read_from_the_feed_is_not_applied_again_when_it_arrives_by_amqp(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = [envelope(1, 1), envelope(2, 2)]
    reader = OfflineConsumer(tmp_path / "state.db", history)
    reader.backfill()
    assert reader.handle(history[1])
    assert steps(capsys) == [("applied", 1, "feed"), ("applied", 2, "feed"), ("duplicate", 2, "amqp")]


def test_a_version_that_skips_ahead_waits_for_the_missing_ones_read_from_the_feed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = [envelope(1, 1), envelope(2, 2), envelope(3, 3)]
    reader = OfflineConsumer(tmp_path / "state.db", history)
    reader.handle(history[0])
    reader.handle(history[2])  # the relay's resend after a nack: v3 came before v2
    reader.handle(history[1])
    assert steps(capsys) == [("applied", 1, "amqp"), ("gap", 3, "amqp"), ("duplicate", 1, "feed"),
                             ("applied", 2, "feed"), ("applied", 3, "feed"), ("duplicate", 3, "amqp"),
                             ("duplicate", 2, "amqp")]


def test_an_event_that_does_not_fit_its_published_schema_is_rejected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reader = OfflineConsumer(tmp_path / "state.db", [])
    assert not reader.handle(envelope(1, 1, quantity="five"))
    assert not reader.handle(envelope(2, 1, stream="stock:depot:boat") | {"schema_version": 9})
    assert [step for step, _, _ in steps(capsys)] == ["rejected", "rejected"]
    assert not reader.ledger.seen(envelope(1, 1)["event_id"])
