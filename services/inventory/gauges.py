"""Inventory's business gauges, read from its read models when Prometheus scrapes."""

from __future__ import annotations

from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import STOCK_ON_HAND
from shared.views import ViewStore

from .projections.keys import ITEMS, STOCK

CLASSES = ("1", "2", "3")


def stock_on_hand(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Quantity on hand summed by the GB/T 38565-2020 class digit of each item's category code."""
    class_of = {item["item_id"]: item["category_code"][0] for item in views.list(ITEMS)}
    totals = dict.fromkeys(CLASSES, 0.0)
    for line in views.list(STOCK):
        digit = class_of.get(line["item_id"], "unknown")
        totals[digit] = totals.get(digit, 0.0) + line["on_hand"]
    return {(digit,): total for digit, total in totals.items()}


def register_gauges(gauges: ReadModelGauges) -> None:
    gauges.add(STOCK_ON_HAND, stock_on_hand)
