"""The inventory service's RPCs on the in-memory store: commands, flows and the read models they feed."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from nameko.testing.services import worker_factory

from services.inventory import handlers, import_flow
from services.inventory.domain.stock_commands import StockFacts
from services.inventory.projections import PROJECTIONS
from services.inventory.service import InventoryService
from shared.application import Application, IdempotencyKeyReused
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.projections import ProjectionRunner
from shared.store.memory import InMemoryEventStore
from shared.testing import in_memory_application
from shared.views import ViewStore

FLOOD, MAYAN = "flood-reserve", "mayan-depot"


@pytest.fixture
def app() -> Application:
    return in_memory_application(PROJECTIONS)


@pytest.fixture
def service(app: Application) -> InventoryService:
    service: InventoryService = worker_factory(InventoryService, es=app)
    for warehouse, kind in ((FLOOD, "district"), (MAYAN, "township")):
        service.register_warehouse({"warehouse_id": warehouse, "name": warehouse, "name_zh": "仓库",
                                    "kind": kind, "latitude": 31.7, "longitude": 116.5})
    for item, unit in (("life-jackets", "件"), ("woven-sandbags", "条"), ("excavators", "台")):
        service.register_item({"item_id": item, "name": item, "name_zh": item, "unit": unit,
                               "category_code": "2999999"})
    service.register_item({"item_id": "generators", "name": "generators", "name_zh": "发电机", "unit": "台",
                           "category_code": "2999999", "inspection_interval_days": 90})
    return service


def receive(service: InventoryService, quantity: int, warehouse: str = FLOOD, item: str = "life-jackets",
            **fields: Any) -> dict[str, Any]:
    return service.record_movement({"kind": "receipt", "warehouse_id": warehouse, "item_id": item,
                                    "quantity": quantity, **fields})


def meta() -> dict[str, str]:
    return {"command_id": f"cmd-{uuid.uuid4()}", "actor": "keeper-li"}


def line(service: InventoryService, warehouse: str, item: str = "life-jackets") -> dict[str, Any]:
    return service.get_stock_line(warehouse, item)


def test_registered_items_and_warehouses_are_read_back_and_a_closed_warehouse_says_so(
    service: InventoryService,
) -> None:
    assert service.get_item("generators")["inspection_interval_days"] == 90
    assert [w["warehouse_id"] for w in service.list_warehouses()["items"]] == [FLOOD, MAYAN]
    closed = service.close_warehouse({"warehouse_id": MAYAN, "reason": "merged"})
    assert closed["status"] == "closed"
    assert service.get_warehouse(MAYAN)["closed_reason"] == "merged"
    with pytest.raises(Conflict) as raised:
        receive(service, 1, MAYAN)
    assert raised.value.code == "warehouse_closed"


@pytest.mark.parametrize("rpc", ["record_movement", "reserve_stock", "count_stock"])
def test_a_retried_command_answers_byte_for_byte_the_same_and_moves_stock_once(
    service: InventoryService, rpc: str
) -> None:
    receive(service, 10)
    payload = {"warehouse_id": FLOOD, "item_id": "life-jackets"} | {
        "record_movement": {"kind": "issue", "quantity": 4, "destination": "Dongqiao"},
        "reserve_stock": {"reservation_id": "r1", "quantity": 4, "incident_id": "flood-0701"},
        "count_stock": {"counted": 6, "reason": "4 missing"},
    }[rpc]
    context = meta()
    first = getattr(service, rpc)(payload, context)
    receive(service, 5)  # the line moves on before the retry
    assert getattr(service, rpc)(payload, context) == first
    assert line(service, FLOOD)["available"] == 11


def test_the_same_command_id_for_another_command_is_refused(service: InventoryService) -> None:
    context = meta()
    receive(service, 10, **{})
    service.record_movement({"kind": "receipt", "warehouse_id": FLOOD, "item_id": "life-jackets",
                             "quantity": 1}, context)
    with pytest.raises(IdempotencyKeyReused):
        service.record_movement({"kind": "receipt", "warehouse_id": FLOOD, "item_id": "life-jackets",
                                 "quantity": 2}, context)


def test_an_unknown_movement_kind_is_rejected_naming_kind(service: InventoryService) -> None:
    with pytest.raises(InvalidCommand) as raised:
        service.record_movement({"kind": "transfer", "warehouse_id": FLOOD, "item_id": "life-jackets"})
    assert raised.value.field == "kind"


def dispatch(service: InventoryService, quantity: int, transfer_id: str = "t1",
             context: dict[str, str] | None = None) -> dict[str, Any]:
    return service.dispatch_transfer({"transfer_id": transfer_id, "warehouse_id": FLOOD,
                                      "to_warehouse_id": MAYAN, "item_id": "woven-sandbags",
                                      "quantity": quantity}, context)


def test_a_transfer_is_in_transit_in_neither_warehouse_then_received_with_its_discrepancy(
    service: InventoryService,
) -> None:
    receive(service, 500, item="woven-sandbags")
    assert dispatch(service, 100)["status"] == "in_transit"
    source, destination = line(service, FLOOD, "woven-sandbags"), line(service, MAYAN, "woven-sandbags")
    assert (source["available"], source["in_transit"]) == (400, 100)
    assert (destination["available"], destination["incoming"]) == (0, 100)
    total = service.get_item_stock("woven-sandbags")
    assert (total["on_hand"], total["in_transit"]) == (400, 100)

    receipt = service.receive_transfer({"transfer_id": "t1", "warehouse_id": MAYAN, "received": 98})
    assert (receipt["received"], receipt["discrepancy"]) == (98, -2)
    source, destination = line(service, FLOOD, "woven-sandbags"), line(service, MAYAN, "woven-sandbags")
    assert (source["on_hand"], source["in_transit"]) == (400, 0)
    assert (destination["on_hand"], destination["incoming"]) == (98, 0)
    total = service.get_item_stock("woven-sandbags")
    assert (total["on_hand"], total["in_transit"]) == (498, 0)
    assert service.get_transfer("t1")["discrepancy"] == -2
    out = service.list_movements(FLOOD, {"item_id": "woven-sandbags"})["items"]
    into = service.list_movements(MAYAN)["items"]
    assert [m["type"] for m in out] == ["StockReceived", "StockTransferredOut", "TransitClosed"]
    assert out[-1]["discrepancy"] == -2 and into[0]["quantity"] == 98
    assert sum(m["quantity"] for m in out + into) == total["on_hand"]
    assert service.verify()["ok"]


def test_a_receipt_retried_after_a_crash_between_its_steps_finishes_the_transfer_once(
    service: InventoryService, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(service, 500, item="woven-sandbags")
    dispatch(service, 100)
    real = handlers.change_stock
    calls = {"n": 0}

    def crash_on_the_last_step(app_: Application, command: Any, context: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("process killed")
        return real(app_, command, context)

    monkeypatch.setattr(handlers, "change_stock", crash_on_the_last_step)
    payload, context = {"transfer_id": "t1", "warehouse_id": MAYAN, "received": 100}, meta()
    with pytest.raises(RuntimeError):
        service.receive_transfer(payload, context)
    assert line(service, FLOOD, "woven-sandbags")["in_transit"] == 100  # the source has not heard yet
    first_try_answer = service.receive_transfer(payload, context)
    assert service.receive_transfer(payload, context) == first_try_answer
    assert line(service, FLOOD, "woven-sandbags")["in_transit"] == 0
    assert line(service, MAYAN, "woven-sandbags")["on_hand"] == 100


def test_a_dispatch_that_loses_its_transfer_id_to_another_warehouse_is_undone(
    service: InventoryService, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(service, 50, item="woven-sandbags")
    receive(service, 50, warehouse=MAYAN, item="woven-sandbags")
    service.dispatch_transfer({"transfer_id": "t1", "warehouse_id": MAYAN, "to_warehouse_id": FLOOD,
                               "item_id": "woven-sandbags", "quantity": 5})
    real = handlers.stock_facts

    def blind_to_the_other_dispatch(app_: Application, command: Any, context: Any) -> StockFacts:
        facts = real(app_, command, context)
        return StockFacts(facts.as_of, facts.warehouse, facts.item, facts.destination, False, facts.reversing)

    monkeypatch.setattr(handlers, "stock_facts", blind_to_the_other_dispatch)
    with pytest.raises(Conflict) as raised:
        dispatch(service, 10)
    assert raised.value.code == "transfer_exists"
    source = line(service, FLOOD, "woven-sandbags")
    assert (source["on_hand"], source["in_transit"]) == (50, 0)
    assert service.get_transfer("t1")["from_warehouse_id"] == MAYAN


def test_receiving_an_unknown_transfer_is_not_found(service: InventoryService) -> None:
    with pytest.raises(NotFound) as raised:
        service.receive_transfer({"transfer_id": "t9", "warehouse_id": MAYAN, "received": 1})
    assert raised.value.field == "transfer_id"


def test_stock_as_of_a_past_moment_on_both_clocks(service: InventoryService) -> None:
    receive(service, 100, occurred_at="2024-06-01T09:00:00+08:00")
    before_typing = service.list_movements(FLOOD)["items"][-1]["recorded_at"]
    receive(service, 40, occurred_at="2024-06-20T09:00:00+08:00", reference="late paper form")
    week = {"at": "2024-06-25T00:00:00+08:00", "item_id": "life-jackets"}
    happened = service.stock_as_of(FLOOD, week | {"clock": "occurred"})["items"]
    assert happened == [{"item_id": "life-jackets", "on_hand": 140, "reserved": 0, "available": 140,
                         "in_transit": 0}]
    knew = service.stock_as_of(FLOOD, {"at": before_typing, "clock": "recorded"})["items"]
    assert knew[0]["on_hand"] == 100
    assert service.district_stock_as_of(week)["items"][0]["on_hand"] == 140


def test_the_ledger_is_ordered_by_when_things_happened_and_filters_by_item_and_time(
    service: InventoryService,
) -> None:
    receive(service, 10, occurred_at="2024-06-10T09:00:00+08:00")
    receive(service, 20, item="woven-sandbags", occurred_at="2024-06-05T09:00:00+08:00")
    receive(service, 30, occurred_at="2024-06-01T09:00:00+08:00")
    assert [m["quantity"] for m in service.list_movements(FLOOD)["items"]] == [30, 20, 10]
    jackets = service.list_movements(FLOOD, {"item_id": "life-jackets"})["items"]
    assert [m["quantity"] for m in jackets] == [30, 10]
    window = {"from": "2024-06-05T09:00:00+08:00", "until": "2024-06-09T00:00:00+08:00"}
    assert [m["quantity"] for m in service.list_movements(FLOOD, window)["items"]] == [20]
    first = service.list_movements(FLOOD, {"limit": "2"})
    rest = service.list_movements(FLOOD, {"limit": "2", "after": first["next"]})
    assert [m["quantity"] for m in first["items"] + rest["items"]] == [30, 20, 10] and rest["next"] is None


def test_reservations_for_an_incident_are_listed_and_issued_against(service: InventoryService) -> None:
    receive(service, 10)
    service.reserve_stock({"warehouse_id": FLOOD, "item_id": "life-jackets", "reservation_id": "r1",
                           "quantity": 6, "incident_id": "flood-0701"})
    [held] = service.incident_reservations({"incident_id": "flood-0701"})["items"]
    assert (held["warehouse_id"], held["quantity"]) == (FLOOD, 6)
    issued = service.issue_stock({"warehouse_id": FLOOD, "item_id": "life-jackets", "quantity": 6,
                                  "destination": "Dongqiao", "reservation_id": "r1"})
    assert (issued["on_hand"], issued["reserved"]) == (4, 0)
    assert service.incident_reservations({"incident_id": "flood-0701"})["items"] == []
    assert service.list_reservations(FLOOD)["items"] == []


def test_shortages_appear_below_the_minimum_and_disappear_when_restocked(service: InventoryService) -> None:
    receive(service, 10)
    service.set_minimum_level({"warehouse_id": FLOOD, "item_id": "life-jackets", "minimum": 12})
    [shortage] = service.list_shortages()["items"]
    assert (shortage["missing"], shortage["available"]) == (2, 10)
    receive(service, 2)
    assert service.list_shortages()["items"] == []


def test_expiring_lots_and_overdue_inspections_are_listed_as_of_a_day(service: InventoryService) -> None:
    receive(service, 5, lot="A1", expires_on="2024-07-10", occurred_at="2024-06-01T09:00:00+08:00")
    receive(service, 5, lot="A2", expires_on="2024-12-31", occurred_at="2024-06-01T09:00:00+08:00")
    soon = service.expiring_lots({"within_days": "30", "as_of": "2024-07-01T09:00:00+08:00"})["items"]
    assert [(lot["lot"], lot["days_left"]) for lot in soon] == [("A1", 9)]
    receive(service, 2, item="generators", occurred_at="2024-01-01T09:00:00+08:00")
    [overdue] = service.overdue_inspections({"as_of": "2024-07-01T09:00:00+08:00"})["items"]
    assert (overdue["item_id"], overdue["due_on"], overdue["days_overdue"]) == (
        "generators", "2024-03-31", 92)
    service.record_inspection({"warehouse_id": FLOOD, "item_id": "generators", "result": "serviceable",
                               "occurred_at": "2024-06-30T09:00:00+08:00"})
    assert service.overdue_inspections({"as_of": "2024-07-01T09:00:00+08:00"})["items"] == []


def test_a_suggested_issue_takes_the_first_expiring_unexpired_lots(service: InventoryService) -> None:
    receive(service, 5, lot="A1", expires_on="2024-06-30", occurred_at="2024-06-01T09:00:00+08:00")
    receive(service, 5, lot="A2", expires_on="2024-12-31", occurred_at="2024-06-01T09:00:00+08:00")
    receive(service, 5, lot="A3", expires_on="2024-09-30", occurred_at="2024-06-01T09:00:00+08:00")
    suggestion = service.suggest_issue(FLOOD, "life-jackets",
                                       {"quantity": "7", "as_of": "2024-07-01T09:00:00"})
    assert [(pick["lot"], pick["quantity"]) for pick in suggestion["lots"]] == [("A3", 5), ("A2", 2)]


def test_a_stocktake_variance_is_explained_by_the_movements_since_the_last_count(
    service: InventoryService,
) -> None:
    receive(service, 10)
    service.count_stock({"warehouse_id": FLOOD, "item_id": "life-jackets", "counted": 10})
    receive(service, 5)
    service.record_movement({"kind": "issue", "warehouse_id": FLOOD, "item_id": "life-jackets",
                             "quantity": 3, "destination": "Dongqiao"})
    service.count_stock({"warehouse_id": FLOOD, "item_id": "life-jackets", "counted": 11, "reason": "1 lost"})
    explanation = service.explain_stocktake(FLOOD, "life-jackets")
    assert (explanation["count"]["variance"], explanation["count"]["previous_count_version"]) == (-1, 2)
    assert [m["quantity"] for m in explanation["items"]] == [5, -3]
    assert service.list_stocktakes(FLOOD)["items"][-1]["counted"] == 11


def test_a_movement_is_corrected_by_a_reversal_never_an_edit(service: InventoryService) -> None:
    receive(service, 10)
    receive(service, 10, reference="typed twice")
    version = service.list_movements(FLOOD)["items"][-1]["version"]
    answer = service.reverse_movement({"warehouse_id": FLOOD, "item_id": "life-jackets", "version": version,
                                       "reason": "the same delivery typed twice"})
    assert answer["on_hand"] == 10
    assert [m["type"] for m in service.list_movements(FLOOD)["items"]] == [
        "StockReceived", "StockReceived", "MovementReversed"]


def test_what_can_be_on_site_within_hours_adds_callable_agreement_stock(service: InventoryService) -> None:
    receive(service, 3, item="excavators")
    service.register_agreement({
        "agreement_id": "construction-flood", "company": "8 companies", "contract_reference": "JA-1",
        "valid_from": "2021-01-01", "valid_until": "2099-12-31", "lead_time_hours": 4,
        "lines": [{"item_id": "excavators", "quantity": 45}]})
    service.request_call_off({"agreement_id": "construction-flood", "call_off_id": "c1",
                              "destination": "Dongqiao", "lines": [{"item_id": "excavators", "quantity": 5}]})

    def excavators(hours: int) -> dict[str, Any]:
        items = service.on_site_within({"within_hours": str(hours)})["items"]
        return next(item for item in items if item["item_id"] == "excavators")

    assert (excavators(2)["in_stock"], excavators(2)["total"]) == (3, 3)
    assert excavators(4)["total"] == 3 + 40
    service.close_call_off({"agreement_id": "construction-flood", "call_off_id": "c1"})
    assert excavators(4)["total"] == 3 + 45
    expired = service.on_site_within({"within_hours": "4", "as_of": "2100-01-01T00:00:00+08:00"})["items"]
    assert next(item for item in expired if item["item_id"] == "excavators")["total"] == 3
    service.renew_agreement({"agreement_id": "construction-flood", "valid_until": "2100-12-31"})
    renewed = service.on_site_within({"within_hours": "4", "as_of": "2100-01-01T00:00:00+08:00"})["items"]
    assert next(item for item in renewed if item["item_id"] == "excavators")["total"] == 3 + 45
    assert service.get_agreement("construction-flood")["valid_until"] == "2100-12-31"
    assert service.list_call_offs("construction-flood")["items"][0]["status"] == "closed"


CENSUS = "warehouse_id,item_id,quantity,lot,expires_on\n"


def test_a_census_import_receives_every_row_once_however_often_it_runs(
    service: InventoryService, app: Application
) -> None:
    text = CENSUS + "".join(f"{FLOOD},life-jackets,{n},L{n},2030-01-01\n" for n in range(1, 31))
    staged = service.import_stock({"csv": text, "occurred_at": "2024-06-30T18:00:00+08:00"})
    assert (staged["status"], staged["total_rows"]) == ("running", 30)
    assert service.get_import(staged["import_id"])["imported"] == 0
    import_flow.run(app, staged["import_id"])
    import_flow.run(app, staged["import_id"])
    assert service.import_stock({"csv": text}) == {**staged, "status": "completed"}
    progress = service.get_import(staged["import_id"])
    assert (progress["status"], progress["imported"], progress["failed"]) == ("completed", 30, [])
    assert line(service, FLOOD)["on_hand"] == sum(range(1, 31))
    assert service.list_movements(FLOOD)["items"][0]["occurred_at"] == "2024-06-30T10:00:00+00:00"


class StopAfter:
    """A stop signal that trips after `calls` checks: the import is cut off part-way."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def is_set(self) -> bool:
        self.calls -= 1
        return self.calls < 0


