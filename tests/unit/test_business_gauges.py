"""Each service's business gauges, read from its real read models on the in-memory store."""

from __future__ import annotations

from typing import Any

from nameko.testing.services import worker_factory

from services.incidents import gauges as incident_gauges
from services.incidents.projections import PROJECTIONS as INCIDENT_PROJECTIONS
from services.incidents.service import IncidentsService
from services.inventory import gauges as inventory_gauges
from services.inventory.projections import PROJECTIONS as INVENTORY_PROJECTIONS
from services.inventory.service import InventoryService
from services.teams import gauges as team_gauges
from services.teams.projections import PROJECTIONS as TEAM_PROJECTIONS
from services.teams.service import TeamsService
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import INCIDENTS_OPEN, STOCK_ON_HAND, TEAMS
from shared.testing import in_memory_application


def gauge_values(register: Any, service: Any) -> dict[tuple[str, tuple[str, ...]], float]:
    gauges = ReadModelGauges()
    register(gauges)
    return {(spec.name, labels): value for spec, labels, value in gauges.read(service.es.views)}


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

    assert gauge_values(inventory_gauges.register_gauges, service) == {
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

    values = gauge_values(team_gauges.register_gauges, service)
    assert values == {(TEAMS.name, ("ready",)): 1.0, (TEAMS.name, ("partially_ready",)): 0.0,
                      (TEAMS.name, ("not_ready",)): 0.0, (TEAMS.name, ("unknown",)): 22.0}


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
