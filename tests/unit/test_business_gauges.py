"""Each service's business gauges, read from its real read models on the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.testing.services import worker_factory

from services.incidents import gauges as incident_gauges
from services.incidents.projections import PROJECTIONS as INCIDENT_PROJECTIONS
from services.incidents.service import IncidentsService
from services.inventory import gauges as inventory_gauges
from services.inventory.domain.lots import china_date
from services.inventory.projections import PROJECTIONS as INVENTORY_PROJECTIONS
from services.inventory.service import InventoryService
from services.teams import gauges as team_gauges
from services.teams.projections import PROJECTIONS as TEAM_PROJECTIONS
from services.teams.service import TeamsService
from shared.clock import WallClock
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import (
    INCIDENTS_OPEN,
    LOTS_EXPIRING,
    PEOPLE_AVAILABLE,
    STOCK_BELOW_MINIMUM,
    STOCK_ON_HAND,
    TEAMS,
    TEAMS_STALE,
)
from shared.testing import in_memory_application

Values = dict[tuple[str, tuple[str, ...]], float]


def gauge_values(register: Any, service: Any, name: str | None = None) -> Values:
    """The gauges' values now (of the one metric `name`, when given), by name and labels."""
    gauges = ReadModelGauges()
    register(gauges)
    return {(spec.name, labels): value for spec, labels, value in gauges.read(service.es.views)
            if name in (None, spec.name)}


def nonzero(values: Values) -> dict[tuple[str, ...], float]:
    return {labels: value for (_, labels), value in values.items() if value}


def test_stock_on_hand_is_summed_by_gb_t_38565_class_digit() -> None:
    service = worker_factory(InventoryService, es=in_memory_application(INVENTORY_PROJECTIONS))
    service.register_warehouse({"warehouse_id": "jinan-flood", "name": "Flood reserve", "name_zh": "防汛仓库",
                                "kind": "district"})
    for item, code in (("sandbags", "3999999"), ("rubber-boats", "2999999"), ("assault-boats", "2999999")):
        service.register_item({"item_id": item, "name": item, "name_zh": item, "unit": "piece",
                               "category_code": code})
    for item, quantity in (("sandbags", 290000), ("rubber-boats", 32), ("assault-boats", 10)):
        service.record_movement({"kind": "receipt", "warehouse_id": "jinan-flood", "item_id": item,
                                 "quantity": quantity})
    service.record_movement({"kind": "issue", "warehouse_id": "jinan-flood", "item_id": "rubber-boats",
                             "quantity": 2, "destination": "Sanshipu township"})

    assert gauge_values(inventory_gauges.register_gauges, service, STOCK_ON_HAND.name) == {
        (STOCK_ON_HAND.name, ("1",)): 0.0,
        (STOCK_ON_HAND.name, ("2",)): 40.0,
        (STOCK_ON_HAND.name, ("3",)): 290000.0,
    }


def test_teams_are_counted_by_readiness_status_each_grouped_team_counting() -> None:
    service = worker_factory(TeamsService, es=in_memory_application(TEAM_PROJECTIONS))
    service.register_team({"team_id": "longma", "name": "Longma", "name_zh": "龙马",
                           "team_type": "enterprise", "members": 18})
    service.register_team({"team_id": "township-flood", "name": "Township flood teams", "name_zh": "乡级防汛",
                           "team_type": "township", "units": 22, "members": 1262})
    service.report_readiness({"team_id": "longma", "status": "ready", "people_available": 18})

    values = gauge_values(team_gauges.register_gauges, service, TEAMS.name)
    assert values == {(TEAMS.name, ("ready",)): 1.0, (TEAMS.name, ("partially_ready",)): 0.0,
                      (TEAMS.name, ("not_ready",)): 0.0, (TEAMS.name, ("unknown",)): 22.0}


def inventory_with_items(*items: tuple[str, str]) -> Any:
    service = worker_factory(InventoryService, es=in_memory_application(INVENTORY_PROJECTIONS))
    service.register_warehouse({"warehouse_id": "jinan-flood", "name": "Flood reserve", "name_zh": "防汛仓库",
                                "kind": "district"})
    for item, code in items:
        service.register_item({"item_id": item, "name": item, "name_zh": item, "unit": "piece",
                               "category_code": code})
    return service


def test_lines_below_their_minimum_are_counted_by_class_as_the_shortages_list_shows_them() -> None:
    service = inventory_with_items(("life-jackets", "1999999"), ("pumps", "2999999"), ("boats", "2999999"),
                                   ("generators", "3999999"))
    for item, on_hand, minimum in (("life-jackets", 2253, 2000), ("pumps", 10, 46), ("boats", 5, 32),
                                   ("generators", 11, 11)):
        line = {"warehouse_id": "jinan-flood", "item_id": item}
        service.record_movement({**line, "kind": "receipt", "quantity": on_hand})
        service.set_minimum_level({**line, "minimum": minimum})
    # 400 reserved leave 1,853 available of 2,253 on hand: below the minimum of 2,000 too
    service.reserve_stock({"warehouse_id": "jinan-flood", "item_id": "life-jackets", "reservation_id": "r1",
                           "quantity": 400})
    values = gauge_values(inventory_gauges.register_gauges, service, STOCK_BELOW_MINIMUM.name)
    assert nonzero(values) == {("1",): 1.0, ("2",): 2.0}
    assert len(service.list_shortages({})["items"]) == 3