def test_an_import_cut_off_part_way_resumes_without_receiving_a_row_twice(
    service: InventoryService, app: Application
) -> None:
    text = CENSUS + "".join(f"{FLOOD},life-jackets,{n},L{n},2030-01-01\n" for n in range(1, 11))
    staged = service.import_stock({"csv": text})
    import_flow.run(app, staged["import_id"], StopAfter(4))  # type: ignore[arg-type]
    progress = service.get_import(staged["import_id"])
    assert (progress["status"], progress["imported"]) == ("running", 4)
    assert import_flow.running(app) == [staged["import_id"]]
    import_flow.run(app, staged["import_id"])
    assert service.get_import(staged["import_id"])["imported"] == 10
    assert line(service, FLOOD)["on_hand"] == sum(range(1, 11))


def test_a_census_with_a_bad_row_imports_nothing_and_lists_every_reason(
    service: InventoryService, app: Application
) -> None:
    text = CENSUS + f"{FLOOD},life-jackets,5,,\n{FLOOD},ropes,5,,\n{MAYAN},life-jackets,-1,,\n"
    with pytest.raises(InvalidCommand) as raised:
        service.import_stock({"csv": text, "import_id": "census-bad"})
    assert (raised.value.code, raised.value.field) == ("import_rejected", "csv")
    assert raised.value.message.startswith("2 of 3 rows rejected, nothing was imported: line 3 item_id")
    report = service.get_import("census-bad")
    assert [(row["line"], row["field"]) for row in report["rejected"]] == [(3, "item_id"), (4, "quantity")]
    import_flow.run(app, "census-bad")
    assert line(service, FLOOD)["on_hand"] == 0


