"""What every group of inventory entrypoints shares: the Application and warehouse lookups."""

from __future__ import annotations

from shared.application import Application
from shared.nameko_kit import Json

from ..projections.keys import WAREHOUSES


class InventoryRpc:
    es: Application

    def warehouse(self, warehouse_id: str) -> Json:
        """The warehouse's document, or NotFound naming `warehouse_id`."""
        return self.es.views.require(WAREHOUSES, warehouse_id, f"no warehouse {warehouse_id}",
                                     "warehouse_id")
