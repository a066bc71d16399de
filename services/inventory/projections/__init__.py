"""Inventory read models, applied in this order for every event.

Order matters where one read model reads another within the same event: stock
levels read the item's inspection interval (registers), and the ledger reads the
line's balance (stock levels).
"""

from __future__ import annotations

from .as_of import StockAsOf
from .ledger import Ledger
from .levels import StockLevels
from .registry import Agreements, Imports, Registers

PROJECTIONS = (Registers(), Agreements(), Imports(), StockLevels(), Ledger(), StockAsOf())
