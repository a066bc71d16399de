"""The inventory service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from shared.decider import parse
from shared.errors import InvalidCommand
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing, rpc
from shared.paging import list_page

from . import handlers
from .domain.items import RegisterItem
from .domain.stock import MOVEMENTS
from .domain.warehouses import RegisterWarehouse
from .gauges import register_gauges
from .projections import ITEMS, PROJECTIONS, STOCK, WAREHOUSES, item_doc, warehouse_doc
from .projections import MOVEMENTS as LEDGER


class InventoryService(EventSourcedService):
    name = "inventory"
    es = event_sourcing(PROJECTIONS, gauges=register_gauges)

    @rpc
    def register_item(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterItem, payload)
        outcome = handlers.register_item(self.es, command, command_context(meta, command.occurred_at))
        return item_doc(outcome.events[0])

    @rpc
    def get_item(self, item_id: str) -> Json:
        return self._item(item_id)

    def _item(self, item_id: str) -> Json:
        return self.es.views.require(ITEMS, item_id, f"no item {item_id}", "item_id")

    @rpc
    def list_items(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, ITEMS, "", query)

    @rpc
    def register_warehouse(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterWarehouse, payload)
        outcome = handlers.register_warehouse(self.es, command, command_context(meta, command.occurred_at))
        return warehouse_doc(outcome.events[0])

    @rpc
    def get_warehouse(self, warehouse_id: str) -> Json:
        return self._warehouse(warehouse_id)

    def _warehouse(self, warehouse_id: str) -> Json:
        return self.es.views.require(WAREHOUSES, warehouse_id, f"no warehouse {warehouse_id}", "warehouse_id")

    @rpc
    def list_warehouses(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, WAREHOUSES, "", query)

    @rpc
    def record_movement(self, payload: Json, meta: Json | None = None) -> Json:
        """Receive or issue stock; `payload["kind"]` is "receipt" or "issue"."""
        kind = payload.get("kind", "receipt") if isinstance(payload, dict) else None
        model = MOVEMENTS.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise InvalidCommand(f"must be one of {sorted(MOVEMENTS)}", field="kind")
        command = parse(model, payload)
        outcome = handlers.move_stock(self.es, command, command_context(meta, command.occurred_at))
        return {
            "warehouse_id": command.warehouse_id,
            "item_id": command.item_id,
            "quantity": outcome.state.on_hand,
            "events": [event.to_message() for event in outcome.events],
        }

    @rpc
    def get_stock(self, warehouse_id: str, query: Json | None = None) -> Json:
        self._warehouse(warehouse_id)
        return list_page(self.es.views, STOCK, f"{warehouse_id}/", query)

    @rpc
    def list_movements(self, warehouse_id: str, query: Json | None = None) -> Json:
        self._warehouse(warehouse_id)
        return list_page(self.es.views, LEDGER, f"{warehouse_id}/", query)

