"""Projection runner: checkpoint, rebuild, verify; upcasters; the idempotent consumer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope, NewEvent
from shared.projections import ProjectionRunner
from shared.store.memory import InMemoryEventStore
from shared.upcasting import Upcasters
from shared.views import Views, ViewStore

WHEN = datetime(2024, 7, 1, tzinfo=UTC)


class Totals:
    """Stock per item; v1 events said `qty`, v2 says `quantity`."""

    name = "totals"
    collections = ("totals",)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "StockReceived":
            item = event.data["item_id"]
            total = views.get("totals", item) or {"item_id": item, "quantity": 0}
            views.put("totals", item, {**total, "quantity": total["quantity"] + event.data["quantity"]})


def received(item: str, quantity: int, schema_version: int = 2) -> NewEvent:
    key = "quantity" if schema_version == 2 else "qty"
    return NewEvent(type="StockReceived", schema_version=schema_version, occurred_at=WHEN,
                    data={"item_id": item, key: quantity})


def upcasters() -> Upcasters:
    registry = Upcasters()

    @registry.register("StockReceived", from_version=1)
    def rename_qty(data: dict[str, Any]) -> dict[str, Any]:
        data["quantity"] = data.pop("qty")
        return data

    return registry


def runner(store: InMemoryEventStore, views: ViewStore | None = None) -> ProjectionRunner:
    return ProjectionRunner(store, views or ViewStore(":memory:"), [Totals()], upcasters(), page=2)


def test_catch_up_applies_new_events_once_and_moves_the_checkpoint() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3), received("boats", 4), received("pumps", 1)])
    projections = runner(store)
    assert projections.catch_up() == 3
    assert projections.catch_up() == 0
    assert projections.views.get("totals", "boats") == {"item_id": "boats", "quantity": 7}
    assert projections.checkpoint() == 3 and projections.lag() == 0


def test_old_event_shapes_are_upcast_on_read_and_history_is_untouched() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3, schema_version=1), received("boats", 2)])
    projections = runner(store)
    projections.catch_up()
    assert projections.views.get("totals", "boats") == {"item_id": "boats", "quantity": 5}
    assert store.read_all()[0].data == {"item_id": "boats", "qty": 3}
    assert upcasters().upcast(store.read_all()[0]).schema_version == 2


def test_rebuild_replays_the_whole_log_into_an_empty_read_model() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3)])
    projections = runner(store)
    projections.catch_up()
    with projections.views.transaction() as views:
        views.put("totals", "boats", {"item_id": "boats", "quantity": 999})
    assert projections.rebuild() == 1
    assert projections.views.list("totals") == [{"item_id": "boats", "quantity": 3}]


def test_verify_passes_when_the_live_read_model_matches_a_rebuild() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3), received("pumps", 2)])
    report = runner(store).verify()
    assert report.ok and report.position == 2 and report.differences == []


def test_verify_names_a_read_model_that_drifted() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3)])
    projections = runner(store)
    projections.catch_up()
    with projections.views.transaction() as views:
        views.put("totals", "boats", {"item_id": "boats", "quantity": 4})
    report = projections.verify()
    assert not report.ok
    assert "quantity': 4" in report.differences[0] and "quantity': 3" in report.differences[0]


def test_verify_names_the_first_event_whose_history_was_edited() -> None:
    store = InMemoryEventStore()
    store.append("stock-a", 0, [received("boats", 3), received("boats", 4)])
    edited = {"item_id": "boats", "quantity": 40}
    store.shared.log[1] = store.shared.log[1].model_copy(update={"data": edited})
    report = runner(store).verify()
    assert report.broken_link is not None
    assert (report.broken_link.stream_id, report.broken_link.version) == ("stock-a", 2)


def test_an_idempotent_consumer_applies_a_redelivered_event_once() -> None:
    store = InMemoryEventStore()
    [event] = store.append("stock-a", 0, [received("boats", 3)])
    consumer = IdempotentConsumer(ViewStore(":memory:"), "district-totals")
    applied: list[str] = []

    def apply(views: Views, envelope: EventEnvelope) -> None:
        applied.append(str(envelope.event_id))

    assert consumer.handle(event.to_message(), apply) is True
    assert consumer.handle(event.to_message(), apply) is False
    assert consumer.handle(event, apply) is False
    assert applied == [str(event.event_id)]


def test_a_consumer_whose_effect_fails_can_apply_the_event_again_later() -> None:
    store = InMemoryEventStore()
    [event] = store.append("stock-a", 0, [received("boats", 3)])
    consumer = IdempotentConsumer(ViewStore(":memory:"), "district-totals")

    def fail(views: Views, envelope: EventEnvelope) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        consumer.handle(event, fail)
    assert consumer.handle(event, lambda views, envelope: None) is True
