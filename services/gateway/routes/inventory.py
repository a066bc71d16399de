"""Inventory routes: the catalogue, warehouses and their stock, transfers, agreement reserves,
district-wide views and the CSV paths.

Warehouse keepers act on their own warehouses (`scope="warehouse_id"`: the warehouse
in the path, or in the body for a transfer: the source when dispatching, the
destination when receiving). Reservations, agreements and census imports are the
command centre's.
"""

from __future__ import annotations

from services.inventory import queries
from services.inventory.domain import agreements, items, stock_commands, transfers, warehouses

from . import command, listing, read, write

KEEPER = write("commander", "warehouse_keeper", scope="warehouse_id")
COMMANDER = write("commander")
W = "/warehouses/<warehouse_id>"
LINE = f"{W}/stock/<item_id>"
CALL_OFF = "/agreements/<agreement_id>/call-offs/<call_off_id>"

CATALOGUE = (
    listing("list_items", "/items", "inventory", "list_items", "The item catalogue"),
    command("register_item", "/items", "inventory", "register_item", "Register an item in the catalogue",
            COMMANDER, request=items.RegisterItem),
    read("get_item", "/items/<item_id>", "inventory", "get_item", "One catalogue item"),
    read("get_item_stock", "/items/<item_id>/stock", "inventory", "get_item_stock",
         "One item's district total, with each warehouse's share"),
    listing("list_warehouses", "/warehouses", "inventory", "list_warehouses",
            "Reserve warehouses and depots"),
    command("register_warehouse", "/warehouses", "inventory", "register_warehouse",
            "Register a warehouse or depot", COMMANDER, request=warehouses.RegisterWarehouse),
    read("get_warehouse", W, "inventory", "get_warehouse", "One warehouse"),
    command("close_warehouse", f"{W}/close", "inventory", "close_warehouse",
            "Close a warehouse: it receives nothing more", COMMANDER, request=warehouses.CloseWarehouse,
            status=200),
)

WAREHOUSE_STOCK = (
    listing("get_stock", f"{W}/stock", "inventory", "get_stock",
            "Stock lines of a warehouse: on hand, reserved, available, in transit, lots"),
    read("get_stock_line", LINE, "inventory", "get_stock_line", "One stock line"),
    read("suggest_issue", f"{LINE}/issue-suggestion", "inventory", "suggest_issue",
         "Which lots to issue, first-expiring-first-out (query: quantity, as_of)",
         query=queries.SuggestionQuery),
    command("set_minimum_level", f"{LINE}/minimum", "inventory", "set_minimum_level",
            "Set the minimum reserve level (储备定额)", KEEPER, request=stock_commands.SetMinimumLevel,
            method="PUT", status=200),
    command("record_inspection", f"{LINE}/inspections", "inventory", "record_inspection",
            "Record an inspection or maintenance", KEEPER, request=stock_commands.RecordInspection),
    command("reverse_movement", f"{LINE}/reversals", "inventory", "reverse_movement",
            "Reverse a receipt, issue or write-off by a new event", KEEPER,
            request=stock_commands.ReverseMovement),
    read("explain_stocktake", f"{LINE}/stocktake", "inventory", "explain_stocktake",
         "The latest (or `version`) count and the movements since the count before it",
         query=queries.CountQuery),
    listing("list_movements", f"{W}/movements", "inventory", "list_movements",
            "The movement ledger by when things happened (filters: item_id, from, until)",
            query=queries.LedgerQuery),
    command("record_movement", f"{W}/movements", "inventory", "record_movement",
            "Record a receipt, an issue or a write-off (`kind`)", KEEPER),
    read("stock_as_of", f"{W}/stock-as-of", "inventory", "stock_as_of",
         "Stock at a past moment: as it happened (clock=occurred) or as recorded then (clock=recorded)",
         query=queries.AsOfQuery),
    listing("list_stocktakes", f"{W}/stocktakes", "inventory", "list_stocktakes", "Counts of a warehouse"),
    command("count_stock", f"{W}/stocktakes", "inventory", "count_stock",
            "Record a stocktake; a difference is adjusted and needs a reason", KEEPER,
            request=stock_commands.CountStock),
    listing("list_reservations", f"{W}/reservations", "inventory", "list_reservations",
            "Open reservations in a warehouse"),
    command("reserve_stock", f"{W}/reservations", "inventory", "reserve_stock",
            "Reserve available stock for an incident", COMMANDER, request=stock_commands.ReserveStock),
    command("release_reservation", f"{W}/reservations/<reservation_id>/release", "inventory",
            "release_reservation", "Release a reservation (all that is left, or `quantity`)", COMMANDER,
            request=stock_commands.ReleaseReservation, status=200),
)

