"""Lots of one stock line, their expiry, and which lots a withdrawal draws from.

A lot is identified by its `lot` id. Stock received without a lot id goes to the pool
`""` when it has no expiry, or to `exp:<date>` when it has one (user lot ids cannot
contain `:`, so neither name is ever a user's). A lot expiring on day D is usable to
the end of D in China Standard Time; from D+1 it is expired and cannot be issued.

Withdrawals draw first-expiring-first-out: lots by expiry date, lots without expiry
last, ties by lot id. Issues and transfers skip expired lots; write-offs and count
adjustments take expired lots first (they are what is thrown away).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Conflict, InvalidCommand
from shared.ids import PositiveCount
from shared.timestamps import CHINA_STANDARD_TIME

#: A lot number as printed on the goods: letters, digits, `.`, `_`, `-`; no `/` or `:`.
LotId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                             description="lot number: letters, digits, '.', '_' and '-'")]
UNLOTTED = ""


@dataclass(frozen=True)
class Lot:
    quantity: int
    expires_on: date | None = None


Lots = Mapping[str, Lot]


class LotQuantity(BaseModel):
    """A quantity taken from (or put into) one lot; `expires_on` travels with it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lot: str
    quantity: int
    expires_on: date | None = None


class LotPick(BaseModel):
    """A caller's choice of lot for a withdrawal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lot: str = Field(max_length=80)
    quantity: PositiveCount


def lot_name(lot: str | None, expires_on: date | None) -> str:
    if lot:
        return lot
    return f"exp:{expires_on.isoformat()}" if expires_on else UNLOTTED


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def expired(lot: Lot, as_of: datetime) -> bool:
    return lot.expires_on is not None and lot.expires_on < china_date(as_of)


def expired_quantity(lots: Lots, as_of: datetime) -> int:
    return sum(lot.quantity for lot in lots.values() if expired(lot, as_of))


def expiry_from(produced_on: date | None, shelf_life_days: int | None) -> date | None:
    if produced_on is None or shelf_life_days is None:
        return None
    return produced_on + timedelta(days=shelf_life_days)


def _fefo_order(lots: Lots) -> list[str]:
    return sorted(lots, key=lambda name: (lots[name].expires_on is None, lots[name].expires_on
                                          or date.max, name))


def draw(lots: Lots, quantity: int, as_of: datetime, *, expired_ok: bool,
         picks: tuple[LotPick, ...] = ()) -> list[LotQuantity]:
    """The lots a withdrawal of `quantity` takes: the caller's picks, else first-expiring-first-out.

    Raises when picks name an unknown, expired (unless `expired_ok`) or short lot, or
    when the usable lots hold less than `quantity`.
    """
    if picks:
        return _picked(lots, quantity, as_of, expired_ok, picks)
    taken: list[LotQuantity] = []
    wanted = quantity
    for name in _fefo_order(lots):
        lot = lots[name]
        if wanted == 0:
            break
        if lot.quantity <= 0 or (expired(lot, as_of) and not expired_ok):
            continue
        take = min(wanted, lot.quantity)
        taken.append(LotQuantity(lot=name, quantity=take, expires_on=lot.expires_on))
        wanted -= take
    if wanted:
        usable = quantity - wanted
        raise Conflict(f"only {usable} usable in unexpired lots, {quantity} asked",
                       field="quantity", code="insufficient_stock")
    return taken


def _picked(lots: Lots, quantity: int, as_of: datetime, expired_ok: bool,
            picks: tuple[LotPick, ...]) -> list[LotQuantity]:
    if sum(pick.quantity for pick in picks) != quantity:
        raise InvalidCommand("the lots' quantities must add up to the quantity", field="lots")
    if len({pick.lot for pick in picks}) != len(picks):
        raise InvalidCommand("names a lot twice", field="lots")
    taken = []
    for index, pick in enumerate(picks):
        lot = lots.get(pick.lot)
        where = f"lots.{index}"
        if lot is None:
            raise Conflict(f"no lot {pick.lot!r} here; lots: {sorted(lots) or 'none'}",
                           field=f"{where}.lot", code="unknown_lot")
        if expired(lot, as_of) and not expired_ok:
            raise Conflict(f"lot {pick.lot!r} expired on {lot.expires_on} and cannot be issued",
                           field=f"{where}.lot", code="lot_expired")
        if pick.quantity > lot.quantity:
            raise Conflict(f"lot {pick.lot!r} holds only {lot.quantity}", field=f"{where}.quantity",
                           code="insufficient_stock")
        taken.append(LotQuantity(lot=pick.lot, quantity=pick.quantity, expires_on=lot.expires_on))
    return taken


def apply(lots: Lots, changes: list[LotQuantity], sign: int) -> dict[str, Lot]:
    """`lots` after adding (`sign` 1) or removing (-1) `changes`; emptied lots disappear."""
    result = dict(lots)
    for change in changes:
        current = result.get(change.lot, Lot(0, change.expires_on))
        quantity = current.quantity + sign * change.quantity
        if quantity:
            result[change.lot] = Lot(quantity, current.expires_on or change.expires_on)
        else:
            result.pop(change.lot, None)
    return result


def split_received(dispatched: list[LotQuantity], received: int) -> list[LotQuantity]:
    """How a received quantity maps onto the lots dispatched: in dispatch order, a shortfall
    comes off the last lots, a surplus goes to the last lot."""
    if not dispatched:
        return [LotQuantity(lot=UNLOTTED, quantity=received)] if received else []
    result, left = [], received
    for index, lot in enumerate(dispatched):
        last = index == len(dispatched) - 1
        take = left if last else min(left, lot.quantity)
        if take:
            result.append(LotQuantity(lot=lot.lot, quantity=take, expires_on=lot.expires_on))
        left -= take
    return result
