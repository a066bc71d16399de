"""Given/when/then for items, warehouses, transfers and agreement reserves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.inventory.domain import agreements, items, transfers, warehouses
from services.inventory.domain.agreements import (
    AgreementFacts,
    AgreementRegistered,
    AgreementRenewed,
    CallOffClosed,
    CallOffDelivered,
    CallOffRequested,
    CloseCallOff,
    ItemQuantity,
    RecordCallOffDelivery,
    RegisterAgreement,
    RenewAgreement,
    RequestCallOff,
)
from services.inventory.domain.items import ItemRegistered, RegisterItem
from services.inventory.domain.transfers import ReceiveTransfer, RecordDispatch, TransferDispatched
from services.inventory.domain.warehouses import CloseWarehouse, RegisterWarehouse, Warehouse, WarehouseClosed
from shared.decider import Event, parse
from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.inventory_factories import CLOSED, OPEN, lot

IN_2024 = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)


def register_item(**overrides: Any) -> RegisterItem:
    fields = {"item_id": "generators", "name": "generators", "name_zh": "发电机", "unit": "台",
              "category_code": "2999999", "inspection_interval_days": 90}
    return parse(RegisterItem, fields | overrides)


def test_an_item_is_registered_with_its_shelf_life_and_inspection_interval() -> None:
    [event] = items.decide(register_item(shelf_life_days=730), items.Item())
    assert isinstance(event, ItemRegistered)
    state = items.items.fold([event])
    assert (state.unit, state.shelf_life_days, state.inspection_interval_days) == ("台", 730, 90)


def test_an_item_registered_twice_is_a_conflict() -> None:
    state = items.items.fold(items.decide(register_item(), items.Item()))
    with pytest.raises(Conflict) as raised:
        items.decide(register_item(), state)
    assert raised.value.code == "already_registered"


@pytest.mark.parametrize(("field", "value"), [("category_code", "4999999"), ("category_code", "2009999"),
                                              ("shelf_life_days", 0), ("inspection_interval_days", "90")])
def test_an_item_with_a_bad_code_or_period_is_rejected_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        register_item(**{field: value})
    assert raised.value.field == field


def register_warehouse(**overrides: Any) -> RegisterWarehouse:
    fields = {"warehouse_id": "mayan-depot", "name": "Mayan depot", "name_zh": "马岗防汛物资库",
              "kind": "township", "township": "Mayan", "latitude": 31.71, "longitude": 116.45,
              "area_m2": 60.0, "keeper": "Keeper Wang"}
    return parse(RegisterWarehouse, fields | overrides)


def test_a_warehouse_is_registered_open_and_can_be_closed_once() -> None:
    [registered] = warehouses.decide(register_warehouse(), Warehouse())
    close = parse(CloseWarehouse, {"warehouse_id": "mayan-depot", "reason": "merged into the district store"})
    [closed] = warehouses.decide(close, warehouses.warehouses.fold([registered]))
    assert isinstance(closed, WarehouseClosed)
    assert warehouses.warehouses.fold([registered, closed]) == CLOSED
    with pytest.raises(Conflict) as raised:
        warehouses.decide(close, CLOSED)
    assert raised.value.code == "warehouse_closed"


def test_closing_an_unknown_warehouse_is_not_found() -> None:
    with pytest.raises(NotFound):
        warehouses.decide(parse(CloseWarehouse, {"warehouse_id": "nowhere", "reason": "x"}), Warehouse())


@pytest.mark.parametrize(("field", "value"), [("latitude", 91.0), ("longitude", "116"), ("kind", "agreement"),
                                              ("area_m2", 0.0)])
def test_a_warehouse_with_bad_coordinates_or_level_is_rejected(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        register_warehouse(**{field: value})
    assert raised.value.field == field


# transfers

def record(**overrides: Any) -> RecordDispatch:
    fields = {"transfer_id": "t1", "from_warehouse_id": "flood-reserve", "to_warehouse_id": "mayan-depot",
              "item_id": "woven-sandbags", "quantity": 100, "lots": (lot("a", 60), lot("b", 40))}
    return RecordDispatch(**(fields | overrides))


def dispatched_transfer() -> transfers.Transfer:
    return transfers.transfers.fold(transfers.decide(record(), transfers.Transfer(), None))


def receive(**overrides: Any) -> ReceiveTransfer:
    return parse(ReceiveTransfer, {"transfer_id": "t1", "warehouse_id": "mayan-depot", "received": 98}
                 | overrides)


def test_a_received_transfer_records_the_discrepancy_and_which_lots_fell_short() -> None:
    [event] = transfers.decide(receive(), dispatched_transfer(), OPEN)
    assert isinstance(event, transfers.TransferReceived)
    assert (event.dispatched, event.received, event.discrepancy) == (100, 98, -2)
    assert event.lots == [lot("a", 60), lot("b", 38)]


def test_a_surplus_on_receipt_goes_to_the_last_lot() -> None:
    [event] = transfers.decide(receive(received=103), dispatched_transfer(), OPEN)
    assert isinstance(event, transfers.TransferReceived)
    assert (event.discrepancy, event.lots) == (3, [lot("a", 60), lot("b", 43)])


@pytest.mark.parametrize(("state", "command", "destination", "error", "code"), [
    (transfers.Transfer(), receive(), OPEN, NotFound, "not_found"),
    (None, receive(warehouse_id="flood-reserve"), OPEN, Conflict, "wrong_warehouse"),
    (None, receive(), CLOSED, Conflict, "warehouse_closed"),
])
def test_a_transfer_is_received_only_once_and_only_where_it_goes(
    state: transfers.Transfer | None, command: ReceiveTransfer, destination: Warehouse,
    error: type[Exception], code: str,
) -> None:
    with pytest.raises(error) as raised:
        transfers.decide(command, state or dispatched_transfer(), destination)
    assert getattr(raised.value, "code", None) == code


def test_a_transfer_received_twice_is_a_conflict_that_says_how_much_arrived() -> None:
    state = dispatched_transfer()
    received = transfers.transfers.fold(transfers.decide(receive(), state, OPEN), state)
    with pytest.raises(Conflict) as raised:
        transfers.decide(receive(), received, OPEN)
    assert raised.value.code == "already_received" and "98 of 100" in raised.value.message


def test_a_transfer_id_is_dispatched_once() -> None:
    with pytest.raises(Conflict) as raised:
        transfers.decide(record(), dispatched_transfer(), None)
    assert raised.value.code == "transfer_exists"
    assert isinstance(dispatched_transfer().dispatched, TransferDispatched)


# agreements

def register_agreement(**overrides: Any) -> RegisterAgreement:
    fields = {"agreement_id": "construction-flood", "company": "8 construction companies",
              "contract_reference": "JA-2021-07", "valid_from": "2021-01-01", "valid_until": "2025-12-31",
              "lead_time_hours": 4, "people": 310,
              "lines": [{"item_id": "excavators", "quantity": 45}, {"item_id": "bulldozers", "quantity": 8}]}
    return parse(RegisterAgreement, fields | overrides)


CATALOGUE = AgreementFacts(as_of=IN_2024, catalogue=frozenset({"excavators", "bulldozers"}))


def agreement(*more: Event) -> agreements.Agreement:
    return agreements.agreements.fold([*agreements.decide(register_agreement(), agreements.Agreement(),
                                                          CATALOGUE), *more])


def call_off(**overrides: Any) -> RequestCallOff:
    fields = {"agreement_id": "construction-flood", "call_off_id": "c1", "destination": "Dongqiao embankment",
              "incident_id": "flood-0701", "lines": [{"item_id": "excavators", "quantity": 30}]}
    return parse(RequestCallOff, fields | overrides)


def requested(quantity: int = 30, call_off_id: str = "c1") -> CallOffRequested:
    return CallOffRequested(agreement_id="construction-flood", call_off_id=call_off_id,
                            lines=[ItemQuantity(item_id="excavators", quantity=quantity)],
                            destination="Dongqiao embankment", incident_id="flood-0701", note=None)


def test_an_agreement_is_registered_with_its_contracted_quantities() -> None:
    [event] = agreements.decide(register_agreement(), agreements.Agreement(), CATALOGUE)
    assert isinstance(event, AgreementRegistered)
    assert agreement().contracted == {"excavators": 45, "bulldozers": 8}


@pytest.mark.parametrize(("overrides", "error", "field"), [
    ({"valid_until": "2020-12-31"}, InvalidCommand, "valid_until"),
    ({"lines": [{"item_id": "cranes", "quantity": 2}]}, NotFound, "lines.0.item_id"),
])
def test_an_agreement_that_ends_before_it_starts_or_names_unknown_items_is_rejected(
    overrides: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised:
        agreements.decide(register_agreement(**overrides), agreements.Agreement(), CATALOGUE)
    assert getattr(raised.value, "field", None) == field


def test_an_agreement_naming_an_item_twice_is_invalid() -> None:
    with pytest.raises(InvalidCommand) as raised:
        register_agreement(lines=[{"item_id": "excavators", "quantity": 1}] * 2)
    assert raised.value.field == "lines"


def test_a_call_off_within_validity_counts_against_what_can_still_be_called() -> None:
    [event] = agreements.decide(call_off(), agreement(), CATALOGUE)
    assert event == requested()
    assert agreement(event).callable("excavators") == 15


def test_calling_off_more_than_is_left_is_rejected_naming_what_is_left() -> None:
    with pytest.raises(Conflict) as raised:
        agreements.decide(call_off(call_off_id="c2", lines=[{"item_id": "excavators", "quantity": 16}]),
                          agreement(requested()), CATALOGUE)
    assert raised.value.code == "insufficient_stock"
    assert raised.value.field == "lines.0.quantity"
    assert "only 15 of excavators" in raised.value.message


@pytest.mark.parametrize("moment", [datetime(2020, 12, 31, 15, 59, tzinfo=UTC),
                                    datetime(2025, 12, 31, 16, 0, tzinfo=UTC)])
def test_a_call_off_outside_the_validity_in_china_is_rejected(moment: datetime) -> None:
    with pytest.raises(Conflict) as raised:
        agreements.decide(call_off(), agreement(), AgreementFacts(as_of=moment))
    assert raised.value.code == "agreement_not_valid"


def test_a_call_off_for_an_item_not_contracted_is_rejected() -> None:
    with pytest.raises(Conflict) as raised:
        agreements.decide(call_off(lines=[{"item_id": "loaders", "quantity": 1}]), agreement(), CATALOGUE)
    assert raised.value.code == "not_contracted"


def test_deliveries_are_recorded_up_to_what_was_requested_and_closing_frees_the_capacity() -> None:
    deliver = parse(RecordCallOffDelivery, {"agreement_id": "construction-flood", "call_off_id": "c1",
                                            "lines": [{"item_id": "excavators", "quantity": 20}]})
    [delivered] = agreements.decide(deliver, agreement(requested()), CATALOGUE)
    assert isinstance(delivered, CallOffDelivered)
    state = agreement(requested(), delivered)
    assert state.open_call_offs["c1"].delivered == {"excavators": 20}
    with pytest.raises(Conflict) as raised:
        agreements.decide(deliver, state, CATALOGUE)
    assert raised.value.code == "more_than_requested"
    close = parse(CloseCallOff, {"agreement_id": "construction-flood", "call_off_id": "c1", "reason": "back"})
    [closed] = agreements.decide(close, state, CATALOGUE)
    assert isinstance(closed, CallOffClosed)
    after = agreement(requested(), delivered, closed)
    assert after.callable("excavators") == 45
    with pytest.raises(NotFound) as missing:
        agreements.decide(close, after, CATALOGUE)
    assert "closed" in missing.value.message


def test_an_expired_agreement_is_renewed_to_a_later_end_and_can_be_called_off_again() -> None:
    renew = parse(RenewAgreement, {"agreement_id": "construction-flood", "valid_until": "2028-12-31",
                                   "contract_reference": "JA-2026-01"})
    in_2026 = AgreementFacts(as_of=datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(Conflict):
        agreements.decide(call_off(), agreement(), in_2026)
    [renewed] = agreements.decide(renew, agreement(), in_2026)
    assert isinstance(renewed, AgreementRenewed)
    assert agreements.decide(call_off(), agreement(renewed), in_2026) == [requested()]
    shorter = parse(RenewAgreement, {"agreement_id": "construction-flood", "valid_until": "2025-12-31"})
    with pytest.raises(InvalidCommand) as raised:
        agreements.decide(shorter, agreement(), in_2026)
    assert raised.value.field == "valid_until"


def test_a_closed_call_off_id_cannot_be_used_again() -> None:
    closed = CallOffClosed(agreement_id="construction-flood", call_off_id="c1", reason=None)
    with pytest.raises(Conflict) as raised:
        agreements.decide(call_off(), agreement(requested(), closed), CATALOGUE)
    assert raised.value.code == "call_off_exists"


def test_a_call_off_on_an_unknown_agreement_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        agreements.decide(call_off(), agreements.Agreement(), CATALOGUE)
    assert raised.value.field == "agreement_id"
    assert date(2021, 1, 1) == agreement().valid_from
