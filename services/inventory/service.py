"""The inventory service's nameko entrypoints: parse, call the handler, dump. Nothing more.

The entrypoints are grouped by concept in `rpc/`; this class puts them together with
the service's event sourcing and its background census importer.
"""

from __future__ import annotations

from shared.nameko_kit import EventSourcedService, event_sourcing

from .gauges import register_gauges
from .import_worker import import_worker
from .projections import PROJECTIONS
from .rpc.agreements import AgreementRpc
from .rpc.catalogue import CatalogueRpc
from .rpc.district import DistrictRpc
from .rpc.stock import StockRpc
from .rpc.transfers import TransferRpc


class InventoryService(CatalogueRpc, StockRpc, DistrictRpc, TransferRpc, AgreementRpc, EventSourcedService):
    name = "inventory"
    es = event_sourcing(PROJECTIONS, gauges=register_gauges)
    importer = import_worker()
