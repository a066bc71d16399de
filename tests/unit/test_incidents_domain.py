"""First reports (初报): what a report records, when it is refused, the grade Decree 493 suggests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from services.incidents.domain import incidents
from services.incidents.domain.grading import Category, assess, suggest_grade
from services.incidents.domain.incidents import Incident
from services.incidents.domain.kinds import CATEGORY_OF, IncidentType
from services.incidents.domain.lifecycle import IncidentReported
from shared.errors import Conflict, InvalidCommand
from tests.unit.incidents_factories import LATER, OCCURRED, crash, decide, given, report, reported

CATEGORIES: tuple[Category, ...] = ("natural_disaster", "accident", "public_health", "social_safety")


def test_reporting_an_accident_records_it_with_the_suggested_grade() -> None:
    command = crash(location="G312 km 1020", description="tanker overturned", deaths=3, injured=5,
                    seriously_injured=2, missing=1, affected_people=40, direct_loss_yuan=2_500_000,
                    coordinates={"lat": 31.72, "lon": 116.49})
    assert decide(command, given()) == [IncidentReported(
        incident_id="g312-tanker-crash", title="Tanker crash on G312", incident_type="road_traffic",
        category="accident", township="sanshipu", village="Zhangxi", location="G312 km 1020",
        coordinates={"lat": 31.72, "lon": 116.49}, description="tanker overturned",
        reported_by="information officer Zhou (A post)", deaths=3, injured=5, seriously_injured=2, missing=1,
        affected_people=40, people_relocated=0, houses_collapsed=0, houses_damaged=0,
        direct_loss_yuan=2_500_000, occurred_at=OCCURRED, suggested_grade="III",
        grade_basis="Decree 493 grade III: 3 deaths >= 3",
    )]


def test_a_reported_incident_is_reported_and_remembers_where_and_when() -> None:
    state = given(reported(coordinates={"lat": 31.7, "lon": 116.5}))
    assert (state.status, state.township, state.occurred_at) == ("reported", "sanshipu", OCCURRED)
    assert state.coordinates is not None and state.coordinates.lat == 31.7
    assert state.figures["affected_people"] == 1200


def test_an_incident_reported_without_its_time_occurred_when_reported() -> None:
    assert reported(occurred_at=None).occurred_at == LATER


def test_an_incident_cannot_occur_after_it_was_reported() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(report(occurred_at=(LATER + timedelta(seconds=1)).isoformat()), given())
    assert raised.value.field == "occurred_at"


def test_reporting_an_incident_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        decide(report(), given(reported()))
    assert (raised.value.field, raised.value.code) == ("incident_id", "already_registered")


def test_figures_default_to_zero_and_the_loss_to_unknown() -> None:
    event = reported(affected_people=0)
    assert (event.deaths, event.injured, event.missing, event.affected_people, event.people_relocated,
            event.houses_collapsed, event.houses_damaged) == (0, 0, 0, 0, 0, 0, 0)
    assert (event.seriously_injured, event.direct_loss_yuan) == (None, None)


MISFILED = [(hazard, wrong) for hazard, right in sorted(CATEGORY_OF.items())
            for wrong in CATEGORIES if wrong != right]


@pytest.mark.parametrize(("incident_type", "category"), MISFILED)
def test_a_hazard_reported_under_another_category_is_rejected(
    incident_type: IncidentType, category: Category
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(report(incident_type=incident_type, category=category), given())
    assert raised.value.field == "category"


def test_floods_are_natural_disasters_and_chemical_accidents_are_accidents() -> None:
    assert CATEGORY_OF["flood"] == "natural_disaster"
    assert {CATEGORY_OF[t] for t in ("hazardous_chemicals", "road_traffic", "building_fire", "gas",
                                     "special_equipment")} == {"accident"}


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_other_incident_may_be_of_any_category(category: Category) -> None:
    assert reported(incident_type="other", category=category).category == category


@pytest.mark.parametrize(("field", "value"), [
    ("deaths", -1), ("injured", -1), ("seriously_injured", -1), ("missing", -1), ("affected_people", -1),
    ("people_relocated", -1), ("houses_collapsed", True), ("direct_loss_yuan", -0.01),
    ("incident_type", "meteor"), ("category", "war"), ("incident_id", "G312 crash"), ("title", ""),
    ("township", ""), ("reported_by", ""), ("occurred_at", "yesterday"),
    ("reported_at", "2024-13-01T00:00:00"), ("coordinates", {"lat": 91, "lon": 116}),
    ("village", "a\x00b"),
])
def test_a_report_with_a_bad_field_is_rejected_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        report(**{field: value})
    assert raised.value.field is not None and raised.value.field.startswith(field)


def test_more_seriously_injured_than_injured_is_rejected() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(report(injured=4, seriously_injured=5), given())
    assert raised.value.field == "seriously_injured"


@pytest.mark.parametrize(("deaths", "injured", "loss", "grade"), [
    (30, 0, None, "I"), (29, 0, None, "II"), (10, 0, None, "II"), (9, 0, None, "III"),
    (3, 0, None, "III"), (2, 0, None, "IV"),
    (0, 100, None, "I"), (0, 99, None, "II"), (0, 50, None, "II"), (0, 49, None, "III"),
    (0, 10, None, "III"), (0, 9, None, "IV"),
    (0, 0, 100_000_000, "I"), (0, 0, 99_999_999.99, "II"), (0, 0, 50_000_000, "II"),
    (0, 0, 49_999_999.99, "III"), (0, 0, 10_000_000, "III"), (0, 0, 9_999_999.99, "IV"),
    (0, 0, None, "IV"), (0, 0, 0, "IV"),
])
def test_an_accident_is_graded_by_the_decree_493_thresholds(
    deaths: int, injured: int, loss: float | None, grade: str
) -> None:
    assert suggest_grade("accident", deaths, injured, loss) == grade


def test_the_highest_criterion_met_decides_the_grade() -> None:
    assert suggest_grade("accident", 3, 50, 100_000_000) == "I"
    assert assess("accident", 3, 50, 100_000_000)[1] == (
        "Decree 493 grade I: direct loss 100,000,000 yuan >= 100,000,000 yuan")


def test_the_basis_names_every_criterion_met_at_the_deciding_grade() -> None:
    assert assess("accident", 12, 60, 1_000_000.5) == (
        "II", "Decree 493 grade II: 12 deaths >= 10; 60 seriously injured >= 50")
    assert assess("accident", 0, 0, 1_000_000.5) == (
        "IV", "Decree 493 grade IV: below every grade III threshold "
              "(3 deaths, 10 seriously injured, 10,000,000 yuan)")


@pytest.mark.parametrize("category", ["natural_disaster", "public_health", "social_safety"])
def test_only_accidents_get_a_suggested_grade(category: Category) -> None:
    assert suggest_grade(category, 50, 200, 500_000_000) is None


def test_a_natural_disaster_is_recorded_without_a_suggested_grade() -> None:
    event = reported(deaths=31)
    assert (event.suggested_grade, event.grade_basis) == (
        None, "no fixed thresholds for natural_disaster events: the command centre sets the grade")


def test_without_a_seriously_injured_count_every_injured_person_counts() -> None:
    [event] = decide(crash(injured=12), given())
    assert isinstance(event, IncidentReported)
    assert (event.suggested_grade, event.grade_basis) == ("III", "Decree 493 grade III: 12 injured >= 10")


def test_a_seriously_injured_count_grades_on_the_seriously_injured_only() -> None:
    [event] = decide(crash(injured=12, seriously_injured=2), given())
    assert isinstance(event, IncidentReported) and event.suggested_grade == "IV"


def test_incident_events_survive_a_round_trip_through_json() -> None:
    event = reported(direct_loss_yuan=1234.5, deaths=1, coordinates={"lat": 31.7, "lon": 116.5})
    assert incidents.incidents.event_from(event.type_name(), event.model_dump(mode="json")) == event


def test_an_incident_lives_in_its_own_stream() -> None:
    assert incidents.stream_id("g312-tanker-crash") == "incident:g312-tanker-crash"


def test_the_state_round_trips_through_a_snapshot() -> None:
    state = given(reported(coordinates={"lat": 31.7, "lon": 116.5}))
    adapter = TypeAdapter(Incident)
    assert adapter.validate_json(adapter.dump_json(state)) == state
