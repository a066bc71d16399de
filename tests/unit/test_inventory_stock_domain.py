"""Given events, when a command, then events (or a rejection naming the field) for a stock line."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from services.inventory.domain.items import Item
from services.inventory.domain.stock import (
    InspectionRecorded,
    MinimumLevelSet,
    MovementReversed,
    ReservationReleased,
    StockCounted,
    StockIssued,
    StockReceived,
    StockTransferredIn,
    StockWrittenOff,
    TransferOutCancelled,
    TransitClosed,
)
from services.inventory.domain.stock_commands import (
    CancelTransferOut,
    CloseTransit,
    CountStock,
    DispatchTransfer,
    IssueStock,
    ReceiveStock,
    ReceiveTransferredStock,
    Recorded,
    RecordInspection,
    ReleaseReservation,
    ReserveStock,
    ReverseMovement,
    SetMinimumLevel,
    WriteOffStock,
)
from services.inventory.domain.warehouses import Warehouse
from shared.errors import AnbeiError, Conflict, InvalidCommand, NotFound
from tests.unit.inventory_factories import (
    CATALOGUED,
    CLOSED,
    NOW,
    OPEN,
    command,
    decide,
    dispatched,
    given,
    issued,
    line,
    lot,
    received,
    reserved,
)

SOON, LATER = date(2024, 9, 1), date(2025, 6, 1)
EXPIRED = date(2024, 6, 30)  # the day before NOW in China


def rejected(cmd: Any, state: Any, error: type[AnbeiError], **facts: Any) -> AnbeiError:
    with pytest.raises(error) as raised:
        decide(cmd, state, **facts)
    return raised.value


# receipts

def test_a_receipt_without_lot_or_expiry_goes_to_the_unlotted_pool() -> None:
    [event] = decide(command(ReceiveStock, quantity=200, reference="PO 17"), given())
    assert event == StockReceived(**line(quantity=200, source="purchase", reference="PO 17", note=None,
                                         lot="", expires_on=None))


def test_a_receipt_with_an_expiry_but_no_lot_number_gets_a_lot_named_by_its_expiry() -> None:
    [event] = decide(command(ReceiveStock, quantity=5, expires_on="2025-06-01"), given())
    assert isinstance(event, StockReceived)
    assert (event.lot, event.expires_on) == ("exp:2025-06-01", LATER)


def test_a_receipt_of_an_item_with_a_shelf_life_dates_its_lot_from_the_production_date() -> None:
    item = Item(registered=True, unit="箱", shelf_life_days=365)
    [event] = decide(command(ReceiveStock, quantity=5, lot="B7", produced_on="2024-06-01"), given(),
                     item=item)
    assert isinstance(event, StockReceived)
    assert (event.lot, event.expires_on) == ("B7", date(2025, 6, 1))


def test_a_receipt_of_an_item_with_a_shelf_life_must_say_when_it_expires() -> None:
    item = Item(registered=True, unit="箱", shelf_life_days=365)
    error = rejected(command(ReceiveStock, quantity=5), given(), InvalidCommand, item=item)
    assert error.field == "expires_on"


def test_a_receipt_into_a_closed_warehouse_is_rejected() -> None:
    error = rejected(command(ReceiveStock, quantity=5), given(), Conflict, warehouse=CLOSED)
    assert (error.code, error.field) == ("warehouse_closed", "warehouse_id")


@pytest.mark.parametrize(("facts", "field"), [({"warehouse": Warehouse()}, "warehouse_id"),
                                             ({"item": Item()}, "item_id")])
def test_a_receipt_for_an_unknown_warehouse_or_item_is_not_found(facts: dict[str, Any], field: str) -> None:
    assert rejected(command(ReceiveStock, quantity=5), given(), NotFound, **facts).field == field


def test_a_receipt_into_an_existing_lot_with_another_expiry_is_rejected() -> None:
    state = given(received(10, "B7", SOON))
    error = rejected(command(ReceiveStock, quantity=5, lot="B7", expires_on="2025-06-01"), state, Conflict)
    assert (error.code, error.field) == ("lot_expiry_mismatch", "expires_on")


@pytest.mark.parametrize("quantity", [0, -5, True, "5", 2.0, 10**10])
def test_a_quantity_must_be_a_positive_whole_number(quantity: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        command(ReceiveStock, quantity=quantity)
    assert raised.value.field == "quantity"


# issues

def test_an_issue_takes_the_first_expiring_lots_first_and_unexpiring_stock_last() -> None:
    state = given(received(10), received(4, "late", LATER), received(3, "soon", SOON))
    [event] = decide(command(IssueStock, quantity=9, destination="Dongqiao"), state)
    assert isinstance(event, StockIssued)
    assert event.lots == [lot("soon", 3, SOON), lot("late", 4, LATER), lot("", 2)]


def test_an_issue_never_takes_an_expired_lot() -> None:
    state = given(received(5, "old", EXPIRED), received(5, "new", LATER))
    [event] = decide(command(IssueStock, quantity=5, destination="Dongqiao"), state)
    assert isinstance(event, StockIssued)
    assert event.lots == [lot("new", 5, LATER)]
    error = rejected(command(IssueStock, quantity=6, destination="Dongqiao"), state, Conflict)
    assert error.code == "insufficient_stock"
    assert "only 5 available (10 on hand, 0 reserved, 5 in expired lots)" in error.message


def test_a_lot_is_usable_to_the_end_of_its_expiry_day_in_china() -> None:
    state = given(received(5, "today", date(2024, 7, 1)))
    assert decide(command(IssueStock, quantity=5, destination="Dongqiao"), state)


def test_issuing_more_than_is_available_is_rejected_naming_what_is_available() -> None:
    state = given(received(8), reserved("r1", 3))
    error = rejected(command(IssueStock, quantity=6, destination="Chengbei"), state, Conflict)
    assert (error.code, error.field) == ("insufficient_stock", "quantity")
    assert error.message == ("cannot issue 6 of life-jackets in flood-reserve: only 5 available "
                             "(8 on hand, 3 reserved, 0 in expired lots)")


def test_an_issue_against_a_reservation_uses_the_reserved_stock_and_names_its_incident() -> None:
    state = given(received(8), reserved("r1", 8, "flood-0701"))
    [event] = decide(command(IssueStock, quantity=6, destination="Dongqiao", reservation_id="r1"), state)
    assert isinstance(event, StockIssued)
    assert (event.reservation_id, event.incident_id) == ("r1", "flood-0701")
    after = given(received(8), reserved("r1", 8, "flood-0701"), event)
    assert (after.on_hand, after.reserved, after.available) == (2, 2, 0)


def test_an_issue_against_an_unknown_reservation_is_not_found() -> None:
    error = rejected(command(IssueStock, quantity=1, destination="x", reservation_id="r9"),
                     given(received(8)), NotFound)
    assert error.field == "reservation_id"


def test_an_issue_against_a_reservation_cannot_take_more_than_it_holds() -> None:
    state = given(received(8), reserved("r1", 3))
    error = rejected(command(IssueStock, quantity=4, destination="x", reservation_id="r1"), state, Conflict)
    assert (error.code, error.field) == ("insufficient_reserved", "quantity")


def test_an_issue_from_chosen_lots_takes_exactly_those() -> None:
    state = given(received(5, "a", SOON), received(5, "b", LATER))
    [event] = decide(command(IssueStock, quantity=3, destination="x", lots=[{"lot": "b", "quantity": 3}]),
                     state)
    assert isinstance(event, StockIssued)
    assert event.lots == [lot("b", 3, LATER)]


@pytest.mark.parametrize(("picks", "error", "code", "field"), [
    ([{"lot": "old", "quantity": 2}], Conflict, "lot_expired", "lots.0.lot"),
    ([{"lot": "nope", "quantity": 2}], Conflict, "unknown_lot", "lots.0.lot"),
    ([{"lot": "new", "quantity": 1}], InvalidCommand, "invalid", "lots"),
    ([{"lot": "new", "quantity": 1}, {"lot": "new", "quantity": 1}], InvalidCommand, "invalid", "lots"),
])
def test_a_bad_choice_of_lots_is_rejected(picks: list[dict[str, Any]], error: type[AnbeiError], code: str,
                                          field: str) -> None:
    state = given(received(5, "old", EXPIRED), received(5, "new", LATER))
    raised = rejected(command(IssueStock, quantity=2, destination="x", lots=picks), state, error)
    assert (raised.code, raised.field) == (code, field)


def test_a_chosen_lot_cannot_give_more_than_it_holds() -> None:
    state = given(received(1, "a", LATER), received(5, "b", LATER))
    raised = rejected(command(IssueStock, quantity=2, destination="x", lots=[{"lot": "a", "quantity": 2}]),
                      state, Conflict)
    assert (raised.code, raised.field) == ("insufficient_stock", "lots.0.quantity")


def test_a_closed_warehouse_can_still_issue_what_it_holds() -> None:
    assert decide(command(IssueStock, quantity=2, destination="x"), given(received(2)), warehouse=CLOSED)


# reservations

def test_a_reservation_holds_stock_on_hand_but_not_available() -> None:
    [event] = decide(command(ReserveStock, reservation_id="r1", quantity=3, incident_id="flood-0701"),
                     given(received(8)))
    assert event == reserved("r1", 3)
    after = given(received(8), event)
    assert (after.on_hand, after.reserved, after.available) == (8, 3, 5)


def test_reserving_more_than_is_available_is_rejected_naming_what_is_available() -> None:
    state = given(received(8), received(2, "old", EXPIRED), reserved("r1", 3))
    error = rejected(command(ReserveStock, reservation_id="r2", quantity=6), state, Conflict)
    assert error.code == "insufficient_stock"
    assert "only 5 available (10 on hand, 3 reserved, 2 in expired lots)" in error.message


def test_a_reservation_id_that_is_open_cannot_be_reserved_again() -> None:
    error = rejected(command(ReserveStock, reservation_id="r1", quantity=1),
                     given(received(8), reserved("r1", 3)), Conflict)
    assert (error.code, error.field) == ("reservation_exists", "reservation_id")


def test_releasing_a_reservation_gives_back_all_that_is_left_or_a_part() -> None:
    state = given(received(8), reserved("r1", 3))
    [whole] = decide(command(ReleaseReservation, reservation_id="r1"), state)
    [part] = decide(command(ReleaseReservation, reservation_id="r1", quantity=2, reason="fewer boats"), state)
    assert isinstance(whole, ReservationReleased) and isinstance(part, ReservationReleased)
    assert (whole.quantity, part.quantity) == (3, 2)
    assert given(received(8), reserved("r1", 3), part).reservations["r1"].quantity == 1
    assert "r1" not in given(received(8), reserved("r1", 3), whole).reservations


def test_releasing_an_unknown_reservation_or_more_than_it_holds_is_rejected() -> None:
    state = given(received(8), reserved("r1", 3))
    unknown = rejected(command(ReleaseReservation, reservation_id="r2"), state, NotFound)
    assert unknown.field == "reservation_id"
    too_much = rejected(command(ReleaseReservation, reservation_id="r1", quantity=4), state, Conflict)
    assert too_much.code == "insufficient_reserved"


# write-offs and counts

def test_a_write_off_takes_expired_lots_first() -> None:
    state = given(received(5, "new", LATER), received(3, "old", EXPIRED))
    [event] = decide(command(WriteOffStock, quantity=4, reason="expired"), state)
    assert isinstance(event, StockWrittenOff)
    assert event.lots == [lot("old", 3, EXPIRED), lot("new", 1, LATER)]


def test_reserved_stock_cannot_be_written_off() -> None:
    error = rejected(command(WriteOffStock, quantity=6, reason="damaged"),
                     given(received(8), reserved("r1", 3)), Conflict)
    assert error.code == "insufficient_stock"


def test_a_count_that_differs_records_the_adjustment_and_its_reason() -> None:
    state = given(received(10, "a", SOON), received(5))
    [event] = decide(command(CountStock, counted=12, reason="3 found wet and thrown away"), state)
    assert event == StockCounted(**line(counted=12, expected=15, variance=-3,
                                        reason="3 found wet and thrown away", lots=[lot("a", 3, SOON)],
                                        previous_count_version=0))
    assert given(received(10, "a", SOON), received(5), event).on_hand == 12


def test_a_count_above_the_record_puts_the_surplus_in_the_unlotted_pool() -> None:
    [event] = decide(command(CountStock, counted=12, reason="a pallet was missed"), given(received(10)))
    assert isinstance(event, StockCounted)
    assert (event.variance, event.lots) == (2, [lot("", 2)])


def test_a_count_that_differs_needs_a_reason_and_one_that_agrees_does_not() -> None:
    state = given(received(10))
    assert rejected(command(CountStock, counted=9), state, InvalidCommand).field == "reason"
    [event] = decide(command(CountStock, counted=10), state)
    assert isinstance(event, StockCounted) and event.variance == 0


def test_a_count_below_what_is_reserved_is_rejected_naming_the_reservations() -> None:
    error = rejected(command(CountStock, counted=2, reason="missing"), given(received(8), reserved("r1", 3)),
                     Conflict)
    assert (error.code, error.field) == ("count_below_reserved", "counted")
    assert "r1" in error.message


def test_a_count_remembers_the_version_of_the_count_before_it() -> None:
    history: list[Any] = [received(10)]
    [first] = decide(command(CountStock, counted=10), given(*history))
    history += [first, issued(2, [lot("", 2)])]
    [second] = decide(command(CountStock, counted=8), given(*history))
    assert isinstance(second, StockCounted) and second.previous_count_version == 2


# transfers

def test_a_dispatch_takes_stock_off_available_and_counts_it_in_transit() -> None:
    state = given(received(10))
    [event] = decide(command(DispatchTransfer, transfer_id="t1", to_warehouse_id="mayan-depot", quantity=4),
                     state, destination=OPEN)
    assert event == dispatched("t1", 4, [lot("", 4)])
    after = given(received(10), event)
    assert (after.on_hand, after.available, after.in_transit_total) == (6, 6, 4)


def test_a_transfer_to_the_same_warehouse_is_rejected() -> None:
    cmd = command(DispatchTransfer, transfer_id="t1", to_warehouse_id="flood-reserve", quantity=1)
    assert rejected(cmd, given(received(10)), InvalidCommand, destination=OPEN).field == "to_warehouse_id"


@pytest.mark.parametrize(("destination", "error", "code"), [
    (None, NotFound, "not_found"), (Warehouse(), NotFound, "not_found"),
    (CLOSED, Conflict, "warehouse_closed"),
])
def test_a_transfer_needs_a_registered_open_destination(destination: Warehouse | None,
                                                        error: type[AnbeiError], code: str) -> None:
    cmd = command(DispatchTransfer, transfer_id="t1", to_warehouse_id="mayan-depot", quantity=1)
    raised = rejected(cmd, given(received(10)), error, destination=destination)
    assert (raised.code, raised.field) == (code, "to_warehouse_id")


def test_a_transfer_id_already_used_is_rejected() -> None:
    cmd = command(DispatchTransfer, transfer_id="t1", to_warehouse_id="mayan-depot", quantity=1)
    error = rejected(cmd, given(received(10)), Conflict, destination=OPEN, transfer_taken=True)
    assert (error.code, error.field) == ("transfer_exists", "transfer_id")


def test_dispatching_more_than_is_available_is_rejected() -> None:
    cmd = command(DispatchTransfer, transfer_id="t1", to_warehouse_id="mayan-depot", quantity=9)
    error = rejected(cmd, given(received(10), reserved("r1", 2)), Conflict, destination=OPEN)
    assert error.code == "insufficient_stock" and "only 8 available" in error.message


def test_transferred_stock_arrives_once_with_its_lots() -> None:
    cmd = command(ReceiveTransferredStock, transfer_id="t1", from_warehouse_id="mayan-depot", quantity=3,
                  lots=[{"lot": "a", "quantity": 3, "expires_on": "2024-09-01"}])
    [event] = decide(cmd, given())
    assert isinstance(event, StockTransferredIn)
    assert given(event).lots["a"].expires_on == SOON
    assert decide(cmd, given(event)) == []
    assert decide(command(ReceiveTransferredStock, transfer_id="t2", from_warehouse_id="mayan-depot",
                          quantity=0, lots=[]), given()) == []


def test_closing_a_transit_records_the_discrepancy_once() -> None:
    state = given(received(10), dispatched("t1", 4, [lot("", 4)]))
    [event] = decide(command(CloseTransit, transfer_id="t1", received=2), state)
    assert event == TransitClosed(**line(transfer_id="t1", dispatched=4, received=2, discrepancy=-2))
    assert given(received(10), dispatched("t1", 4, [lot("", 4)]), event).in_transit_total == 0
    assert decide(command(CloseTransit, transfer_id="t1", received=2),
                  given(received(10), dispatched("t1", 4, [lot("", 4)]), event)) == []


def test_a_cancelled_dispatch_puts_the_goods_back_in_their_lots() -> None:
    state = given(received(10, "a", SOON), dispatched("t1", 4, [lot("a", 4, SOON)]))
    [event] = decide(command(CancelTransferOut, transfer_id="t1", reason="id taken"), state)
    assert isinstance(event, TransferOutCancelled)
    after = given(received(10, "a", SOON), dispatched("t1", 4, [lot("a", 4, SOON)]), event)
    assert (after.on_hand, after.lots["a"].quantity, after.in_transit_total) == (10, 10, 0)


# minimum levels and inspections

def test_a_minimum_level_and_an_inspection_are_recorded() -> None:
    assert decide(command(SetMinimumLevel, minimum=2253), given()) == [MinimumLevelSet(**line(minimum=2253))]
    [inspection] = decide(command(RecordInspection, result="needs_repair", units_inspected=11,
                                  inspector="Keeper Li", note="2 starters worn"), given(received(11)))
    assert isinstance(inspection, InspectionRecorded) and inspection.result == "needs_repair"


def test_a_minimum_level_for_an_item_not_in_the_catalogue_is_not_found() -> None:
    assert rejected(command(SetMinimumLevel, minimum=1), given(), NotFound, item=Item()).field == "item_id"


# reversals

def reversal(version: int, state_events: list[Any]) -> tuple[Any, Any]:
    state = given(*state_events)
    return command(ReverseMovement, version=version, reason="typed twice"), state


def test_a_receipt_is_reversed_by_a_new_event_that_takes_it_back() -> None:
    events = [received(10), received(5, "b", LATER)]
    cmd, state = reversal(2, events)
    [event] = decide(cmd, state, reversing=Recorded(2, events[1]))
    assert event == MovementReversed(**line(reversed_version=2, reversed_type="StockReceived", quantity=-5,
                                            lots=[lot("b", 5, LATER)], reason="typed twice"))
    assert given(*events, event).on_hand == 10


def test_an_issue_is_reversed_by_putting_its_lots_back() -> None:
    events: list[Any] = [received(10, "a", SOON), issued(4, [lot("a", 4, SOON)])]
    cmd, state = reversal(2, events)
    [event] = decide(cmd, state, reversing=Recorded(2, events[1]))
    assert given(*events, event).lots["a"].quantity == 10


def test_a_movement_is_reversed_only_once() -> None:
    events: list[Any] = [received(10), received(5)]
    cmd, state = reversal(2, events)
    [event] = decide(cmd, state, reversing=Recorded(2, events[1]))
    error = rejected(cmd, given(*events, event), Conflict, reversing=Recorded(2, events[1]))
    assert (error.code, error.field) == ("already_reversed", "version")


def test_only_receipts_issues_and_write_offs_can_be_reversed() -> None:
    events: list[Any] = [received(10), reserved("r1", 2)]
    cmd, state = reversal(2, events)
    error = rejected(cmd, state, Conflict, reversing=Recorded(2, events[1]))
    assert error.code == "not_reversible"


def test_reversing_an_unknown_version_is_not_found() -> None:
    cmd, state = reversal(7, [received(10)])
    assert rejected(cmd, state, NotFound).field == "version"


def test_a_receipt_whose_stock_has_left_cannot_be_reversed() -> None:
    events: list[Any] = [received(10, "a", SOON), issued(8, [lot("a", 8, SOON)])]
    cmd, state = reversal(1, events)
    error = rejected(cmd, state, Conflict, reversing=Recorded(1, events[0]))
    assert error.code == "insufficient_stock"


def test_the_line_state_counts_every_event_as_a_version() -> None:
    state = given(received(10), reserved("r1", 2), issued(1, [lot("", 1)]))
    assert (state.version, state.on_hand, state.reserved, state.available) == (3, 9, 2, 7)


def test_facts_decide_expiry_not_the_clock() -> None:
    state = given(received(5, "a", EXPIRED))
    assert decide(command(IssueStock, quantity=5, destination="x"), state, as_of=NOW - timedelta(days=1))
    assert rejected(command(IssueStock, quantity=5, destination="x"), state, Conflict, as_of=NOW)
    assert OPEN.registered and CATALOGUED.registered
