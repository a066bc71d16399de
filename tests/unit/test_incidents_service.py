from __future__ import annotations

import pytest
from nameko.testing.services import worker_factory

from services.incidents.projections import PROJECTIONS
from services.incidents.service import IncidentsService
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.testing import in_memory_application

CRASH = {"incident_id": "g312-crash", "title": "Bus crash on G312", "incident_type": "road_traffic",
         "category": "accident", "township": "Sanshipu", "reported_by": "traffic police",
         "deaths": 10}


@pytest.fixture
def service() -> IncidentsService:
    return worker_factory(IncidentsService, es=in_memory_application(PROJECTIONS))  # type: ignore[no-any-return]


def test_a_reported_incident_is_returned_read_back_and_listed(service: IncidentsService) -> None:
    incident = service.report_incident(CRASH, {"actor": "operator-chen"})
    assert (incident["status"], incident["suggested_grade"]) == ("reported", "II")
    assert incident["timeline"][0]["actor"] == "operator-chen"
    assert service.get_incident("g312-crash") == incident
    assert service.list_incidents() == {"items": [incident], "next": None}
    assert service.verify()["ok"] is True


def test_reporting_the_same_incident_id_twice_is_a_conflict(service: IncidentsService) -> None:
    service.report_incident(CRASH)
    with pytest.raises(Conflict) as raised:
        service.report_incident({**CRASH, "title": "Another crash"})
    assert raised.value.code == "already_registered"


def test_an_unknown_incident_is_not_found(service: IncidentsService) -> None:
    with pytest.raises(NotFound) as raised:
        service.get_incident("no-such-incident")
    assert raised.value.field == "incident_id"


def test_a_flood_filed_as_an_accident_is_rejected(service: IncidentsService) -> None:
    with pytest.raises(InvalidCommand) as raised:
        service.report_incident({**CRASH, "incident_type": "flood"})
    assert raised.value.field == "category"
    assert service.list_incidents() == {"items": [], "next": None}
