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
    store.append("stock:a", 0, [received("boats", 3), received("boats", 4), received("pumps", 1)])
    projections = runner(store)
    assert projections.catch_up() == 3
    assert projections.catch_up() == 0
    assert projections.views.get("totals", "boats") == {"item_id": "boats", "quantity": 7}
    assert projections.checkpoint() == 3 and projections.lag() == 0


def test_old_event_shapes_are_upcast_on_read_and_history_is_untouched() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3, schema_version=1), received("boats", 2)])
    projections = runner(store)
    projections.catch_up()
    assert projections.views.get("totals", "boats") == {"item_id": "boats", "quantity": 5}
    assert store.read_all()[0].data == {"item_id": "boats", "qty": 3}
    assert upcasters().upcast(store.read_all()[0]).schema_version == 2


def test_rebuild_replays_the_whole_log_into_an_empty_read_model() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3)])
    projections = runner(store)
    projections.catch_up()
    with projections.views.transaction() as views:
        views.put("totals", "boats", {"item_id": "boats", "quantity": 999})
    assert projections.rebuild() == 1
    assert projections.views.list("totals") == [{"item_id": "boats", "quantity": 3}]


def test_verify_passes_when_the_live_read_model_matches_a_rebuild() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3), received("pumps", 2)])
    report = runner(store).verify()
    assert report.ok and report.position == 2 and report.differences == []


def test_verify_names_a_read_model_that_drifted() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3)])
    projections = runner(store)
    projections.catch_up()
    with projections.views.transaction() as views:
        views.put("totals", "boats", {"item_id": "boats", "quantity": 4})
    report = projections.verify()
    assert not report.ok
    assert "quantity': 4" in report.differences[0] and "quantity': 3" in report.differences[0]


def test_verify_names_the_first_event_whose_history_was_edited() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3), received("boats", 4)])
    edited = {"item_id": "boats", "quantity": 40}
    store.shared.log[1] = store.shared.log[1].model_copy(update={"data": edited})
    report = runner(store).verify()
    assert report.broken_link is not None
    assert (report.broken_link.stream_id, report.broken_link.version) == ("stock:a", 2)


def test_an_idempotent_consumer_applies_a_redelivered_event_once() -> None:
    store = InMemoryEventStore()
    [event] = store.append("stock:a", 0, [received("boats", 3)])
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
    [event] = store.append("stock:a", 0, [received("boats", 3)])
    consumer = IdempotentConsumer(ViewStore(":memory:"), "district-totals")

    def fail(views: Views, envelope: EventEnvelope) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        consumer.handle(event, fail)
    assert consumer.handle(event, lambda views, envelope: None) is True


def test_a_crash_before_the_checkpoint_is_saved_leaves_the_read_model_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3)])
    projections = runner(store)
    original = Views.set_checkpoint

    def crash(views: Views, name: str, position: int) -> None:
        raise RuntimeError("process died while saving the checkpoint")

    monkeypatch.setattr(Views, "set_checkpoint", crash)
    with pytest.raises(RuntimeError):
        projections.catch_up()
    assert projections.views.get("totals", "boats") is None  # the update rolled back with it
    monkeypatch.setattr(Views, "set_checkpoint", original)
    projections.catch_up()
    assert projections.views.get("totals", "boats") == {"item_id": "boats", "quantity": 3}


def test_a_consumer_that_dies_before_recording_the_event_leaves_no_effect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = InMemoryEventStore()
    [event] = store.append("stock:a", 0, [received("boats", 3)])
    views = ViewStore(":memory:")
    consumer = IdempotentConsumer(views, "district-totals")

    def count(tx: Views, envelope: EventEnvelope) -> None:
        total = tx.get("totals", "boats") or {"quantity": 0}
        tx.put("totals", "boats", {"quantity": total["quantity"] + envelope.data["quantity"]})

    original = Views.mark_applied

    def crash(tx: Views, consumer_name: str, event_id: str) -> bool:
        raise RuntimeError("process died while recording the event")

    monkeypatch.setattr(Views, "mark_applied", crash)
    with pytest.raises(RuntimeError):
        consumer.handle(event, count)
    assert views.get("totals", "boats") is None
    monkeypatch.setattr(Views, "mark_applied", original)
    assert consumer.handle(event, count) is True
    assert consumer.handle(event, count) is False
    assert views.get("totals", "boats") == {"quantity": 3}


