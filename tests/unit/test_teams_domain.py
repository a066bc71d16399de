from __future__ import annotations

from typing import Any

import pytest

from services.teams.domain import teams
from services.teams.domain.teams import (
    Equipment,
    ReadinessReported,
    RegisterTeam,
    ReportReadiness,
    Team,
    TeamRegistered,
    decide,
)
from shared.decider import Event, parse
from shared.errors import Conflict, InvalidCommand, NotFound


def register(**overrides: Any) -> RegisterTeam:
    fields: dict[str, Any] = {
        "team_id": "longma-sanitation-rescue", "name": "Lu'an Longma sanitation rescue team",
        "name_zh": "六安龙马环卫抢险队", "team_type": "enterprise", "members": 18,
        "equipment": [{"name": "rubber boat", "name_zh": "橡皮艇", "quantity": 2}],
    }
    return parse(RegisterTeam, {**fields, **overrides})


def registered(**overrides: Any) -> TeamRegistered:
    fields = register(**overrides).model_dump(exclude={"occurred_at"})
    return TeamRegistered(**fields)


def report(**overrides: Any) -> ReportReadiness:
    fields: dict[str, Any] = {"team_id": "longma-sanitation-rescue", "status": "ready",
                              "people_available": 16}
    return parse(ReportReadiness, {**fields, **overrides})


def given(*events: Event) -> Team:
    return teams.teams.fold(events)


def test_registering_a_new_team_records_it() -> None:
    assert decide(register(), given()) == [TeamRegistered(
        team_id="longma-sanitation-rescue", name="Lu'an Longma sanitation rescue team",
        name_zh="六安龙马环卫抢险队", team_type="enterprise", agency=None, township=None,
        units=1, members=18, equipment=[Equipment(name="rubber boat", name_zh="橡皮艇", quantity=2)],
    )]


def test_registering_a_team_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        decide(register(), given(registered()))
    assert (raised.value.field, raised.value.code) == ("team_id", "already_registered")


def test_a_team_record_groups_one_unit_with_no_equipment_by_default() -> None:
    command = parse(RegisterTeam, {"team_id": "blue-sky-rescue", "name": "Blue Sky Rescue",
                                   "name_zh": "蓝天救援队", "team_type": "social", "members": 0})
    assert (command.units, command.equipment) == (1, [])


def test_a_record_can_group_many_teams() -> None:
    [event] = decide(register(team_id="township-flood-teams", team_type="township", units=22,
                              members=1262, equipment=[]), given())
    assert isinstance(event, TeamRegistered)
    assert (event.units, event.members) == (22, 1262)


@pytest.mark.parametrize(("field", "value", "where"), [
    ("units", 0, "units"),
    ("members", -1, "members"),
    ("team_type", "police", "team_type"),
    ("team_id", "Longma Team", "team_id"),
    ("name", "", "name"),
    ("equipment", [{"name": "rubber boat", "quantity": 0}], "equipment.0.quantity"),
    ("equipment", [{"name": "rubber boat"}], "equipment.0.quantity"),
])
def test_a_registration_with_a_bad_field_is_rejected_naming_it(field: str, value: Any, where: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        register(**{field: value})
    assert raised.value.field == where


def test_a_registration_without_a_roster_size_records_it_as_unknown() -> None:
    command = parse(RegisterTeam, {"team_id": "militia-reserve", "name": "Militia",
                                   "name_zh": "人武民兵", "team_type": "militia"})
    [event] = decide(command, given())
    assert isinstance(event, TeamRegistered)
    assert event.members is None


def test_readiness_of_a_registered_team_is_recorded() -> None:
    command = report(status="partially_ready", equipment_notes="one pump under repair",
                     note="night shift")
    assert decide(command, given(registered())) == [ReadinessReported(
        team_id="longma-sanitation-rescue", status="partially_ready", people_available=16,
        equipment_notes="one pump under repair", note="night shift",
    )]


def test_a_team_without_a_roster_on_record_can_report_any_number_available() -> None:
    [event] = decide(report(people_available=40), given(registered(members=None)))
    assert isinstance(event, ReadinessReported)
    assert event.people_available == 40


def test_readiness_with_more_people_than_members_is_rejected() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(report(people_available=19), given(registered(members=18)))
    assert raised.value.field == "people_available"


def test_readiness_with_every_member_available_is_accepted() -> None:
    [event] = decide(report(people_available=18), given(registered(members=18)))
    assert isinstance(event, ReadinessReported)
    assert event.people_available == 18


def test_readiness_for_an_unregistered_team_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        decide(report(), given())
    assert raised.value.field == "team_id"


@pytest.mark.parametrize(("field", "value"), [("status", "standby"), ("people_available", -1)])
def test_a_readiness_report_with_a_bad_field_is_rejected_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        report(**{field: value})
    assert raised.value.field == field


def test_the_team_remembers_its_roster_and_last_readiness() -> None:
    state = given(registered(members=18), ReadinessReported(
        team_id="longma-sanitation-rescue", status="ready", people_available=18,
        equipment_notes=None, note=None,
    ), ReadinessReported(
        team_id="longma-sanitation-rescue", status="not_ready", people_available=2,
        equipment_notes=None, note="flood duty elsewhere",
    ))
    assert state == Team(registered=True, members=18, status="not_ready")


def test_team_events_survive_a_round_trip_through_json() -> None:
    for event in (registered(), ReadinessReported(team_id="t1", status="ready", people_available=3,
                                                  equipment_notes=None, note=None)):
        decoded = teams.teams.event_from(event.type_name(), event.model_dump(mode="json"))
        assert decoded == event


def test_a_team_lives_in_its_own_stream() -> None:
    assert teams.stream_id("longma-sanitation-rescue") == "team:longma-sanitation-rescue"
