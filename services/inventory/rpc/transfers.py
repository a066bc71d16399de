"""Transfers between warehouses: dispatch, receive, read."""

from __future__ import annotations

from shared.decider import parse
from shared.nameko_kit import Json, command_context, rpc
from shared.paging import list_page

from .. import transfer_flow
from ..domain.stock_commands import DispatchTransfer
from ..domain.transfers import ReceiveTransfer
from ..projections.keys import TRANSFERS
from ..projections.registry import receipt_doc, transfer_doc
from .base import InventoryRpc


class TransferRpc(InventoryRpc):
    @rpc
    def dispatch_transfer(self, payload: Json, meta: Json | None = None) -> Json:
        """Send stock from `warehouse_id` to `to_warehouse_id`; it is in transit until received."""
        command = parse(DispatchTransfer, payload)
        outcome = transfer_flow.dispatch(self.es, command, command_context(meta, command.occurred_at))
        return transfer_doc(outcome.events)

    @rpc
    def receive_transfer(self, payload: Json, meta: Json | None = None) -> Json:
        """The destination (`warehouse_id`) records what arrived; a difference is the discrepancy."""
        command = parse(ReceiveTransfer, payload)
        outcome = transfer_flow.receive(self.es, command, command_context(meta, command.occurred_at))
        return receipt_doc(outcome.events[0])

    @rpc
    def get_transfer(self, transfer_id: str) -> Json:
        return self.views.require(TRANSFERS, transfer_id, f"no transfer {transfer_id}", "transfer_id")

    @rpc
    def list_transfers(self, query: Json | None = None) -> Json:
        return list_page(self.views, TRANSFERS, "", query)
