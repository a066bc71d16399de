"""Inventory routes: the catalogue, warehouses and their stock, transfers, agreement reserves,
district-wide reads and the CSV paths.

Warehouse keepers act on their own warehouses (`scope="warehouse_id"`): the warehouse
in the path, or in the body for a transfer — the source when dispatching, the
destination when receiving (the service refuses a receipt by any warehouse but the
transfer's destination). Reservations, agreements, closing a warehouse and census
imports are the command centre's. Where the gateway once answered stock views itself,
the service's own reads answer now (`/stock`, `/items/{id}/stock`, `/stock/shortages`…).
"""

from __future__ import annotations

from services.inventory import queries
from services.inventory import schemas as answers
from services.inventory.domain import agreements, items, stock_commands, transfers, warehouses
from services.inventory.rpc.district import ImportRequest

from . import READ, command, listing, read, write

KEEPER = write("commander", "warehouse_keeper", scope="warehouse_id")
COMMANDER = write("commander")
W = "/warehouses/<warehouse_id>"
LINE = f"{W}/stock/<item_id>"
CALL_OFF = "/agreements/<agreement_id>/call-offs/<call_off_id>"
MOVEMENT = stock_commands.ReceiveStock | stock_commands.IssueStock | stock_commands.WriteOffStock

CATALOGUE = (
    listing("list_items", "/items", "inventory", "list_items", "The item catalogue", READ,
            response=answers.Item),
    command("register_item", "/items", "inventory", "register_item", "Register an item in the catalogue",
            COMMANDER, request=items.RegisterItem, response=answers.Item),
    read("get_item", "/items/<item_id>", "inventory", "get_item", "One catalogue item", READ,
         response=answers.Item),
    read("get_item_stock", "/items/<item_id>/stock", "inventory", "get_item_stock",
         "One item's district total and each warehouse's share by name, with its minimum level", READ,
         response=answers.ItemStock),
    listing("list_warehouses", "/warehouses", "inventory", "list_warehouses",
            "Reserve warehouses and depots", READ, response=answers.Warehouse),
    command("register_warehouse", "/warehouses", "inventory", "register_warehouse",
            "Register a warehouse or depot", COMMANDER, request=warehouses.RegisterWarehouse,
            response=answers.Warehouse),
    read("get_warehouse", W, "inventory", "get_warehouse", "One warehouse", READ,
         response=answers.Warehouse),
    command("close_warehouse", f"{W}/close", "inventory", "close_warehouse",
            "Close a warehouse: it receives nothing more", COMMANDER, request=warehouses.CloseWarehouse,
            response=answers.WarehouseClosed, status=200),
)

WAREHOUSE_STOCK = (
    listing("get_stock", f"{W}/stock", "inventory", "get_stock",
            "Stock lines of a warehouse: on hand, reserved, available, in transit, lots", READ,
            response=answers.StockLine),
    read("get_stock_line", LINE, "inventory", "get_stock_line", "One stock line", READ,
         response=answers.StockLine),
    read("suggest_issue", f"{LINE}/issue-suggestion", "inventory", "suggest_issue",
         "Which lots to issue, first-expiring-first-out (query: quantity, as_of)", READ,
         query=queries.SuggestionQuery, response=answers.IssueSuggestion),
    command("set_minimum_level", f"{LINE}/minimum", "inventory", "set_minimum_level",
            "Set the minimum reserve level (储备定额)", KEEPER, request=stock_commands.SetMinimumLevel,
            response=answers.LineChanged, method="PUT", status=200),
    command("record_inspection", f"{LINE}/inspections", "inventory", "record_inspection",
            "Record an inspection or maintenance", KEEPER, request=stock_commands.RecordInspection,
            response=answers.LineChanged),
    command("reverse_movement", f"{LINE}/reversals", "inventory", "reverse_movement",
            "Reverse a receipt, issue or write-off by a new event", KEEPER,
            request=stock_commands.ReverseMovement, response=answers.LineChanged),
    read("explain_stocktake", f"{LINE}/stocktake", "inventory", "explain_stocktake",
         "The latest (or `version`) count and the movements since the count before it", READ,
         query=queries.CountQuery, response=answers.StocktakeExplained),
    listing("list_movements", f"{W}/movements", "inventory", "list_movements",
            "The movement ledger by when things happened (filters: item_id, from, until)", READ,
            query=queries.LedgerQuery, response=answers.Movement),
    command("record_movement", f"{W}/movements", "inventory", "record_movement",
            "Record a receipt, an issue or a write-off (`kind`)", KEEPER, request=MOVEMENT,
            response=answers.LineChanged),
    read("stock_as_of", f"{W}/stock-as-of", "inventory", "stock_as_of",
         "Stock at a past moment: as it happened (clock=occurred) or as recorded then (clock=recorded)",
         READ, query=queries.AsOfQuery, response=answers.WarehouseStockAsOf),
    listing("list_stocktakes", f"{W}/stocktakes", "inventory", "list_stocktakes", "Counts of a warehouse",
            READ, response=answers.Movement),
    command("count_stock", f"{W}/stocktakes", "inventory", "count_stock",
            "Record a stocktake; a difference is adjusted and needs a reason", KEEPER,
            request=stock_commands.CountStock, response=answers.LineChanged),
    listing("list_reservations", f"{W}/reservations", "inventory", "list_reservations",
            "Open reservations in a warehouse", READ, response=answers.Reservation),
    command("reserve_stock", f"{W}/reservations", "inventory", "reserve_stock",
            "Reserve available stock for an incident", COMMANDER, request=stock_commands.ReserveStock,
            response=answers.LineChanged),
    command("release_reservation", f"{W}/reservations/<reservation_id>/release", "inventory",
            "release_reservation", "Release a reservation (all that is left, or `quantity`)", COMMANDER,
            request=stock_commands.ReleaseReservation, response=answers.LineChanged, status=200),
)

