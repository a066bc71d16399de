"""A transfer's two steps across three streams, each step idempotent.

Dispatch: the source line lets the goods go (`StockTransferredOut`, under the
caller's command id), then the transfer records it (`TransferDispatched`). Receipt:
the transfer records what arrived (`TransferReceived`, under the caller's command
id), then the destination line is credited and the source's transit closed. The
follow-up steps carry command ids derived from the transfer and contents derived
from its recorded events, so retrying the caller's command (after a crash between
steps) finishes the flow and never moves stock twice.
"""

from __future__ import annotations

from dataclasses import replace

from shared.application import Application, CommandContext, Outcome
from shared.envelope import EventEnvelope
from shared.errors import Conflict

from . import handlers
from .domain import transfers
from .domain.lots import LotQuantity
from .domain.stock_commands import CancelTransferOut, CloseTransit, DispatchTransfer, ReceiveTransferredStock
from .domain.transfers import ReceiveTransfer, RecordDispatch, Transfer


def _step(context: CommandContext, transfer_id: str, step: str, event: EventEnvelope) -> CommandContext:
    return replace(context, command_id=f"inventory:transfer:{transfer_id}:{step}",
                   correlation_id=context.correlation_id or context.command_id,
                   causation_id=context.command_id, occurred_at=event.occurred_at)


def _lots(data: list[dict[str, object]]) -> tuple[LotQuantity, ...]:
    return tuple(LotQuantity.model_validate(lot) for lot in data)


def dispatch(app: Application, command: DispatchTransfer, context: CommandContext) -> Outcome[Transfer]:
    sent = handlers.change_stock(app, command, context).events[0]
    data = sent.data
    record = RecordDispatch(
        transfer_id=command.transfer_id, from_warehouse_id=data["warehouse_id"],
        to_warehouse_id=data["to_warehouse_id"], item_id=data["item_id"], quantity=data["quantity"],
        lots=_lots(data["lots"]), reference=data["reference"], note=data["note"],
    )
    try:
        return app.execute(transfers.stream_id(command.transfer_id), transfers.transfers, record,
                           _step(context, command.transfer_id, "dispatched", sent))
    except Conflict:
        # another warehouse claimed this transfer id between our check and our record: undo ours
        undo = CancelTransferOut(warehouse_id=command.warehouse_id, item_id=command.item_id,
                                 transfer_id=command.transfer_id, reason="the transfer id was taken")
        handlers.change_stock(app, undo, replace(context, command_id=f"{context.command_id}:undo",
                                        occurred_at=sent.occurred_at))
        raise Conflict(f"transfer {command.transfer_id} already exists; nothing was dispatched",
                       field="transfer_id", code="transfer_exists") from None


def receive(app: Application, command: ReceiveTransfer, context: CommandContext) -> Outcome[Transfer]:
    destination = handlers.load_warehouse(app, command.warehouse_id)
    outcome = app.execute(transfers.stream_id(command.transfer_id), transfers.decider(destination),
                          command, context)
    received = next(event for event in outcome.events if event.type == "TransferReceived")
    data = received.data
    credit = ReceiveTransferredStock(
        warehouse_id=data["to_warehouse_id"], item_id=data["item_id"], transfer_id=data["transfer_id"],
        from_warehouse_id=data["from_warehouse_id"], quantity=data["received"], lots=_lots(data["lots"]),
    )
    handlers.change_stock(app, credit, _step(context, command.transfer_id, "credited", received))
    close = CloseTransit(warehouse_id=data["from_warehouse_id"], item_id=data["item_id"],
                         transfer_id=data["transfer_id"], received=data["received"])
    handlers.change_stock(app, close, _step(context, command.transfer_id, "transit-closed", received))
    return outcome
