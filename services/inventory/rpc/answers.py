"""How command RPCs answer: documents built from a command's `Outcome` alone."""

from __future__ import annotations

from typing import Any

from shared.application import Outcome

from ..domain.stock import Stock
from ..domain.stock_commands import LineCommand

Json = dict[str, Any]


def line_answer(command: LineCommand, outcome: Outcome[Stock]) -> Json:
    """The line's figures right after the command, and the events it recorded."""
    state = outcome.state
    return {
        "warehouse_id": command.warehouse_id, "item_id": command.item_id,
        "on_hand": state.on_hand, "reserved": state.reserved, "available": state.available,
        "in_transit": state.in_transit_total,
        "lots": {name: {"quantity": lot.quantity,
                        "expires_on": lot.expires_on.isoformat() if lot.expires_on else None}
                 for name, lot in sorted(state.lots.items())},
        "reservations": {name: {"quantity": held.quantity, "incident_id": held.incident_id}
                         for name, held in sorted(state.reservations.items())},
        "events": [event.to_message() for event in outcome.events],
    }
