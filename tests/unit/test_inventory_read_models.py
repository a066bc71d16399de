"""Read models on random histories: rebuilt equals live, lines equal the streams, and stock as of
any moment equals a replay of the ledger up to that moment, on both clocks."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nameko.testing.services import worker_factory

from services.inventory.domain import stock
from services.inventory.domain.stock import changes
from services.inventory.domain.stock_rules import stock as stock_decider
from services.inventory.projections import PROJECTIONS
from services.inventory.projections.as_of import StockAsOf
from services.inventory.service import InventoryService
from shared.application import Application
from shared.envelope import EventEnvelope, Metadata
from shared.errors import AnbeiError
from shared.projections import iter_all
from shared.streams import parse_stream_id
from shared.testing import in_memory_application
from shared.views import ViewStore

WAREHOUSES = ("flood-reserve", "mayan-depot")
ITEMS = ("life-jackets", "woven-sandbags")
START = datetime(2022, 12, 31, 15, 59, 58, tzinfo=UTC)  # near a year, month, day, minute and second edge

moments = st.one_of(
    st.integers(0, 3 * 365 * 86_400).map(lambda s: START + timedelta(seconds=s)),
    st.sampled_from([START, START + timedelta(seconds=1), START + timedelta(microseconds=1)]),
    st.integers(0, 2_000_000).map(lambda us: START + timedelta(microseconds=us)),
)
movement = st.tuples(
    st.sampled_from(["receipt", "receipt", "receipt", "issue", "reserve", "reserve", "issue_reserved",
                     "release", "write_off", "count", "transfer", "transfer"]),
    st.sampled_from(WAREHOUSES), st.sampled_from(ITEMS), st.integers(1, 30), moments,
    st.booleans(),
)


#: histories start with stock on a line, then anything may happen
histories = st.lists(movement, min_size=15, max_size=60).map(
    lambda moves: [("receipt", WAREHOUSES[0], ITEMS[0], 20, START, False), *moves])


def platform() -> tuple[Application, InventoryService]:
    app = in_memory_application(PROJECTIONS)
    service: InventoryService = worker_factory(InventoryService, es=app)
    for warehouse in WAREHOUSES:
        service.register_warehouse({"warehouse_id": warehouse, "name": warehouse, "name_zh": "库",
                                    "kind": "township"})
    for item in ITEMS:
        service.register_item({"item_id": item, "name": item, "name_zh": "物", "unit": "件",
                               "category_code": "2999999"})
    return app, service


def apply(service: InventoryService, step: int, move: tuple[Any, ...]) -> None:
    kind, warehouse, item, quantity, moment, flag = move
    base = {"warehouse_id": warehouse, "item_id": item, "occurred_at": moment.isoformat()}
    other = WAREHOUSES[1 - WAREHOUSES.index(warehouse)]
    calls: dict[str, Callable[[], object]] = {
        "receipt": lambda: service.record_movement({**base, "kind": "receipt", "quantity": quantity,
                                                    **({"lot": f"L{quantity % 3}", "expires_on": "2030-01-01"}
                                                       if flag else {})}),
        "issue": lambda: service.record_movement({**base, "kind": "issue", "quantity": quantity,
                                                  "destination": "Dongqiao"}),
        "issue_reserved": lambda: service.issue_stock({**base, "quantity": quantity % 3 + 1,
                                                       "destination": "Dongqiao",
                                                       "reservation_id": f"r{(step - 1) % 4}"}),
        "reserve": lambda: service.reserve_stock({**base, "reservation_id": f"r{step % 4}",
                                                  "quantity": quantity}),
        "release": lambda: service.release_reservation({**base, "reservation_id": f"r{step % 4}"}),
        "write_off": lambda: service.record_movement({**base, "kind": "write_off", "quantity": quantity,
                                                      "reason": "damaged"}),
        "count": lambda: service.count_stock({**base, "counted": quantity, "reason": "count"}),
        "transfer": lambda: _transfer(service, base, other, quantity, step, flag),
    }
    with suppress(AnbeiError):  # a refused command records nothing, which is part of what is tested
        calls[kind]()


def _transfer(service: InventoryService, base: dict[str, Any], other: str, quantity: int, step: int,
              receive: bool) -> None:
    service.dispatch_transfer({**base, "transfer_id": f"t{step}", "to_warehouse_id": other,
                               "quantity": quantity})
    if receive:
        service.receive_transfer({"transfer_id": f"t{step}", "warehouse_id": other,
                                  "received": max(quantity - 1, 0), "occurred_at": base["occurred_at"]})


def line_events(app: Application) -> list[EventEnvelope]:
    return [event for event in iter_all(app.store) if parse_stream_id(event.stream_id)[0] == "stock"]


def line_key(event: EventEnvelope) -> tuple[str, str]:
    return event.data["warehouse_id"], event.data["item_id"]


def replayed_figures(events: list[EventEnvelope]) -> dict[tuple[str, str], list[int]]:
    """Per line, [on hand, reserved, in transit] by folding the domain's own evolve."""
    by_line: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for event in events:
        by_line[line_key(event)].append(stock_decider.event_from(event.type, event.data))
    figures = {}
    for key, history in by_line.items():
        state = stock_decider.fold(history)
        figures[key] = [state.on_hand, state.reserved, state.in_transit_total]
    return figures


