"""Items and warehouses: register, close, read, list."""

from __future__ import annotations

from shared.decider import parse
from shared.nameko_kit import Json, command_context, rpc
from shared.paging import list_page

from .. import handlers
from ..domain.items import RegisterItem
from ..domain.warehouses import CloseWarehouse, RegisterWarehouse
from ..projections.keys import ITEMS, WAREHOUSES
from ..projections.registry import item_doc, warehouse_doc
from .base import InventoryRpc


class CatalogueRpc(InventoryRpc):
    @rpc
    def register_item(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterItem, payload)
        outcome = handlers.register_item(self.es, command, command_context(meta, command.occurred_at))
        return item_doc(outcome.events[0])

    @rpc
    def get_item(self, item_id: str) -> Json:
        return self.views.require(ITEMS, item_id, f"no item {item_id}", "item_id")

    @rpc
    def list_items(self, query: Json | None = None) -> Json:
        return list_page(self.views, ITEMS, "", query)

    @rpc
    def register_warehouse(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterWarehouse, payload)
        outcome = handlers.change_warehouse(self.es, command, command_context(meta, command.occurred_at))
        return warehouse_doc(outcome.events[0])

    @rpc
    def close_warehouse(self, payload: Json, meta: Json | None = None) -> Json:
        """Close a warehouse: it receives nothing more; what it holds can still leave."""
        command = parse(CloseWarehouse, payload)
        outcome = handlers.change_warehouse(self.es, command, command_context(meta, command.occurred_at))
        closed = outcome.events[0]
        return {"warehouse_id": command.warehouse_id, "status": "closed",
                "closed_at": closed.occurred_at.isoformat(), "closed_reason": closed.data["reason"]}

    @rpc
    def get_warehouse(self, warehouse_id: str) -> Json:
        return self.warehouse(warehouse_id)

    @rpc
    def list_warehouses(self, query: Json | None = None) -> Json:
        return list_page(self.views, WAREHOUSES, "", query)
