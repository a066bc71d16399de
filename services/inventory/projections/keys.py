"""Read-model collections and their keys.

Keys join ids with `/`. Warehouse, item, reservation, transfer and agreement ids are
slugs and lot ids never contain `/`, so no two different keys can be confused.
Times in keys are UTC with microseconds, fixed width (`2024-06-30T14:00:00.000000`),
so keys sort in time order.
"""

from __future__ import annotations

from datetime import UTC, datetime

ITEMS, WAREHOUSES = "items", "warehouses"
STOCK, TOTALS, SHORTAGES = "stock", "stock_totals", "shortages"
EXPIRY, INSPECTIONS_DUE = "lot_expiry", "inspections_due"
RESERVATIONS, INCIDENT_RESERVATIONS = "reservations", "incident_reservations"
LEDGER, LEDGER_ITEM, LINE_HISTORY, STOCKTAKES = "ledger", "ledger_by_item", "line_history", "stocktakes"
AS_OF = "stock_as_of"
TRANSFERS, AGREEMENTS, CALL_OFFS, AGREEMENT_CAPACITY = (
    "transfers", "agreements", "call_offs", "agreement_capacity")
IMPORTS = "imports"


def key(*parts: str | int) -> str:
    return "/".join(str(part) for part in parts)


def time_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def position_key(position: int) -> str:
    return f"{position:012d}"


def version_key(version: int) -> str:
    return f"{version:010d}"
