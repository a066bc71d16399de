"""Agreement reserves (协议储备): stock and equipment companies hold for the district under contract.

An agreement states what the company keeps on call (quantities per catalogue item),
how many hours after a call-off it arrives (lead time), and the days it is valid
(China Standard Time dates, both inclusive). A call-off asks for some of it for an
incident; while requested and not closed it counts against what can still be
called. Deliveries are recorded against the call-off; closing the call-off (the
equipment went back, or the rest was not needed) frees the capacity again. A renewal
moves the end of the validity later; an expired agreement can be renewed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.decider import Command, Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.ids import Count, Name, Note, PositiveCount, Slug
from shared.streams import stream_id as _stream_id
from shared.timestamps import Timestamp

from .lots import china_date

LeadTimeHours = Annotated[int, Field(ge=0, le=24 * 365, strict=True)]


class ItemQuantity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: Slug
    quantity: PositiveCount


def _distinct(lines: tuple[ItemQuantity, ...]) -> tuple[ItemQuantity, ...]:
    if len({line.item_id for line in lines}) != len(lines):
        raise ValueError("names an item twice")
    return lines


Lines = Annotated[tuple[ItemQuantity, ...], Field(min_length=1, max_length=200), AfterValidator(_distinct)]


class RegisterAgreement(Command):
    agreement_id: Slug
    company: Name
    company_zh: Name | None = None
    contract_reference: Name
    valid_from: date
    valid_until: date
    lead_time_hours: LeadTimeHours
    people: Count = 0
    lines: Lines
    note: Note | None = None
    occurred_at: Timestamp | None = None


class RequestCallOff(Command):
    agreement_id: Slug
    call_off_id: Slug
    lines: Lines
    destination: Name
    incident_id: Slug | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


class RecordCallOffDelivery(Command):
    agreement_id: Slug
    call_off_id: Slug
    lines: Lines
    note: Note | None = None
    occurred_at: Timestamp | None = None


class CloseCallOff(Command):
    agreement_id: Slug
    call_off_id: Slug
    reason: Note | None = None
    occurred_at: Timestamp | None = None


class RenewAgreement(Command):
    """Extend an agreement to a later end date, under the same or a new contract reference."""

    agreement_id: Slug
    valid_until: date
    contract_reference: Name | None = None
    occurred_at: Timestamp | None = None


AgreementCommand = RegisterAgreement | RenewAgreement | RequestCallOff | RecordCallOffDelivery | CloseCallOff


class AgreementRegistered(Event):
    """An agreement reserve was registered: a company holds equipment, stock or people on call."""

    meaning_zh = "登记协议储备：企业按协议储备物资装备或人员，随时待命。"

    agreement_id: str
    company: str
    company_zh: str | None
    contract_reference: str
    valid_from: date
    valid_until: date
    lead_time_hours: int
    people: int
    lines: list[ItemQuantity]
    note: str | None


class AgreementRenewed(Event):
    """An agreement reserve was extended to a later end date."""

    meaning_zh = "协议储备续签，有效期延长。"

    agreement_id: str
    valid_until: date
    contract_reference: str | None


class CallOffRequested(Event):
    """Contracted equipment or stock was called off an agreement, for delivery to a destination."""

    meaning_zh = "向协议企业调用签约物资装备，送往指定地点。"

    agreement_id: str
    call_off_id: str
    lines: list[ItemQuantity]
    destination: str
    incident_id: str | None
    note: str | None


class CallOffDelivered(Event):
    """A company delivered what a call-off asked for, in part or in full."""

    meaning_zh = "协议企业交付调用物资（部分或全部）。"

    agreement_id: str
    call_off_id: str
    lines: list[ItemQuantity]
    note: str | None


class CallOffClosed(Event):
    """A call-off was closed: what it did not deliver can be called again."""

    meaning_zh = "调用单关闭，未交付的数量可再次调用。"

    agreement_id: str
    call_off_id: str
    reason: str | None


@dataclass(frozen=True)
class CallOff:
    requested: dict[str, int]
    delivered: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Agreement:
    registered: bool = False
    valid_from: date = date.min
    valid_until: date = date.min
    contracted: dict[str, int] = field(default_factory=dict)
    open_call_offs: dict[str, CallOff] = field(default_factory=dict)
    closed_call_offs: frozenset[str] = frozenset()

    def outstanding(self, item_id: str) -> int:
        return sum(call.requested.get(item_id, 0) for call in self.open_call_offs.values())

    def callable(self, item_id: str) -> int:
        return self.contracted.get(item_id, 0) - self.outstanding(item_id)


@dataclass(frozen=True)
class AgreementFacts:
    """When the command happened (validity is judged then) and which items the catalogue has."""

    as_of: datetime
    catalogue: frozenset[str] = frozenset()


def _register(command: RegisterAgreement, state: Agreement, facts: AgreementFacts) -> list[Event]:
    if state.registered:
        raise Conflict(f"agreement {command.agreement_id} is already registered", field="agreement_id",
                       code="already_registered")
    if command.valid_until < command.valid_from:
        raise InvalidCommand("must not be before valid_from", field="valid_until")
    for index, line in enumerate(command.lines):
        if line.item_id not in facts.catalogue:
            raise NotFound(f"no item {line.item_id} in the catalogue", field=f"lines.{index}.item_id")
    return [AgreementRegistered(**command.model_dump(exclude={"occurred_at"}))]


def _request(command: RequestCallOff, state: Agreement, as_of: datetime) -> list[Event]:
    today = china_date(as_of)
    if not state.valid_from <= today <= state.valid_until:
        raise Conflict(f"agreement {command.agreement_id} is valid from {state.valid_from} to "
                       f"{state.valid_until}, not on {today}", field="agreement_id",
                       code="agreement_not_valid")
    if command.call_off_id in state.open_call_offs or command.call_off_id in state.closed_call_offs:
        raise Conflict(f"call-off {command.call_off_id} already exists", field="call_off_id",
                       code="call_off_exists")
    for index, line in enumerate(command.lines):
        if line.item_id not in state.contracted:
            raise Conflict(f"agreement {command.agreement_id} does not cover {line.item_id}; it covers "
                           f"{', '.join(sorted(state.contracted))}", field=f"lines.{index}.item_id",
                           code="not_contracted")
        if line.quantity > (left := state.callable(line.item_id)):
            raise Conflict(f"only {left} of {line.item_id} can still be called off "
                           f"({state.contracted[line.item_id]} contracted, "
                           f"{state.outstanding(line.item_id)} already called off)",
                           field=f"lines.{index}.quantity", code="insufficient_stock")
    return [CallOffRequested(**command.model_dump(exclude={"occurred_at"}))]


def _open_call_off(state: Agreement, call_off_id: str) -> CallOff:
    call = state.open_call_offs.get(call_off_id)
    if call is None:
        closed = " (it is closed)" if call_off_id in state.closed_call_offs else ""
        raise NotFound(f"no open call-off {call_off_id}{closed}", field="call_off_id")
    return call


def _deliver(command: RecordCallOffDelivery, state: Agreement) -> list[Event]:
    call = _open_call_off(state, command.call_off_id)
    for index, line in enumerate(command.lines):
        due = call.requested.get(line.item_id, 0) - call.delivered.get(line.item_id, 0)
        if line.quantity > due:
            raise Conflict(f"only {due} of {line.item_id} are still due on this call-off",
                           field=f"lines.{index}.quantity", code="more_than_requested")
    return [CallOffDelivered(**command.model_dump(exclude={"occurred_at"}))]


def decide(command: AgreementCommand, state: Agreement, facts: AgreementFacts) -> list[Event]:
    if isinstance(command, RegisterAgreement):
        return _register(command, state, facts)
    if not state.registered:
        raise NotFound(f"no agreement {command.agreement_id}", field="agreement_id")
    if isinstance(command, RenewAgreement):
        if command.valid_until <= state.valid_until:
            raise InvalidCommand(f"must be after the current end, {state.valid_until}", field="valid_until")
        return [AgreementRenewed(**command.model_dump(exclude={"occurred_at"}))]
    if isinstance(command, RequestCallOff):
        return _request(command, state, facts.as_of)
    if isinstance(command, RecordCallOffDelivery):
        return _deliver(command, state)
    _open_call_off(state, command.call_off_id)
    return [CallOffClosed(**command.model_dump(exclude={"occurred_at"}))]


def evolve(state: Agreement, event: Event) -> Agreement:
    if isinstance(event, AgreementRegistered):
        return Agreement(registered=True, valid_from=event.valid_from, valid_until=event.valid_until,
                         contracted={line.item_id: line.quantity for line in event.lines})
    if isinstance(event, AgreementRenewed):
        return replace(state, valid_until=event.valid_until)
    calls = dict(state.open_call_offs)
    if isinstance(event, CallOffRequested):
        calls[event.call_off_id] = CallOff({line.item_id: line.quantity for line in event.lines})
        return replace(state, open_call_offs=calls)
    if isinstance(event, CallOffDelivered) and (call := calls.get(event.call_off_id)):
        delivered = dict(call.delivered)
        for line in event.lines:
            delivered[line.item_id] = delivered.get(line.item_id, 0) + line.quantity
        calls[event.call_off_id] = replace(call, delivered=delivered)
        return replace(state, open_call_offs=calls)
    if isinstance(event, CallOffClosed):
        calls.pop(event.call_off_id, None)
        return replace(state, open_call_offs=calls,
                       closed_call_offs=state.closed_call_offs | {event.call_off_id})
    return state


def stream_id(agreement_id: str) -> str:
    return _stream_id("agreement", agreement_id)


def _without_clock(command: AgreementCommand, state: Agreement) -> list[Event]:
    raise AssertionError("an agreement decision needs facts: use agreements.decider(facts)")


agreements = Decider[AgreementCommand, Agreement](
    _without_clock, evolve, Agreement(),
    (AgreementRegistered, AgreementRenewed, CallOffRequested, CallOffDelivered, CallOffClosed),
)


def decider(facts: AgreementFacts) -> Decider[AgreementCommand, Agreement]:
    """The agreement's decider deciding with `facts` (validity is judged at `facts.as_of`)."""
    return replace(agreements, decide=partial(decide, facts=facts))
