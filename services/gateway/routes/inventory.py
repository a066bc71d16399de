"""Inventory routes: the item catalogue, warehouses, stock and its movements."""

from __future__ import annotations

from . import command, listing, read, write

ROUTES = (
    listing("list_items", "/items", "inventory", "list_items", "The item catalogue"),
    command("register_item", "/items", "inventory", "register_item", "Register an item in the catalogue",
            write("commander")),
    read("get_item", "/items/<item_id>", "inventory", "get_item", "One catalogue item"),
    listing("list_warehouses", "/warehouses", "inventory", "list_warehouses",
            "Reserve warehouses and depots"),
    command("register_warehouse", "/warehouses", "inventory", "register_warehouse",
            "Register a warehouse or depot", write("commander")),
    read("get_warehouse", "/warehouses/<warehouse_id>", "inventory", "get_warehouse", "One warehouse"),
    listing("get_stock", "/warehouses/<warehouse_id>/stock", "inventory", "get_stock",
            "Stock on hand per item in a warehouse"),
    listing("list_movements", "/warehouses/<warehouse_id>/movements", "inventory", "list_movements",
            "The movement ledger of a warehouse"),
    command("record_movement", "/warehouses/<warehouse_id>/movements", "inventory", "record_movement",
            "Record a receipt or an issue", write("commander", "warehouse_keeper", scope="warehouse_id")),
)