def test_lots_that_expired_or_expire_within_30_days_are_counted_by_class() -> None:
    service = inventory_with_items(("water", "1999999"), ("rations", "1999999"), ("batteries", "2999999"),
                                   ("tents", "2999999"))
    today = china_date(datetime.now(UTC))  # the bureau's calendar, as the gauge and the API count
    for item, lot, expires_on in (("water", "W1", today - timedelta(days=3)),
                                  ("water", "W2", today + timedelta(days=20)),
                                  ("rations", "R1", today + timedelta(days=45)),
                                  ("batteries", "B1", today + timedelta(days=30)),
                                  ("tents", "T1", today + timedelta(days=31))):
        service.record_movement({"kind": "receipt", "warehouse_id": "jinan-flood", "item_id": item,
                                 "quantity": 10, "lot": lot, "expires_on": expires_on.isoformat()})
    values = gauge_values(inventory_gauges.register_gauges, service, LOTS_EXPIRING.name)
    assert nonzero(values) == {("1",): 2.0, ("2",): 1.0}
    listed = {doc["lot"] for doc in service.expiring_lots({})["items"]}
    assert listed == {"W1", "W2", "B1"}  # the gauge counts what /stock/expiring lists


def test_stale_teams_are_counted_by_type_each_grouped_team_counting() -> None:
    service = worker_factory(TeamsService, es=in_memory_application(TEAM_PROJECTIONS))
    long_ago = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    service.register_team({"team_id": "township-flood", "name": "Township flood teams", "name_zh": "乡级防汛",
                           "team_type": "township", "units": 22, "members": 1262, "occurred_at": long_ago})
    service.register_team({"team_id": "longma", "name": "Longma", "name_zh": "龙马",
                           "team_type": "enterprise", "members": 18, "occurred_at": long_ago})
    service.report_readiness({"team_id": "longma", "status": "ready", "people_available": 18})
    service.register_team({"team_id": "blue-sky", "name": "Blue Sky", "name_zh": "蓝天",
                           "team_type": "social"})

    values = gauge_values(team_gauges.register_gauges, service, TEAMS_STALE.name)
    assert nonzero(values) == {("township",): 22.0}
    assert (TEAMS_STALE.name, ("militia",)) in values  # every type is exposed, stale or not


def test_people_available_are_those_of_ready_teams_neither_deployed_nor_stale_per_capability() -> None:
    service = worker_factory(TeamsService, es=in_memory_application(TEAM_PROJECTIONS), clock=WallClock())
    flood = ["flood_water_rescue"]
    for team, capabilities in (("longma", ["drainage", *flood]), ("sent", flood), ("resting", flood),
                               ("old-news", ["drainage"])):
        service.register_team({"team_id": team, "name": team, "name_zh": team, "team_type": "professional",
                               "capabilities": capabilities, "members": 30})
    service.report_readiness({"team_id": "longma", "status": "partially_ready", "people_available": 12})
    service.report_readiness({"team_id": "sent", "status": "ready", "people_available": 20})
    service.deploy_team({"team_id": "sent", "incident_id": "pi-river-seepage"})
    service.report_readiness({"team_id": "resting", "status": "not_ready", "people_available": 3})
    service.report_readiness({"team_id": "old-news", "status": "ready", "people_available": 25,
                              "occurred_at": (datetime.now(UTC) - timedelta(hours=30)).isoformat()})

    values = gauge_values(team_gauges.register_gauges, service, PEOPLE_AVAILABLE.name)
    assert nonzero(values) == {("drainage",): 12.0, ("flood_water_rescue",): 12.0}
    capacity = {line["capability"]: line["people_available"] for line in service.capacity()["capabilities"]}
    assert {name: value for name, value in capacity.items() if value} == {"drainage": 12,
                                                                           "flood_water_rescue": 12}


def test_open_incidents_are_counted_by_status_and_grade() -> None:
    service = worker_factory(IncidentsService, es=in_memory_application(INCIDENT_PROJECTIONS))
    crash = {"title": "Bus crash on G312", "incident_type": "road_traffic", "category": "accident",
             "township": "sanshipu", "reported_by": "traffic police"}
    service.report_incident({**crash, "incident_id": "crash-1", "deaths": 10})
    service.report_incident({**crash, "incident_id": "crash-2", "deaths": 12})
    service.report_incident({"incident_id": "flood-1", "title": "Flood", "incident_type": "flood",
                             "category": "natural_disaster", "township": "sanshipu", "reported_by": "duty"})

    values = gauge_values(incident_gauges.register_gauges, service)
    assert {key: value for key, value in values.items() if key[0] == INCIDENTS_OPEN.name} == {
        (INCIDENTS_OPEN.name, ("reported", "II")): 2.0,
        (INCIDENTS_OPEN.name, ("reported", "none")): 1.0,
    }
