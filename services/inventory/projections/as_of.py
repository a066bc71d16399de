"""Stock as of any past moment, on both clocks, answered without replaying the log.

"As it happened" sums every movement whose `occurred_at` is at or before T; "as we
knew it then" sums every movement whose `recorded_at` is at or before T. A paper form
typed in today for last week changes the first for last week, not the second.

For each warehouse, clock and item the read model keeps the net change in calendar
buckets — year, month, day, hour, minute, second (UTC) — and each movement by its
exact time. The stock at T is the sum of: the years before T's year, the months of
T's year before T's month, ... the seconds of T's minute before T's second, and the
movements within T's second up to T. So a query reads at most
years + 11 + 30 + 23 + 59 + 59 buckets per item that moved in them, plus the movements
recorded in the same second as T: its cost grows with the years of history and the
items, not with the number of movements. Each movement costs 7 small document writes
per clock, whatever else the warehouse holds (a bucket per item, not one per warehouse
listing every item, so a movement never re-encodes the warehouse's other items).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from shared.envelope import EventEnvelope
from shared.views import Views

from ..domain.stock import changes
from .keys import AS_OF, key, position_key, time_key
from .levels import LINE_EVENTS

Clock = Literal["occurred", "recorded"]
CLOCK_CODE: dict[Clock, str] = {"occurred": "o", "recorded": "r"}
#: (level code, length of the time-key prefix that names a bucket of this level)
LEVELS = (("Y", 4), ("M", 7), ("D", 10), ("h", 13), ("m", 16), ("s", 19))
Figures = list[int]  # on hand, reserved, in transit


class StockAsOf:
    name = "stock-as-of"
    collections = (AS_OF,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type not in LINE_EVENTS:
            return
        delta = list(changes(event.type, event.data))
        if not any(delta):
            return
        warehouse, item = event.data["warehouse_id"], event.data["item_id"]
        for clock, moment in (("o", event.occurred_at), ("r", event.recorded_at)):
            when = time_key(moment)
            for level, length in LEVELS:
                bucket_key = key(warehouse, clock, level, when[:length], item)
                bucket = views.get(AS_OF, bucket_key)
                figures = _add(bucket["figures"], delta) if bucket else delta
                views.put(AS_OF, bucket_key, {"bucket": when[:length], "item": item, "figures": figures})
            views.put(AS_OF, key(warehouse, clock, "e", when, position_key(event.position)),
                      {"at": when, "items": {item: delta}})


def _add(total: Figures, delta: Iterable[int]) -> Figures:
    return [a + b for a, b in zip(total, delta, strict=True)]


def stock_as_of(views: Views, warehouse_id: str, moment: datetime, clock: Clock) -> dict[str, Figures]:
    """Per item, [on hand, reserved, in transit] of `warehouse_id` at `moment` on `clock`."""
    when = time_key(moment)
    prefix = key(warehouse_id, CLOCK_CODE[clock])
    totals: dict[str, Figures] = {}
    parent = 0
    for level, length in LEVELS:
        # a bucket key is prefix/level/period/item, and periods of one level have one width, so
        # the keys below prefix/level/<T's period> are exactly the periods before T's
        period = key(prefix, level, when[:length])
        for doc in views.list(AS_OF, key(prefix, level, when[:parent]), below=period):
            _sum_into(totals, doc["item"], doc["figures"])
        parent = length
    for doc in views.list(AS_OF, key(prefix, "e", when[:parent])):
        if doc["at"] <= when:
            for item, delta in doc["items"].items():
                _sum_into(totals, item, delta)
    return totals


def _sum_into(totals: dict[str, Figures], item: str, delta: Figures) -> None:
    totals[item] = _add(totals.get(item, [0, 0, 0]), delta)
