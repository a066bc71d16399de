"""One warehouse's stock: movements, reservations, counts, minimum levels, inspections, reversals,
and its reads (lines, ledger, stock as of a moment, reservations, stocktakes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.decider import Command, parse
from shared.envelope import now
from shared.errors import InvalidCommand
from shared.nameko_kit import Json, command_context, rpc
from shared.paging import list_page

from .. import handlers, queries
from ..domain.lots import Lot, draw
from ..domain.stock_commands import (
    MOVEMENTS,
    CountStock,
    IssueStock,
    RecordInspection,
    ReleaseReservation,
    ReserveStock,
    ReverseMovement,
    SetMinimumLevel,
)
from ..projections.keys import INCIDENT_RESERVATIONS, RESERVATIONS, STOCK, STOCKTAKES, key
from ..projections.levels import blank_line
from .answers import line_answer
from .base import InventoryRpc


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class StockRpc(InventoryRpc):
    def _line(self, model: type[Command], payload: Any, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.change_stock(self.es, command,  # type: ignore[arg-type]
                                        command_context(meta, getattr(command, "occurred_at", None)))
        return line_answer(command, outcome)  # type: ignore[arg-type]

    @rpc
    def record_movement(self, payload: Json, meta: Json | None = None) -> Json:
        """A receipt, issue or write-off; `payload["kind"]` is "receipt", "issue" or "write_off"."""
        kind = payload.get("kind", "receipt") if isinstance(payload, dict) else None
        model = MOVEMENTS.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise InvalidCommand(f"must be one of {sorted(MOVEMENTS)}", field="kind")
        return self._line(model, payload, meta)

    @rpc
    def issue_stock(self, payload: Json, meta: Json | None = None) -> Json:
        """Issue stock (`IssueStock`), against a reservation when `reservation_id` is given."""
        return self._line(IssueStock, {"kind": "issue", **payload} if isinstance(payload, dict) else payload,
                          meta)

    @rpc
    def reserve_stock(self, payload: Json, meta: Json | None = None) -> Json:
        """Reserve available stock for an incident (`ReserveStock`)."""
        return self._line(ReserveStock, payload, meta)

    @rpc
    def release_reservation(self, payload: Json, meta: Json | None = None) -> Json:
        """Release a reservation, all of what is left or `quantity` (`ReleaseReservation`)."""
        return self._line(ReleaseReservation, payload, meta)

    @rpc
    def count_stock(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a stocktake; a difference is adjusted and needs a reason (`CountStock`)."""
        return self._line(CountStock, payload, meta)

    @rpc
    def set_minimum_level(self, payload: Json, meta: Json | None = None) -> Json:
        return self._line(SetMinimumLevel, payload, meta)

    @rpc
    def record_inspection(self, payload: Json, meta: Json | None = None) -> Json:
        return self._line(RecordInspection, payload, meta)

    @rpc
    def reverse_movement(self, payload: Json, meta: Json | None = None) -> Json:
        """Undo a receipt, issue or write-off (by its line version) with a new event."""
        return self._line(ReverseMovement, payload, meta)

    @rpc
    def get_stock(self, warehouse_id: str, query: Json | None = None) -> Json:
        """The warehouse's stock lines (paged)."""
        self.warehouse(warehouse_id)
        return list_page(self.views, STOCK, key(warehouse_id, ""), query)

    @rpc
    def get_stock_line(self, warehouse_id: str, item_id: str) -> Json:
        self.warehouse(warehouse_id)
        handlers.require_item(self.es, item_id)
        return self.views.get(STOCK, key(warehouse_id, item_id)) or blank_line(warehouse_id, item_id)

    @rpc
    def suggest_issue(self, warehouse_id: str, item_id: str, query: Json | None = None) -> Json:
        """Which lots to take for `quantity`, first-expiring-first-out, skipping expired lots."""
        request = parse(queries.SuggestionQuery, query or {})
        line = self.get_stock_line(warehouse_id, item_id)
        lots = {name: Lot(lot["quantity"], _date(lot["expires_on"])) for name, lot in line["lots"].items()}
        picks = draw(lots, request.quantity, request.as_of or now(), expired_ok=False)
        return {"warehouse_id": warehouse_id, "item_id": item_id, "quantity": request.quantity,
                "lots": [pick.model_dump(mode="json") for pick in picks]}

    @rpc
    def list_movements(self, warehouse_id: str, query: Json | None = None) -> Json:
        """The ledger by when movements happened; `item_id`, `from` and `until` filter it."""
        self.warehouse(warehouse_id)
        return queries.ledger(self.views, warehouse_id, query)

    @rpc
    def stock_as_of(self, warehouse_id: str, query: Json | None = None) -> Json:
        """The warehouse's stock at `at`, as it happened (`clock=occurred`) or as recorded then."""
        self.warehouse(warehouse_id)
        return queries.as_of(self.views, warehouse_id, query)

    @rpc
    def list_reservations(self, warehouse_id: str, query: Json | None = None) -> Json:
        self.warehouse(warehouse_id)
        return list_page(self.views, RESERVATIONS, key(warehouse_id, ""), query)

    @rpc
    def incident_reservations(self, query: Json | None = None) -> Json:
        """Open reservations held for `incident_id` (in the query), in every warehouse."""
        request = parse(queries.IncidentQuery, query or {})
        paging = request.model_dump(include={"limit", "after"}, exclude_none=True)
        return list_page(self.views, INCIDENT_RESERVATIONS, key(request.incident_id, ""), paging)

    @rpc
    def list_stocktakes(self, warehouse_id: str, query: Json | None = None) -> Json:
        self.warehouse(warehouse_id)
        return list_page(self.views, STOCKTAKES, key(warehouse_id, ""), query)

    @rpc
    def explain_stocktake(self, warehouse_id: str, item_id: str, query: Json | None = None) -> Json:
        """A count (the latest, or `version`) and the movements since the count before it."""
        self.warehouse(warehouse_id)
        return queries.explain_count(self.views, warehouse_id, item_id, query)