class NoNegativeTotals(Totals):
    def invariant_violations(self, views: Views) -> list[str]:
        return [f"{doc['item_id']} is at {doc['quantity']}" for doc in views.list("totals")
                if doc["quantity"] < 0]


def test_verify_reports_a_broken_domain_invariant() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3), received("boats", -5)])
    report = ProjectionRunner(store, ViewStore(":memory:"), [NoNegativeTotals()], upcasters()).verify()
    assert report.violations == ["boats is at -2"] and not report.ok


def test_verify_finds_events_removed_from_the_end_of_the_log() -> None:
    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3), received("boats", 4)])
    projections = runner(store)
    assert projections.verify({"published events": 2}).ok
    gone = store.shared.log.pop()
    store.shared.streams["stock:a"].remove(gone)
    report = projections.verify({"published events": 2})
    assert not report.ok
    assert any("read models has seen position 2, but the log ends at 1" in m for m in report.missing_tail)
    assert any("published events" in m for m in report.missing_tail)


def test_verify_reports_how_much_of_the_log_is_sealed() -> None:
    from shared.sealing import seal_pending

    store = InMemoryEventStore()
    store.append("stock:a", 0, [received("boats", 3), received("boats", 4)])
    seal_pending(store)
    store.append("stock:a", 2, [received("boats", 5)])
    report = runner(store).verify()
    assert (report.sealed_through, report.unsealed, report.ok) == (2, 1, True)


def test_catching_up_to_a_position_waits_until_it_is_readable() -> None:
    store = InMemoryEventStore()
    projections = runner(store)
    assert projections.catch_up_to(0, timeout_s=0)
    assert not projections.catch_up_to(1, timeout_s=0.05)  # nothing there yet: gives up in time
    store.append("stock:a", 0, [received("boats", 3)])
    assert projections.catch_up_to(1, timeout_s=1)


def test_inventory_verify_reports_negative_stock_as_a_broken_invariant() -> None:
    from services.inventory.projections import PROJECTIONS

    store = InMemoryEventStore()
    line = {"warehouse_id": "w", "item_id": "boats", "source": "purchase", "destination": "x",
            "reference": None, "note": None}
    store.append("stock:w:boats", 0, [
        NewEvent(type="StockReceived", occurred_at=WHEN, data={**line, "quantity": 1}),
        # written past the decider
        NewEvent(type="StockIssued", occurred_at=WHEN, data={**line, "quantity": 2}),
    ])
    report = ProjectionRunner(store, ViewStore(":memory:"), PROJECTIONS).verify()
    assert report.violations == ["on_hand of boats in w is -1", "available of boats in w is -1"]


def test_inventory_verify_reports_reserving_more_than_on_hand_and_releasing_more_than_reserved() -> None:
    from services.inventory.projections import PROJECTIONS

    store = InMemoryEventStore()
    held = {"incident_id": None, "note": None, "reservation_id": "r1"}
    for warehouse, written_past_the_decider in (
        ("a", NewEvent(type="StockReserved", occurred_at=WHEN,
                       data={**held, "warehouse_id": "a", "item_id": "pumps", "quantity": 5})),
        ("b", NewEvent(type="ReservationReleased", occurred_at=WHEN, data={
            **held, "warehouse_id": "b", "item_id": "pumps", "quantity": 1, "reason": None})),
    ):
        store.append(f"stock:{warehouse}:pumps", 0, [
            NewEvent(type="StockReceived", occurred_at=WHEN,
                     data={"warehouse_id": warehouse, "item_id": "pumps", "quantity": 3, "source": "purchase",
                           "reference": None, "note": None}),
            written_past_the_decider,
        ])
    report = ProjectionRunner(store, ViewStore(":memory:"), PROJECTIONS).verify()
    assert report.violations == ["available of pumps in a is -2", "reserved of pumps in b is -1"]
