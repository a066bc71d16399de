"""Agreement reserves: register, call off, record deliveries, close call-offs, read."""

from __future__ import annotations

from typing import Any

from shared.application import Outcome
from shared.decider import parse
from shared.nameko_kit import Json, command_context, rpc
from shared.paging import list_page

from .. import handlers
from ..domain.agreements import (
    Agreement,
    CloseCallOff,
    RecordCallOffDelivery,
    RegisterAgreement,
    RenewAgreement,
    RequestCallOff,
)
from ..projections.keys import AGREEMENTS, CALL_OFFS, key
from ..projections.registry import agreement_doc
from .base import InventoryRpc

CallOffModel = type[RequestCallOff] | type[RecordCallOffDelivery] | type[CloseCallOff]


def call_off_answer(agreement_id: str, call_off_id: str, outcome: Outcome[Agreement]) -> Json:
    """A call-off as it stands right after the command, and what the agreement can still supply."""
    state = outcome.state
    call = state.open_call_offs.get(call_off_id)
    return {
        "agreement_id": agreement_id, "call_off_id": call_off_id,
        "status": "open" if call is not None else "closed",
        "requested": dict(call.requested) if call else {},
        "delivered": dict(call.delivered) if call else {},
        "callable": {item: state.callable(item) for item in sorted(state.contracted)},
        "events": [event.to_message() for event in outcome.events],
    }


class AgreementRpc(InventoryRpc):
    def _call_off(self, model: CallOffModel, payload: Any, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.change_agreement(self.es, command, command_context(meta, command.occurred_at))
        return call_off_answer(command.agreement_id, command.call_off_id, outcome)

    @rpc
    def register_agreement(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterAgreement, payload)
        outcome = handlers.change_agreement(self.es, command, command_context(meta, command.occurred_at))
        return agreement_doc(outcome.events[0])

    @rpc
    def renew_agreement(self, payload: Json, meta: Json | None = None) -> Json:
        """Extend an agreement's validity (`RenewAgreement`)."""
        command = parse(RenewAgreement, payload)
        outcome = handlers.change_agreement(self.es, command, command_context(meta, command.occurred_at))
        state = outcome.state
        return {"agreement_id": command.agreement_id, "valid_from": state.valid_from.isoformat(),
                "valid_until": state.valid_until.isoformat(),
                "events": [event.to_message() for event in outcome.events]}

    @rpc
    def get_agreement(self, agreement_id: str) -> Json:
        return self.views.require(AGREEMENTS, agreement_id, f"no agreement {agreement_id}", "agreement_id")

    @rpc
    def list_agreements(self, query: Json | None = None) -> Json:
        return list_page(self.views, AGREEMENTS, "", query)

    @rpc
    def request_call_off(self, payload: Json, meta: Json | None = None) -> Json:
        """Call off equipment or stock under a valid agreement (`RequestCallOff`)."""
        return self._call_off(RequestCallOff, payload, meta)

    @rpc
    def record_call_off_delivery(self, payload: Json, meta: Json | None = None) -> Json:
        return self._call_off(RecordCallOffDelivery, payload, meta)

    @rpc
    def close_call_off(self, payload: Json, meta: Json | None = None) -> Json:
        """Close a call-off (returned, or the rest not needed): its quantities can be called again."""
        return self._call_off(CloseCallOff, payload, meta)

    @rpc
    def list_call_offs(self, agreement_id: str, query: Json | None = None) -> Json:
        self.get_agreement(agreement_id)
        return list_page(self.views, CALL_OFFS, key(agreement_id, ""), query)