def summed_figures(events: list[EventEnvelope]) -> dict[tuple[str, str], list[int]]:
    """Per line, the ledger's changes summed."""
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for event in events:
        figures[line_key(event)] = [a + b for a, b in zip(figures[line_key(event)],
                                                          changes(event.type, event.data), strict=True)]
    return figures


def as_of(service: InventoryService, moment: datetime, clock: str) -> dict[tuple[str, str], list[int]]:
    figures = {}
    for warehouse in WAREHOUSES:
        answer = service.stock_as_of(warehouse, {"at": moment.isoformat(), "clock": clock})
        for line in answer["items"]:
            figures[(warehouse, line["item_id"])] = [line["on_hand"], line["reserved"], line["in_transit"]]
    return figures


def nonzero(figures: dict[tuple[str, str], list[int]]) -> dict[tuple[str, str], list[int]]:
    return {key: value for key, value in figures.items() if any(value)}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_a_rebuilt_read_model_equals_the_live_one_and_every_line_equals_its_stream(
    moves: list[tuple[Any, ...]],
) -> None:
    app, service = platform()
    for step, move in enumerate(moves):
        apply(service, step, move)
    report = service.verify()
    assert report["ok"], report["differences"]
    for (warehouse, item), (on_hand, reserved, in_transit) in replayed_figures(line_events(app)).items():
        line = service.get_stock_line(warehouse, item)
        assert (line["on_hand"], line["reserved"], line["in_transit"]) == (on_hand, reserved, in_transit)
        assert line["available"] == on_hand - reserved >= 0
        state = app.load(stock.stream_id(warehouse, item), stock_decider)[0]
        assert sum(lot["quantity"] for lot in line["lots"].values()) == state.on_hand
    totals = service.district_stock()["items"]
    for total in totals:
        lines = [service.get_stock_line(w, total["item_id"]) for w in WAREHOUSES]
        assert total["on_hand"] == sum(line["on_hand"] for line in lines)
        assert total["in_transit"] == sum(line["in_transit"] for line in lines)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories, st.lists(moments, min_size=1, max_size=5))
def test_stock_as_it_happened_equals_the_ledger_summed_up_to_that_moment(
    moves: list[tuple[Any, ...]], probes: list[datetime]
) -> None:
    app, service = platform()
    for step, move in enumerate(moves):
        apply(service, step, move)
    events = line_events(app)
    probes += [event.occurred_at for event in events[:5]]
    probes += [event.occurred_at - timedelta(microseconds=1) for event in events[:5]]
    for moment in probes:
        expected = summed_figures([e for e in events if e.occurred_at <= moment])
        assert as_of(service, moment, "occurred") == nonzero(expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_stock_as_we_knew_it_equals_a_replay_of_what_was_recorded_by_then(
    moves: list[tuple[Any, ...]],
) -> None:
    app, service = platform()
    for step, move in enumerate(moves):
        apply(service, step, move)
    events = line_events(app)
    probes = [event.recorded_at for event in events] + [events[0].recorded_at - timedelta(microseconds=1)]
    for moment in probes:
        expected = replayed_figures([e for e in events if e.recorded_at <= moment])
        assert as_of(service, moment, "recorded") == nonzero(expected)


def test_a_shortage_document_is_removed_when_the_line_recovers() -> None:
    views = ViewStore(":memory:")
    with views.transaction() as writing:
        writing.put("c", "k", {"a": 1})
        writing.delete("c", "k")
        writing.delete("c", "absent")
    assert views.list("c") == []


class RecordingViews:
    """Documents in a dict; the JSON written by `put` since `written` was last reset."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], str] = {}
        self.written = 0

    def get(self, collection: str, key: str) -> Any:
        text = self.docs.get((collection, key))
        return json.loads(text) if text is not None else None

    def put(self, collection: str, key: str, doc: Any) -> None:
        text = self.docs[collection, key] = json.dumps(doc, sort_keys=True)
        self.written += len(text)


def receipt(position: int, item: str, at: datetime) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(), type="StockReceived", schema_version=1, stream_id=f"stock:{item}",
        version=1, position=position, occurred_at=at, recorded_at=at, metadata=Metadata(actor="keeper"),
        hash="x", data={"warehouse_id": WAREHOUSES[0], "item_id": item, "quantity": 5, "source": "purchase",
                        "reference": None, "note": None})


def as_of_written_by_last_receipt(other_items: int) -> int:
    views, as_of_model = RecordingViews(), StockAsOf()
    for n in range(other_items):
        as_of_model.apply(views, receipt(n + 1, f"item-{n:03d}", START + timedelta(days=n)))  # type: ignore[arg-type]
    as_of_model.apply(views, receipt(100, ITEMS[0], START + timedelta(days=60)))  # type: ignore[arg-type]
    views.written = 0
    as_of_model.apply(views, receipt(101, ITEMS[0], START + timedelta(days=60, seconds=1)))  # type: ignore[arg-type]
    return views.written


def test_a_movement_writes_as_much_to_the_as_of_model_whatever_else_its_warehouse_holds() -> None:
    assert as_of_written_by_last_receipt(other_items=40) == as_of_written_by_last_receipt(other_items=0)
