"""The metrics kernel: instruments, RED outcomes, kernel readings and the catalogue's conventions."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from nameko.rpc import Rpc
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import CollectorRegistry, generate_latest
from werkzeug.wrappers import Response

from services.gateway.gather import ServiceUnavailable
from services.gateway.service import GatewayService
from services.incidents.service import IncidentsService
from services.inventory.service import InventoryService
from services.teams.service import TeamsService
from shared.consumer import IdempotentConsumer
from shared.envelope import EventEnvelope, Metadata, NewEvent, now
from shared.errors import Conflict, InvalidCommand, NotFound, StoreUnavailable
from shared.metrics import ServiceMetrics, catalogue
from shared.metrics.instruments import Counter, Histogram
from shared.metrics.kernel import aggregate_kind, instrument_appends
from shared.metrics.provider import error_kind, status_kind
from shared.metrics.registry import ScrapeTimeReadings
from shared.store.memory import InMemoryEventStore
from shared.streams import stream_id
from shared.views import ViewStore


def exposition(*collectors: Any) -> str:
    registry = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry).decode()


def test_a_counter_adds_up_per_label_tuple_and_refuses_wrong_labels_or_going_down() -> None:
    counter = Counter("anbei_test_things_total", "Things.", ("kind",))
    counter.inc("a")
    counter.inc("a", amount=2)
    counter.inc("b")
    assert (counter.value("a"), counter.value("b")) == (3, 1)
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc("a", "extra")
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc("a", amount=-1)
    with pytest.raises(ValueError, match="_total"):
        Counter("anbei_test_things", "Things.", ())
    assert 'anbei_test_things_total{kind="a"} 3.0' in exposition(counter)


def test_a_histogram_exposes_cumulative_buckets_with_sum_and_count() -> None:
    histogram = Histogram("anbei_test_duration_seconds", "Time.", ("service",), buckets=(0.1, 1.0))
    for value in (0.05, 0.5, 0.7, 3.0):
        histogram.observe("inventory", value=value)
    text = exposition(histogram)
    assert 'anbei_test_duration_seconds_bucket{le="0.1",service="inventory"} 1.0' in text
    assert 'anbei_test_duration_seconds_bucket{le="1.0",service="inventory"} 3.0' in text
    assert 'anbei_test_duration_seconds_bucket{le="+Inf",service="inventory"} 4.0' in text
    assert 'anbei_test_duration_seconds_count{service="inventory"} 4.0' in text
    assert 'anbei_test_duration_seconds_sum{service="inventory"} 4.25' in text


@pytest.mark.parametrize(("error", "kind"), [
    (InvalidCommand("bad"), "invalid"), (NotFound("none"), "not_found"), (Conflict("taken"), "conflict"),
    (RuntimeError("bug"), "fault"), (KeyError("bug"), "fault"),
    (StoreUnavailable("disk full"), "unavailable"), (ServiceUnavailable("no answer", "teams"), "unavailable"),
])
def test_an_error_becomes_a_bounded_outcome(error: BaseException, kind: str) -> None:
    assert error_kind(error) == kind


@pytest.mark.parametrize(("status", "kind"), [
    (200, "ok"), (201, "ok"), (400, "invalid"), (401, "unauthorized"), (404, "not_found"),
    (405, "client_error"), (409, "conflict"), (500, "fault"), (503, "unavailable"),
])
def test_an_http_status_becomes_a_bounded_outcome(status: int, kind: str) -> None:
    assert status_kind(status) == kind


def bound_provider(service: str) -> ServiceMetrics:
    provider = ServiceMetrics()
    provider.container = SimpleNamespace(service_name=service)
    provider.setup()
    return provider


def worker(entrypoint: Any) -> Any:
    return SimpleNamespace(entrypoint=entrypoint)


def entrypoint(cls: Any, method_name: str) -> Any:
    instance = cls.__new__(cls)
    instance.method_name = method_name
    return instance


def test_the_provider_counts_and_times_each_worker_by_entrypoint_type_and_outcome() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    provider = bound_provider(service)
    ok, refused = worker(entrypoint(Rpc, "record_movement")), worker(entrypoint(Rpc, "record_movement"))
    for ctx in (ok, refused):
        provider.worker_setup(ctx)
    provider.worker_result(ok, {"quantity": 3})
    provider.worker_result(refused, None, (Conflict, Conflict("short"), None))
    http = worker(entrypoint(HttpRequestHandler, "get_stock"))
    provider.worker_setup(http)
    provider.worker_result(http, Response(status=404))

    requests = catalogue.ENTRYPOINT_REQUESTS
    assert requests.value(service, "record_movement", "rpc", "ok") == 1
    assert requests.value(service, "record_movement", "rpc", "conflict") == 1
    assert requests.value(service, "get_stock", "http", "not_found") == 1
    assert catalogue.ENTRYPOINT_DURATION.count(service, "record_movement", "rpc") == 2


def test_every_service_declares_the_metrics_provider() -> None:
    for cls in (InventoryService, TeamsService, IncidentsService, GatewayService):
        assert isinstance(getattr(cls, "metrics", None), ServiceMetrics), cls.__name__


def new_event(type_: str = "StockReceived") -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=type_, schema_version=1, occurred_at=now(), data={},
                    metadata=Metadata(actor="test", command_id="c", correlation_id="c"))


def test_appended_events_are_counted_by_aggregate_kind_never_by_stream_id() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    store = InMemoryEventStore()
    instrument_appends(service, store)
    store.append(stream_id("stock", "jinan-flood", "life-jackets"), 0, [new_event(), new_event()])
    store.append(stream_id("warehouse", "jinan-flood"), 0, [new_event("WarehouseRegistered")])
    assert catalogue.EVENTS_APPENDED.value(service, "stock") == 2
    assert catalogue.EVENTS_APPENDED.value(service, "warehouse") == 1
    assert catalogue.EVENT_APPEND_DURATION.count(service) == 2
    assert aggregate_kind("not a stream id") == "unknown"


def test_a_consumer_counts_what_it_applies_and_the_duplicates_it_ignores() -> None:
    consumer = IdempotentConsumer(ViewStore(":memory:"), f"consumer-{uuid.uuid4().hex[:6]}")
    store = InMemoryEventStore()
    event: EventEnvelope = store.append(stream_id("stock", "w", "i"), 0, [new_event()])[0]
    applied = [consumer.handle(event, lambda views, e: None) for _ in range(3)]
    assert applied == [True, False, False]
    assert catalogue.CONSUMER_EVENTS.value(consumer.name, "applied") == 1
    assert catalogue.CONSUMER_EVENTS.value(consumer.name, "duplicate") == 2
    assert catalogue.CONSUMER_DELAY.count(consumer.name) == 1


def test_a_failing_reading_is_counted_and_the_others_still_answer() -> None:
    readings = ScrapeTimeReadings()
    service = f"svc-{uuid.uuid4().hex[:6]}"

    def broken() -> list[Any]:
        raise OSError("database is locked")

    readings.add(service, broken)
    stop = readings.add(service, lambda: [(catalogue.OUTBOX_BACKLOG, (service,), 7.0)])
    assert f'anbei_outbox_backlog_events{{service="{service}"}} 7.0' in exposition(readings)
    assert catalogue.METRICS_READ_FAILURES.value(service) == 1
    stop()
    assert service not in exposition(readings).replace(f"failures_total{{service=\"{service}\"}}", "")


def test_the_catalogue_follows_prometheus_naming_and_never_labels_by_id() -> None:
    specs = [*(instrument.spec for instrument in catalogue.INSTRUMENTS), *catalogue.NOW, *catalogue.LATER]
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names))
    for spec in specs:
        assert spec.name.startswith("anbei_"), spec.name
        assert spec.name.endswith("_total") == (spec.type == "counter"), spec.name
        assert spec.documentation.endswith("."), spec.name
        assert not [label for label in spec.labels if label.endswith("_id") or label == "id"], spec.name
        if "duration" in spec.name or "delay" in spec.name:
            assert spec.name.endswith("_seconds"), spec.name
