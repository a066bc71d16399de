"""One item's stock across the district: the service's own total, each warehouse named, with its
minimum level, including a warehouse that holds none of it but should."""

from __future__ import annotations

import pytest
from nameko.testing.services import worker_factory

from services.inventory.projections import PROJECTIONS
from services.inventory.service import InventoryService
from shared.errors import NotFound
from shared.testing import in_memory_application


@pytest.fixture
def service() -> InventoryService:
    service: InventoryService = worker_factory(InventoryService, es=in_memory_application(PROJECTIONS))
    for warehouse, name_zh in (("flood-reserve", "区防汛仓库"), ("mayan-depot", "马岗物资库"),
                               ("chengbei-depot", "城北物资库")):
        service.register_warehouse({"warehouse_id": warehouse, "name": warehouse, "name_zh": name_zh,
                                    "kind": "township"})
    service.register_item({"item_id": "life-jackets", "name": "life jackets", "name_zh": "救生衣",
                           "unit": "件", "category_code": "1999999"})
    return service


def test_each_warehouse_holding_the_item_is_named_with_its_minimum_and_whether_it_is_below(
    service: InventoryService,
) -> None:
    for warehouse, quantity, minimum in (("flood-reserve", 2000, 1500), ("mayan-depot", 253, 300)):
        line = {"warehouse_id": warehouse, "item_id": "life-jackets"}
        service.record_movement({**line, "kind": "receipt", "quantity": quantity})
        service.set_minimum_level({**line, "minimum": minimum})
    # a depot with a minimum and nothing on hand is listed too: it is the one most short
    service.set_minimum_level({"warehouse_id": "chengbei-depot", "item_id": "life-jackets", "minimum": 50})
    # what is reserved is not available: 2,000 on hand, 1,400 available, below 1,500
    service.reserve_stock({"warehouse_id": "flood-reserve", "item_id": "life-jackets", "reservation_id": "r1",
                           "quantity": 600})

    total = service.get_item_stock("life-jackets")
    assert (total["name_zh"], total["unit"], total["on_hand"]) == ("救生衣", "件", 2253)
    shares = {warehouse: (share["name_zh"], share["on_hand"], share["minimum"], share["below_minimum"])
              for warehouse, share in total["by_warehouse"].items()}
    assert shares == {"chengbei-depot": ("城北物资库", 0, 50, True),
                      "flood-reserve": ("区防汛仓库", 2000, 1500, True),
                      "mayan-depot": ("马岗物资库", 253, 300, True)}


def test_an_item_never_received_has_no_share_anywhere_and_an_unknown_item_is_not_found(
    service: InventoryService,
) -> None:
    total = service.get_item_stock("life-jackets")
    assert (total["on_hand"], total["by_warehouse"]) == (0, {})
    with pytest.raises(NotFound):
        service.get_item_stock("no-such-item")