def test_a_row_refused_when_received_is_reported_as_failed_and_the_rest_imported(
    service: InventoryService, app: Application
) -> None:
    text = CENSUS + f"{FLOOD},life-jackets,5,,\n{MAYAN},life-jackets,5,,\n"
    staged = service.import_stock({"csv": text})
    service.close_warehouse({"warehouse_id": MAYAN, "reason": "flooded"})
    import_flow.run(app, staged["import_id"])
    report = service.get_import(staged["import_id"])
    assert (report["status"], report["imported"]) == ("completed", 1)
    assert [(row["line"], row["field"]) for row in report["failed"]] == [(3, "warehouse_id")]


def test_current_stock_exports_as_csv_with_formula_like_text_quoted(service: InventoryService) -> None:
    service.register_item({"item_id": "tarps", "name": "tarps", "name_zh": "=HYPERLINK(1)", "unit": "张",
                           "category_code": "1999999"})
    receive(service, 7, item="tarps")
    receive(service, 3)
    export = service.export_stock()
    rows = list(csv.DictReader(io.StringIO(export["csv"])))
    assert export["rows"] == 2 and export["filename"] == "stock.csv"
    assert [(r["item_id"], r["on_hand"], r["available"]) for r in rows] == [("life-jackets", "3", "3"),
                                                                           ("tarps", "7", "7")]
    assert rows[1]["item_name_zh"] == "'=HYPERLINK(1)"
    with pytest.raises(InvalidCommand):
        service.export_stock({"colour": "red"})