DISTRICT = (
    listing("district_stock", "/stock", "inventory", "district_stock",
            "District totals per item: on hand, reserved, available, in transit, each warehouse's share",
            READ, response=answers.ItemTotal),
    listing("list_shortages", "/stock/shortages", "inventory", "list_shortages",
            "Stock lines below their minimum level", READ, response=answers.Shortage),
    listing("expiring_lots", "/stock/expiring", "inventory", "expiring_lots",
            "Lots expiring within `within_days` (default 30), expired first", READ,
            query=queries.ExpiringQuery, response=answers.ExpiringLot),
    listing("overdue_inspections", "/stock/inspections-overdue", "inventory", "overdue_inspections",
            "Equipment whose inspection is overdue", READ, query=queries.OverdueQuery,
            response=answers.OverdueInspection),
    read("on_site_within", "/stock/on-site", "inventory", "on_site_within",
         "What can be on site within `within_hours`: stock plus callable agreement reserves (paged)",
         READ, query=queries.OnSiteQuery, response=answers.OnSite),
    read("district_stock_as_of", "/stock/as-of", "inventory", "district_stock_as_of",
         "District stock at a past moment, on either clock", READ, query=queries.AsOfQuery,
         response=answers.StockAsOf),
    listing("incident_reservations", "/stock/reservations", "inventory", "incident_reservations",
            "Open reservations held for an incident (query: incident_id)", READ,
            query=queries.IncidentQuery, response=answers.Reservation),
    read("export_stock", "/stock/export", "inventory", "export_stock",
         "Current stock as CSV, one row per warehouse and item", READ, query=queries.ExportQuery,
         response=str, answer="csv"),
    command("import_stock", "/stock/imports", "inventory", "import_stock",
            "Import a census (a text/csv body; a bad file imports nothing)", COMMANDER,
            request=ImportRequest, response=answers.ImportStaged, body="csv", status=202),
    read("get_import", "/stock/imports/<import_id>", "inventory", "get_import",
         "A census import's progress and rejected rows", READ, response=answers.ImportProgress),
)

TRANSFERS = (
    listing("list_transfers", "/transfers", "inventory", "list_transfers", "Transfers between warehouses",
            READ, response=answers.Transfer),
    command("dispatch_transfer", "/transfers", "inventory", "dispatch_transfer",
            "Dispatch a transfer from `warehouse_id` to `to_warehouse_id`", KEEPER,
            request=stock_commands.DispatchTransfer, response=answers.Transfer),
    read("get_transfer", "/transfers/<transfer_id>", "inventory", "get_transfer", "One transfer", READ,
         response=answers.Transfer),
    command("receive_transfer", "/transfers/<transfer_id>/receipt", "inventory", "receive_transfer",
            "Record what arrived at the destination (`warehouse_id`)", KEEPER,
            request=transfers.ReceiveTransfer, response=answers.TransferReceived, status=200),
)

AGREEMENTS = (
    listing("list_agreements", "/agreements", "inventory", "list_agreements", "Agreement reserves", READ,
            response=answers.Agreement),
    command("register_agreement", "/agreements", "inventory", "register_agreement",
            "Register an agreement reserve", COMMANDER, request=agreements.RegisterAgreement,
            response=answers.Agreement),
    read("get_agreement", "/agreements/<agreement_id>", "inventory", "get_agreement", "One agreement",
         READ, response=answers.Agreement),
    command("renew_agreement", "/agreements/<agreement_id>/renewal", "inventory", "renew_agreement",
            "Extend an agreement to a later end date", COMMANDER, request=agreements.RenewAgreement,
            response=answers.AgreementRenewed, status=200),
    listing("list_call_offs", "/agreements/<agreement_id>/call-offs", "inventory", "list_call_offs",
            "Call-offs against an agreement", READ, response=answers.CallOff),
    command("request_call_off", "/agreements/<agreement_id>/call-offs", "inventory", "request_call_off",
            "Call off contracted equipment or stock", COMMANDER, request=agreements.RequestCallOff,
            response=answers.CallOffChanged),
    command("record_call_off_delivery", f"{CALL_OFF}/deliveries", "inventory",
            "record_call_off_delivery", "Record what a call-off delivered", COMMANDER,
            request=agreements.RecordCallOffDelivery, response=answers.CallOffChanged),
    command("close_call_off", f"{CALL_OFF}/close", "inventory", "close_call_off",
            "Close a call-off: its quantities can be called again", COMMANDER,
            request=agreements.CloseCallOff, response=answers.CallOffChanged, status=200),
)

ROUTES = (*CATALOGUE, *WAREHOUSE_STOCK, *DISTRICT, *TRANSFERS, *AGREEMENTS)