DISTRICT = (
    listing("district_stock", "/stock", "inventory", "district_stock",
            "District totals per item: on hand, reserved, available, in transit"),
    listing("list_shortages", "/stock/shortages", "inventory", "list_shortages",
            "Stock lines below their minimum level"),
    listing("expiring_lots", "/stock/expiring", "inventory", "expiring_lots",
            "Lots expiring within `within_days` (default 30), expired first", query=queries.ExpiringQuery),
    listing("overdue_inspections", "/stock/inspections-overdue", "inventory", "overdue_inspections",
            "Equipment whose inspection is overdue", query=queries.OverdueQuery),
    listing("on_site_within", "/stock/on-site", "inventory", "on_site_within",
            "What can be on site within `within_hours`: stock plus callable agreement reserves",
            query=queries.OnSiteQuery),
    read("district_stock_as_of", "/stock/as-of", "inventory", "district_stock_as_of",
         "District stock at a past moment, on either clock", query=queries.AsOfQuery),
    listing("incident_reservations", "/stock/reservations", "inventory", "incident_reservations",
            "Open reservations held for an incident (query: incident_id)", query=queries.IncidentQuery),
    read("export_stock", "/stock/export", "inventory", "export_stock", "Current stock as CSV",
         query=queries.ExportQuery, answer="csv"),
    command("import_stock", "/stock/imports", "inventory", "import_stock",
            "Import a census (text/csv; a bad file imports nothing)", COMMANDER, body="csv", status=202),
    read("get_import", "/stock/imports/<import_id>", "inventory", "get_import",
         "A census import's progress and rejected rows"),
)

TRANSFERS = (
    listing("list_transfers", "/transfers", "inventory", "list_transfers", "Transfers between warehouses"),
    command("dispatch_transfer", "/transfers", "inventory", "dispatch_transfer",
            "Dispatch a transfer from `warehouse_id` to `to_warehouse_id`", KEEPER,
            request=stock_commands.DispatchTransfer),
    read("get_transfer", "/transfers/<transfer_id>", "inventory", "get_transfer", "One transfer"),
    command("receive_transfer", "/transfers/<transfer_id>/receipt", "inventory", "receive_transfer",
            "Record what arrived at the destination (`warehouse_id`)", KEEPER,
            request=transfers.ReceiveTransfer, status=200),
)

AGREEMENTS = (
    listing("list_agreements", "/agreements", "inventory", "list_agreements", "Agreement reserves"),
    command("register_agreement", "/agreements", "inventory", "register_agreement",
            "Register an agreement reserve", COMMANDER, request=agreements.RegisterAgreement),
    read("get_agreement", "/agreements/<agreement_id>", "inventory", "get_agreement", "One agreement"),
    command("renew_agreement", "/agreements/<agreement_id>/renewal", "inventory", "renew_agreement",
            "Extend an agreement to a later end date", COMMANDER, request=agreements.RenewAgreement,
            status=200),
    listing("list_call_offs", "/agreements/<agreement_id>/call-offs", "inventory", "list_call_offs",
            "Call-offs against an agreement"),
    command("request_call_off", "/agreements/<agreement_id>/call-offs", "inventory", "request_call_off",
            "Call off contracted equipment or stock", COMMANDER, request=agreements.RequestCallOff),
    command("record_call_off_delivery", f"{CALL_OFF}/deliveries", "inventory",
            "record_call_off_delivery", "Record what a call-off delivered", COMMANDER,
            request=agreements.RecordCallOffDelivery),
    command("close_call_off", f"{CALL_OFF}/close", "inventory", "close_call_off",
            "Close a call-off: its quantities can be called again", COMMANDER,
            request=agreements.CloseCallOff, status=200),
)

ROUTES = (*CATALOGUE, *WAREHOUSE_STOCK, *DISTRICT, *TRANSFERS, *AGREEMENTS)