def test_reads_of_unknown_things_are_not_found_naming_the_field(service: InventoryService) -> None:
    calls: tuple[tuple[Callable[[], object], str], ...] = (
                        (lambda: service.get_stock("nowhere"), "warehouse_id"),
                        (lambda: service.get_stock_line(FLOOD, "nothing"), "item_id"),
                        (lambda: service.get_item_stock("nothing"), "item_id"),
                        (lambda: service.get_transfer("t9"), "transfer_id"),
                        (lambda: service.get_agreement("a9"), "agreement_id"),
                        (lambda: service.get_import("i9"), "import_id"),
                        (lambda: service.explain_stocktake(FLOOD, "life-jackets"), "version"))
    for call, field in calls:
        with pytest.raises(NotFound) as raised:
            call()
        assert raised.value.field == field


def test_a_read_on_another_replica_sees_a_write_made_on_the_first(service: InventoryService,
                                                                  app: Application) -> None:
    other = Application(InMemoryEventStore(app.store.shared),  # type: ignore[attr-defined]
                        ProjectionRunner(InMemoryEventStore(app.store.shared),  # type: ignore[attr-defined]
                                         ViewStore(":memory:"), PROJECTIONS))
    replica: InventoryService = worker_factory(InventoryService, es=other)
    receive(service, 12)
    assert replica.get_stock_line(FLOOD, "life-jackets")["on_hand"] == 12
