"""Inventory's business gauges, read from its read models when Prometheus scrapes.

Every gauge is labelled by the GB/T 38565-2020 class digit of the item's category code
(`unknown` for an item no longer in the catalogue, which cannot happen today but must
not break a scrape). What counts is what the API lists: a stock line is below its
minimum when `/stock/shortages` lists it (available below the minimum level), and a
lot expires soon when `/stock/expiring?within_days=30` lists it (expired lots included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from shared.envelope import now
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import LOTS_EXPIRING, STOCK_BELOW_MINIMUM, STOCK_ON_HAND
from shared.views import ViewStore

from .domain.lots import china_date
from .projections.keys import EXPIRY, ITEMS, SHORTAGES, STOCK

CLASSES = ("1", "2", "3")
#: Lots expiring within this many days count as expiring soon (the alert's horizon).
EXPIRING_WITHIN_DAYS = 30
PAGE = 1000
Doc = dict[str, Any]


def _by_class(views: ViewStore, lines: Iterable[Doc], amount: str | None) -> dict[tuple[str, ...], float]:
    """Sum `amount` of each line (or count the lines) by its item's class digit."""
    class_of = {item["item_id"]: item["category_code"][0] for item in views.list(ITEMS)}
    totals = dict.fromkeys(CLASSES, 0.0)
    for line in lines:
        digit = class_of.get(line["item_id"], "unknown")
        value = line[amount] if amount is not None else 1
        totals[digit] = totals.get(digit, 0.0) + float(value)
    return {(digit,): total for digit, total in totals.items()}


def stock_on_hand(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Stock on hand over every warehouse, summed by class digit."""
    return _by_class(views, views.list(STOCK), "on_hand")


def lines_below_minimum(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Stock lines whose available stock is below their minimum level, by class digit."""
    return _by_class(views, views.list(SHORTAGES), None)


def _expiring(views: ViewStore, horizon: str) -> Iterator[Doc]:
    """Lots on hand by expiry date (the index's key order), up to and including `horizon`."""
    after = None
    while True:
        docs, after = views.page(EXPIRY, "", after, PAGE)
        for doc in docs:
            if str(doc["expires_on"]) > horizon:
                return
            yield doc
        if after is None:
            return


def lots_expiring_soon(views: ViewStore) -> dict[tuple[str, ...], float]:
    """Lots on hand that expired or expire within 30 days (China's calendar), by class digit."""
    horizon = (china_date(now()) + timedelta(days=EXPIRING_WITHIN_DAYS)).isoformat()
    return _by_class(views, _expiring(views, horizon), None)


def register_gauges(gauges: ReadModelGauges) -> None:
    gauges.add(STOCK_ON_HAND, stock_on_hand)
    gauges.add(STOCK_BELOW_MINIMUM, lines_below_minimum)
    gauges.add(LOTS_EXPIRING, lots_expiring_soon)
