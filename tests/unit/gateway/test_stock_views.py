"""The overview's stock section: the inventory service's own figures, joined with names."""

from __future__ import annotations

from services.gateway import stock
from services.gateway.gather import Gatherer
from tests.unit.gateway.fake_services import NOW, FakeServices


def test_the_stock_summary_names_shortages_and_lots_expiring_within_30_days() -> None:
    services = FakeServices()
    summary = stock.stock_summary(Gatherer(services, lambda: NOW))
    assert (summary["warehouses"], summary["items"], summary["out_of_stock"]) == (2, 3, ["generators"])
    assert summary["shortages"] == [{
        "warehouse_id": "depot-a", "warehouse_name": "Depot A", "warehouse_name_zh": "甲库",
        "item_id": "sandbags", "item_name": "sandbags", "item_name_zh": "sandbags-zh", "unit": "piece",
        "minimum": 100, "available": 40, "missing": 60}]
    assert [(lot["lot"], lot["expired"], lot["warehouse_name_zh"]) for lot in summary["expiring_lots"]] == [
        ("L0", True, "甲库"), ("L1", False, "甲库")]
    [asked] = [call for call in services.calls if call[1] == "expiring_lots"]
    assert asked[-1]["within_days"] == 30
