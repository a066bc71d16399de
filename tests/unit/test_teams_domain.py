"""Given/when/then for registering a team, its readiness reports and its equipment status."""

from __future__ import annotations

from typing import Any

import pytest

from services.teams.domain import teams
from services.teams.domain.readiness import EquipmentCounts, EquipmentStatusReported, ReadinessReported
from services.teams.domain.registry import RegisterTeam, TeamRegistered
from services.teams.domain.teams import Team
from shared.decider import parse
from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.teams_factories import (
    TEAM,
    equipment,
    given,
    register,
    registered,
    report,
    reported,
    when,
)


def test_registering_a_new_team_records_everything_it_was_registered_with() -> None:
    [event] = when(register(township="sanshipu", location={"lat": 31.78, "lon": 116.62},
                            leader={"post": "team leader", "phone": "0564-1234567"}), given())
    assert isinstance(event, TeamRegistered)
    assert event.capabilities == ["drainage", "flood_water_rescue"]
    assert (event.township, event.location and event.location.lat) == ("sanshipu", 31.78)
    assert event.duty is not None and (event.duty.a.post, event.duty.b.post) == ("duty post A", "duty post B")
    assert event.leader is not None and event.leader.phone == "0564-1234567"
    assert [line.item_id for line in event.equipment] == ["self-priming-pump", "rubber-boat"]


def test_registering_a_team_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        when(register(), given(registered()))
    assert (raised.value.field, raised.value.code) == ("team_id", "already_registered")


def test_a_record_can_group_many_teams_without_a_roster_size() -> None:
    [event] = when(register(team_id="militia-reserve", team_type="militia", units=3, members=None,
                            equipment=[]), given())
    assert isinstance(event, TeamRegistered)
    assert (event.units, event.members) == (3, None)


@pytest.mark.parametrize(("field", "value", "where"), [
    ("units", 0, "units"),
    ("members", -1, "members"),
    ("members", True, "members"),
    ("team_type", "police", "team_type"),
    ("team_id", "Longma Team", "team_id"),
    ("name", "", "name"),
    ("capabilities", ["telepathy"], "capabilities.0"),
    ("capabilities", ["medical", "medical"], "capabilities"),
    ("location", {"lat": 91, "lon": 116.5}, "location.lat"),
    ("location", {"lat": True, "lon": 116.5}, "location.lat"),
    ("equipment", [{"item_id": "boat", "name": "rubber boat", "quantity": 0}], "equipment.0.quantity"),
    ("equipment", [{"name": "rubber boat", "quantity": 1}], "equipment.0.item_id"),
    ("equipment", [{"item_id": "boat", "name": "a", "quantity": 1},
                   {"item_id": "boat", "name": "b", "quantity": 1}], "equipment"),
    ("duty", {"a": {"post": "duty post A"}, "b": {"post": "duty post A"}}, "duty"),
    ("duty", {"a": {"post": "duty post A"}}, "duty.b"),
    ("leader", {"post": "team leader", "phone": "call me"}, "leader.phone"),
])
def test_a_registration_with_a_bad_field_is_rejected_naming_it(field: str, value: Any, where: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        register(**{field: value})
    assert raised.value.field == where


def test_readiness_of_a_registered_team_is_recorded_with_what_it_says() -> None:
    command = report(status="partially_ready",
                     equipment_available=[{"item_id": "rubber-boat", "quantity": 1}],
                     location="Chengbei pumping station", coordinates={"lat": 31.8, "lon": 116.51},
                     note="night shift")
    [event] = when(command, given(registered()))
    assert isinstance(event, ReadinessReported)
    assert (event.status, event.people_available, event.location) == (
        "partially_ready", 16, "Chengbei pumping station")
    assert event.equipment_available is not None and event.equipment_available[0].quantity == 1


def test_a_team_without_a_roster_on_record_can_report_any_number_available() -> None:
    [event] = when(report(people_available=40), given(registered(members=None)))
    assert isinstance(event, ReadinessReported) and event.people_available == 40


def test_readiness_with_more_people_than_members_is_rejected_and_every_member_is_accepted() -> None:
    with pytest.raises(InvalidCommand) as raised:
        when(report(people_available=19), given(registered(members=18)))
    assert raised.value.field == "people_available"
    assert when(report(people_available=18), given(registered(members=18)))


@pytest.mark.parametrize(("line", "where"), [
    ({"item_id": "excavator", "quantity": 1}, "equipment_available.0.item_id"),
    ({"item_id": "rubber-boat", "quantity": 3}, "equipment_available.0.quantity"),
])
def test_readiness_naming_equipment_the_team_does_not_have_is_rejected(
    line: dict[str, Any], where: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        when(report(equipment_available=[line]), given(registered()))
    assert raised.value.field == where


def test_readiness_for_an_unregistered_team_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        when(report(), given())
    assert raised.value.field == "team_id"


@pytest.mark.parametrize(("field", "value"), [("status", "standby"), ("people_available", -1),
                                              ("people_available", True), ("location", "a\x00b")])
def test_a_readiness_report_with_a_bad_field_is_rejected_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        report(**{field: value})
    assert raised.value.field == field


def test_equipment_status_splits_an_items_units_and_is_recorded() -> None:
    [event] = when(equipment(ready=0, in_use=1, maintenance=1, damaged=0), given(registered()))
    assert event == EquipmentStatusReported(team_id=TEAM, item_id="rubber-boat",
                                            counts=EquipmentCounts(in_use=1, maintenance=1), quantity=2,
                                            note=None)


@pytest.mark.parametrize(("overrides", "where"), [
    ({"ready": 1, "damaged": 0}, "ready"),
    ({"ready": 2, "damaged": 1}, "ready"),
    ({"item_id": "excavator"}, "item_id"),
])
def test_equipment_status_that_does_not_add_up_to_the_team_s_units_is_rejected(
    overrides: dict[str, Any], where: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        when(equipment(**overrides), given(registered()))
    assert raised.value.field == where


def test_the_team_remembers_its_roster_items_and_last_readiness() -> None:
    state = given(registered(members=18), reported(people_available=18),
                  reported(status="not_ready", people_available=2))
    assert state == Team(registered=True, members=18, items={"self-priming-pump": 2, "rubber-boat": 2},
                         status="not_ready", people_available=2)


def test_team_events_survive_a_round_trip_through_json() -> None:
    for event in (registered(), reported(equipment_available=[{"item_id": "rubber-boat", "quantity": 2}]),
                  *when(equipment(), given(registered()))):
        assert teams.teams.event_from(event.type_name(), event.model_dump(mode="json")) == event


def test_a_team_lives_in_its_own_stream() -> None:
    assert teams.stream_id("longma-sanitation-rescue") == "team:longma-sanitation-rescue"


def test_a_minimal_registration_defaults_to_one_unit_no_capabilities_and_no_equipment() -> None:
    command = parse(RegisterTeam, {"team_id": "blue-sky-rescue", "name": "Blue Sky Rescue",
                                   "name_zh": "蓝天救援队", "team_type": "social"})
    assert (command.units, command.capabilities, command.equipment, command.duty) == (1, [], [], None)
