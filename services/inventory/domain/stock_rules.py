"""How a stock line decides: the invariants of the reserve, in one pure function.

- Available (on hand minus reserved) never goes negative: issuing, reserving,
  writing off or dispatching more than is available is refused with
  `insufficient_stock`, naming what is available.
- Expired lots cannot be issued or dispatched; without a choice of lots, a
  withdrawal takes the first-expiring lots first (`lots.draw`).
- Stock comes only into a registered, open warehouse and only for a catalogue item.
- A correction is a new event (a reversal or a new count), never an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from shared.decider import Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound

from . import lots as lot_rules
from .stock import (
    EVENT_TYPES,
    STATE_VERSION,
    InspectionRecorded,
    MinimumLevelSet,
    MovementReversed,
    ReservationReleased,
    Stock,
    StockCounted,
    StockIssued,
    StockReceived,
    StockReserved,
    StockTransferredIn,
    StockTransferredOut,
    StockWrittenOff,
    TransferOutCancelled,
    TransitClosed,
    evolve,
)
from .stock_commands import (
    CancelTransferOut,
    CloseTransit,
    CountStock,
    DispatchTransfer,
    IssueStock,
    ReceiveCensusRow,
    ReceiveStock,
    ReceiveTransferredStock,
    RecordInspection,
    ReleaseReservation,
    ReserveStock,
    ReverseMovement,
    SetMinimumLevel,
    StockCommand,
    StockFacts,
    WriteOffStock,
)
from .warehouses import require_open, require_registered

REVERSIBLE = ("StockReceived", "StockIssued", "StockWrittenOff")


def usable(state: Stock, facts: StockFacts) -> int:
    """What can still be issued or reserved: on hand in unexpired lots, less what is reserved."""
    return state.on_hand - lot_rules.expired_quantity(state.lots, facts.as_of) - state.reserved


def _short(verb: str, command: Any, state: Stock, facts: StockFacts, free: int) -> Conflict:
    expired = lot_rules.expired_quantity(state.lots, facts.as_of)
    return Conflict(
        f"cannot {verb} {command.quantity} of {command.item_id} in {command.warehouse_id}: only "
        f"{max(free, 0)} available ({state.on_hand} on hand, {state.reserved} reserved, "
        f"{expired} in expired lots)",
        field="quantity", code="insufficient_stock",
    )


def _line(command: Any) -> dict[str, str]:
    return {"warehouse_id": command.warehouse_id, "item_id": command.item_id}


def _known(command: Any, facts: StockFacts) -> None:
    require_registered(facts.warehouse, command.warehouse_id)
    if not facts.item.registered:
        raise NotFound(f"no item {command.item_id} in the catalogue", field="item_id")


def _receivable(command: Any, facts: StockFacts) -> None:
    require_open(facts.warehouse, command.warehouse_id)
    _known(command, facts)


def _receive(command: ReceiveStock | ReceiveCensusRow, state: Stock, facts: StockFacts) -> list[Event]:
    _receivable(command, facts)
    produced_on = command.produced_on if isinstance(command, ReceiveStock) else None
    expires_on = command.expires_on or lot_rules.expiry_from(produced_on, facts.item.shelf_life_days)
    if expires_on is None and facts.item.shelf_life_days is not None:
        raise InvalidCommand(f"{command.item_id} keeps {facts.item.shelf_life_days} days: give "
                             "expires_on or produced_on", field="expires_on")
    lot = lot_rules.lot_name(command.lot, expires_on)
    held = state.lots.get(lot)
    if held is not None and held.expires_on != expires_on:
        raise Conflict(f"lot {lot!r} here expires on {held.expires_on}, not {expires_on}",
                       field="expires_on", code="lot_expiry_mismatch")
    if isinstance(command, ReceiveCensusRow):
        return [StockReceived(**_line(command), quantity=command.quantity, source="census",
                              reference=command.reference, note=f"census line {command.line}",
                              lot=lot, expires_on=expires_on, import_id=command.import_id)]
    return [StockReceived(**_line(command), quantity=command.quantity, source=command.source,
                          reference=command.reference, note=command.note, lot=lot,
                          expires_on=expires_on)]


def _issue(command: IssueStock, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    incident_id = command.incident_id
    free = usable(state, facts)
    if command.reservation_id is not None:
        held = state.reservations.get(command.reservation_id)
        if held is None:
            raise NotFound(f"no open reservation {command.reservation_id} on {command.item_id} in "
                           f"{command.warehouse_id}", field="reservation_id")
        if command.quantity > held.quantity:
            raise Conflict(f"reservation {command.reservation_id} holds only {held.quantity}",
                           field="quantity", code="insufficient_reserved")
        free += held.quantity
        incident_id = incident_id or held.incident_id
    if command.quantity > free:
        raise _short("issue", command, state, facts, free)
    taken = lot_rules.draw(state.lots, command.quantity, facts.as_of, expired_ok=False,
                           picks=command.lots)
    return [StockIssued(**_line(command), quantity=command.quantity, destination=command.destination,
                        reference=command.reference, note=command.note, incident_id=incident_id,
                        reservation_id=command.reservation_id, lots=taken)]


def _write_off(command: WriteOffStock, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    if command.quantity > state.available:
        raise _short("write off", command, state, facts, state.available)
    taken = lot_rules.draw(state.lots, command.quantity, facts.as_of, expired_ok=True,
                           picks=command.lots)
    return [StockWrittenOff(**_line(command), quantity=command.quantity, reason=command.reason,
                            note=command.note, lots=taken)]


def _reserve(command: ReserveStock, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    if (held := state.reservations.get(command.reservation_id)) is not None:
        raise Conflict(f"reservation {command.reservation_id} already holds {held.quantity}; "
                       "release it or use another id", field="reservation_id", code="reservation_exists")
    if command.quantity > (free := usable(state, facts)):
        raise _short("reserve", command, state, facts, free)
    return [StockReserved(**_line(command), reservation_id=command.reservation_id,
                          quantity=command.quantity, incident_id=command.incident_id, note=command.note)]


def _release(command: ReleaseReservation, state: Stock, facts: StockFacts) -> list[Event]:
    held = state.reservations.get(command.reservation_id)
    if held is None:
        raise NotFound(f"no open reservation {command.reservation_id} on {command.item_id} in "
                       f"{command.warehouse_id}", field="reservation_id")
    quantity = held.quantity if command.quantity is None else command.quantity
    if quantity > held.quantity:
        raise Conflict(f"reservation {command.reservation_id} holds only {held.quantity}",
                       field="quantity", code="insufficient_reserved")
    return [ReservationReleased(**_line(command), reservation_id=command.reservation_id,
                                quantity=quantity, reason=command.reason)]


def _count(command: CountStock, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    variance = command.counted - state.on_hand
    if variance and not command.reason:
        raise InvalidCommand(f"counted {command.counted} but {state.on_hand} are on record: say why",
                             field="reason")
    if command.counted < state.reserved:
        raise Conflict(f"counted {command.counted} but {state.reserved} are reserved "
                       f"({', '.join(sorted(state.reservations))}); release reservations first",
                       field="counted", code="count_below_reserved")
    if variance >= 0:
        adjusted = [lot_rules.LotQuantity(lot=lot_rules.UNLOTTED, quantity=variance)] if variance else []
    else:
        adjusted = lot_rules.draw(state.lots, -variance, facts.as_of, expired_ok=True)
    return [StockCounted(**_line(command), counted=command.counted, expected=state.on_hand,
                         variance=variance, reason=command.reason, lots=adjusted,
                         previous_count_version=state.last_count_version)]


def _dispatch(command: DispatchTransfer, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    if command.to_warehouse_id == command.warehouse_id:
        raise InvalidCommand("a transfer must go to another warehouse", field="to_warehouse_id")
    if facts.destination is None:
        raise NotFound(f"no warehouse {command.to_warehouse_id}", field="to_warehouse_id")
    require_open(facts.destination, command.to_warehouse_id, field="to_warehouse_id")
    if facts.transfer_taken or command.transfer_id in state.transfers_out:
        raise Conflict(f"transfer {command.transfer_id} already exists; use a new transfer id",
                       field="transfer_id", code="transfer_exists")
    if command.quantity > (free := usable(state, facts)):
        raise _short("dispatch", command, state, facts, free)
    taken = lot_rules.draw(state.lots, command.quantity, facts.as_of, expired_ok=False,
                           picks=command.lots)
    return [StockTransferredOut(**_line(command), transfer_id=command.transfer_id,
                                to_warehouse_id=command.to_warehouse_id, quantity=command.quantity,
                                lots=taken, reference=command.reference, note=command.note)]


def _transferred_in(command: ReceiveTransferredStock, state: Stock, facts: StockFacts) -> list[Event]:
    _receivable(command, facts)
    if command.transfer_id in state.transfers_in or command.quantity == 0:
        return []
    return [StockTransferredIn(**_line(command), transfer_id=command.transfer_id,
                               from_warehouse_id=command.from_warehouse_id, quantity=command.quantity,
                               lots=list(command.lots))]


def _close_transit(command: CloseTransit, state: Stock, facts: StockFacts) -> list[Event]:
    travelling = state.in_transit.get(command.transfer_id)
    if travelling is None:
        return []
    dispatched = sum(lot.quantity for lot in travelling)
    return [TransitClosed(**_line(command), transfer_id=command.transfer_id, dispatched=dispatched,
                          received=command.received, discrepancy=command.received - dispatched)]


def _cancel_transfer(command: CancelTransferOut, state: Stock, facts: StockFacts) -> list[Event]:
    travelling = state.in_transit.get(command.transfer_id)
    if travelling is None:
        return []
    return [TransferOutCancelled(**_line(command), transfer_id=command.transfer_id,
                                 quantity=sum(lot.quantity for lot in travelling), lots=list(travelling),
                                 reason=command.reason)]


def _minimum(command: SetMinimumLevel, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    return [MinimumLevelSet(**_line(command), minimum=command.minimum)]


def _inspect(command: RecordInspection, state: Stock, facts: StockFacts) -> list[Event]:
    _known(command, facts)
    return [InspectionRecorded(**_line(command), result=command.result,
                               units_inspected=command.units_inspected, inspector=command.inspector,
                               note=command.note)]


def _reverse(command: ReverseMovement, state: Stock, facts: StockFacts) -> list[Event]:
    original = facts.reversing
    if original is None or command.version > state.version:
        raise NotFound(f"no movement {command.version} on this line (it has {state.version})",
                       field="version")
    if command.version in state.reversed:
        raise Conflict(f"movement {command.version} is already reversed", field="version",
                       code="already_reversed")
    event = original.event
    if not isinstance(event, StockReceived | StockIssued | StockWrittenOff):
        raise Conflict(f"a {type(event).__name__} cannot be reversed; only {', '.join(REVERSIBLE)}: "
                       "correct a count by a new count, a transfer by a transfer back",
                       field="version", code="not_reversible")
    if isinstance(event, StockReceived):
        taken = lot_rules.LotQuantity(lot=event.lot, quantity=event.quantity, expires_on=event.expires_on)
        left = state.lots.get(event.lot)
        if left is None or left.quantity < event.quantity or state.available < event.quantity:
            raise Conflict(f"the receipt of {event.quantity} cannot be undone: lot {event.lot!r} holds "
                           f"{left.quantity if left else 0} and {state.available} are available",
                           field="version", code="insufficient_stock")
        return [MovementReversed(**_line(command), reversed_version=command.version,
                                 reversed_type=type(event).__name__, quantity=-event.quantity,
                                 lots=[taken], reason=command.reason)]
    return [MovementReversed(**_line(command), reversed_version=command.version,
                             reversed_type=type(event).__name__, quantity=event.quantity,
                             lots=event.lots, reason=command.reason)]


_RULES: dict[type[Any], Callable[[Any, Stock, StockFacts], list[Event]]] = {
    ReceiveStock: _receive,
    ReceiveCensusRow: _receive,
    IssueStock: _issue,
    WriteOffStock: _write_off,
    ReserveStock: _reserve,
    ReleaseReservation: _release,
    CountStock: _count,
    DispatchTransfer: _dispatch,
    ReceiveTransferredStock: _transferred_in,
    CloseTransit: _close_transit,
    CancelTransferOut: _cancel_transfer,
    SetMinimumLevel: _minimum,
    RecordInspection: _inspect,
    ReverseMovement: _reverse,
}


def decide(command: StockCommand, state: Stock, facts: StockFacts) -> list[Event]:
    return _RULES[type(command)](command, state, facts)


def _without_facts(command: StockCommand, state: Stock) -> list[Event]:
    raise AssertionError("a stock decision needs facts: decide through stock_rules.decider(facts)")


#: The stock line's decider for loading and folding; `decider(facts)` decides.
stock = Decider[StockCommand, Stock](_without_facts, evolve, Stock(), EVENT_TYPES,
                                     state_version=STATE_VERSION)


def decider(facts: StockFacts) -> Decider[StockCommand, Stock]:
    """The line's decider deciding with `facts` (same evolve, state and version as `stock`)."""
    return replace(stock, decide=partial(decide, facts=facts))
