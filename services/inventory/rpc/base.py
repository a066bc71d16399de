"""What every group of inventory entrypoints shares: the Application and warehouse lookups."""

from __future__ import annotations

from shared.application import Application
from shared.nameko_kit import Json
from shared.views import ViewStore

from ..projections.keys import WAREHOUSES


class InventoryRpc:
    es: Application

    @property
    def views(self) -> ViewStore:
        """The read models, caught up first when the store is ahead of them: another replica
        may have written since this one last did, and a client reads its writes on any replica."""
        if self.es.runner.lag():
            self.es.runner.catch_up()
        return self.es.views

    def warehouse(self, warehouse_id: str) -> Json:
        """The warehouse's document, or NotFound naming `warehouse_id`."""
        return self.views.require(WAREHOUSES, warehouse_id, f"no warehouse {warehouse_id}",
                                     "warehouse_id")
