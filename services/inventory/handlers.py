"""Inventory command handlers: load → decide → append, through the Application."""

from __future__ import annotations

from shared.application import Application, CommandContext, Outcome
from shared.errors import NotFound

from .domain import items, stock, warehouses
from .domain.items import Item, RegisterItem
from .domain.stock import Stock, StockCommand
from .domain.warehouses import RegisterWarehouse, Warehouse


def register_item(app: Application, command: RegisterItem, context: CommandContext) -> Outcome[Item]:
    return app.execute(items.stream_id(command.item_id), items.items, command, context)


def register_warehouse(
    app: Application, command: RegisterWarehouse, context: CommandContext
) -> Outcome[Warehouse]:
    stream = warehouses.stream_id(command.warehouse_id)
    return app.execute(stream, warehouses.warehouses, command, context)


def move_stock(app: Application, command: StockCommand, context: CommandContext) -> Outcome[Stock]:
    """Receive or issue stock of a registered item in a registered warehouse."""
    _require(app, warehouses.stream_id(command.warehouse_id),
             f"no warehouse {command.warehouse_id}", "warehouse_id")
    _require(app, items.stream_id(command.item_id),
             f"no item {command.item_id} in the catalogue", "item_id")
    stream = stock.stream_id(command.warehouse_id, command.item_id)
    return app.execute(stream, stock.stock, command, context)


def _require(app: Application, stream_id: str, message: str, field: str) -> None:
    if app.store.stream_version(stream_id) == 0:
        raise NotFound(message, field=field)
