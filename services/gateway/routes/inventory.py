"""Inventory routes: the item catalogue, warehouses, stock and its movements."""

from __future__ import annotations

from services.inventory.domain.items import RegisterItem
from services.inventory.domain.stock import IssueStock, ReceiveStock
from services.inventory.domain.warehouses import RegisterWarehouse
from services.inventory.schemas import Item, Movement, MovementRecorded, StockLevel, Warehouse

from . import READ, command, listing, read, write

ROUTES = (
    listing("list_items", "/items", "inventory", "list_items", "The item catalogue", READ,
            response=Item),
    command("register_item", "/items", "inventory", "register_item", "Register an item in the catalogue",
            write("commander"), request=RegisterItem, response=Item),
    read("get_item", "/items/<item_id>", "inventory", "get_item", "One catalogue item", READ,
         response=Item),
    listing("list_warehouses", "/warehouses", "inventory", "list_warehouses",
            "Reserve warehouses and depots", READ, response=Warehouse),
    command("register_warehouse", "/warehouses", "inventory", "register_warehouse",
            "Register a warehouse or depot", write("commander"), request=RegisterWarehouse,
            response=Warehouse),
    read("get_warehouse", "/warehouses/<warehouse_id>", "inventory", "get_warehouse", "One warehouse",
         READ, response=Warehouse),
    listing("get_stock", "/warehouses/<warehouse_id>/stock", "inventory", "get_stock",
            "Stock on hand per item in a warehouse", READ, response=StockLevel),
    listing("list_movements", "/warehouses/<warehouse_id>/movements", "inventory", "list_movements",
            "The movement ledger of a warehouse", READ, response=Movement),
    command("record_movement", "/warehouses/<warehouse_id>/movements", "inventory", "record_movement",
            "Record a receipt or an issue", write("commander", "warehouse_keeper", scope="warehouse_id"),
            request=ReceiveStock | IssueStock, response=MovementRecorded),
)
