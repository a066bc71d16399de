"""Resettlement sites: registered with a capacity; evacuees admitted for a live incident and
discharged; occupancy never above capacity nor below zero."""

from __future__ import annotations

import pytest

from services.incidents.domain.sites import (
    AdmitEvacuees,
    DischargeEvacuees,
    EvacueesAdmitted,
    Facts,
    RegisterSite,
    Site,
    decide,
    sites,
)
from shared.decider import Event, parse
from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.incidents_world import INCIDENT, World

SCHOOL = parse(RegisterSite, {"site_id": "sanshipu-school", "name": "Sanshipu central school",
                              "name_zh": "三十铺镇中心学校", "township": "sanshipu", "capacity": 500,
                              "coordinates": {"lat": 31.7, "lon": 116.5}})


def admit(people: int, incident_id: str = INCIDENT) -> AdmitEvacuees:
    return AdmitEvacuees(site_id="sanshipu-school", incident_id=incident_id, people=people)


def discharge(people: int) -> DischargeEvacuees:
    return DischargeEvacuees(site_id="sanshipu-school", incident_id=INCIDENT, people=people)


def then(*events: Event) -> Site:
    return sites.fold(events)


def run(*commands: object, status: str | None = "response_active") -> list[Event]:
    events: list[Event] = []
    for command in commands:
        events += decide(command, then(*events), Facts(incident_status=status))  # type: ignore[arg-type]
    return events


def test_evacuees_are_admitted_up_to_the_capacity_and_the_occupancy_follows() -> None:
    events = run(SCHOOL, admit(300), admit(200))
    assert events[-1] == EvacueesAdmitted(site_id="sanshipu-school", incident_id=INCIDENT, people=200,
                                          occupancy=500, note=None)
    with pytest.raises(Conflict) as raised:
        run(SCHOOL, admit(300), admit(201))
    assert raised.value.code == "site_full" and "room for 200 more" in raised.value.message


def test_evacuees_leave_per_incident_and_never_more_than_are_there() -> None:
    state = then(*run(SCHOOL, admit(300), admit(50, "other-incident"), discharge(100)))
    assert (state.occupancy, state.by_incident) == (250, {INCIDENT: 200, "other-incident": 50})
    with pytest.raises(InvalidCommand) as raised:
        run(SCHOOL, admit(30), discharge(31))
    assert raised.value.field == "people"


@pytest.mark.parametrize("status", ["reported", "dismissed", "closed"])
def test_evacuees_are_admitted_only_for_a_live_incident(status: str) -> None:
    with pytest.raises(Conflict) as raised:
        run(SCHOOL, admit(10), status=status)
    assert raised.value.code == "incident_not_active"
    with pytest.raises(NotFound):
        run(SCHOOL, admit(10), status=None)


def test_a_site_is_registered_once_and_must_exist() -> None:
    with pytest.raises(Conflict):
        run(SCHOOL, SCHOOL)
    with pytest.raises(NotFound) as raised:
        run(admit(1))
    assert raised.value.field == "site_id"


def test_the_service_shows_the_site_and_the_incident_its_evacuees() -> None:
    world = World()
    world.live_flood()
    world.service.register_site(SCHOOL.model_dump(mode="json", exclude_none=True))
    answer = world.service.admit_evacuees({"site_id": "sanshipu-school", "incident_id": INCIDENT,
                                           "people": 420})
    assert (answer["occupancy"], answer["by_incident"]) == (420, {INCIDENT: 420})
    site = world.service.get_site("sanshipu-school")
    assert (site["capacity"], site["occupancy"], site["by_incident"]) == (500, 420, {INCIDENT: 420})
    assert world.service.list_sites()["items"] == [site]
    incident = world.service.get_incident(INCIDENT)
    assert (incident["evacuees"], incident["evacuees_now"]) == ({"sanshipu-school": 420}, 420)
    with pytest.raises(NotFound) as raised:
        world.service.admit_evacuees({"site_id": "sanshipu-school", "incident_id": "nothing", "people": 1})
    assert raised.value.field == "incident_id"
