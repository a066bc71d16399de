"""The 8-hour relief clock at its boundaries, read from an injected clock; the gauges and the
district's statistics that count it; and open incidents by level and type."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.incidents import gauges
from services.incidents.read_keys import INCIDENTS
from shared.metrics import ReadModelGauges
from shared.metrics.catalogue import INCIDENTS_BY_RESPONSE_LEVEL, RELIEF_PENDING, REPORTS_LATE
from shared.timestamps import CHINA_STANDARD_TIME
from tests.unit.incidents_world import COMMANDER, INCIDENT, OCCURRED, World, flood

#: A flood that happened a day ago, so the clock can be read at any point of its 8 hours.
START = OCCURRED - timedelta(hours=23)


def world_at(**overrides: object) -> World:
    world = World()
    world.service.report_incident(flood(occurred_at=START.isoformat(),
                                        reported_at=(START + timedelta(minutes=30)).isoformat(), **overrides))
    world.service.verify_incident({"incident_id": INCIDENT}, COMMANDER)
    return world


def clock(world: World, hours: float) -> dict[str, object]:
    world.clock.moment = START + timedelta(hours=hours)
    return world.service.get_incident(INCIDENT)["relief_clock"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("hours", "state", "remaining_h"), [
    (0, "on_track", 8), (5.99, "on_track", 2.01), (6, "at_risk", 2), (8, "at_risk", 0),
    (8.01, "overdue", -0.01),
])
def test_the_clock_runs_from_when_the_incident_occurred(hours: float, state: str, remaining_h: float) -> None:
    reading = clock(world_at(), hours)
    assert (reading["state"], reading["overdue"]) == (state, state == "overdue")
    assert reading["remaining_s"] == pytest.approx(remaining_h * 3600)
    assert (reading["started_at"], reading["deadline"]) == (
        START.isoformat(), (START + timedelta(hours=8)).isoformat())


@pytest.mark.parametrize(("relief_after_h", "state"), [(7.99, "met"), (8, "met"), (8.5, "missed")])
def test_the_first_relief_stops_the_clock_met_or_missed(relief_after_h: float, state: str) -> None:
    world = world_at()
    world.service.record_relief({"incident_id": INCIDENT, "people": 50, "provided": "water",
                                 "occurred_at": (START + timedelta(hours=relief_after_h)).isoformat()})
    reading = clock(world, 20)
    assert (reading["state"], reading["met"], reading["overdue"]) == (state, state == "met", False)
    assert reading["remaining_s"] == pytest.approx((8 - relief_after_h) * 3600)


def test_an_incident_without_affected_people_has_no_clock_and_a_dismissed_one_a_void_clock() -> None:
    assert clock(world_at(affected_people=0), 20)["state"] == "not_applicable"
    assert clock(world_at(affected_people=0, people_relocated=30), 20)["state"] == "overdue"
    dismissed = world_at()
    dismissed.service.dismiss_incident({"incident_id": INCIDENT, "reason": "false report"})
    assert clock(dismissed, 20)["state"] == "void"


def values(world: World, at: datetime) -> dict[tuple[str, tuple[str, ...]], float]:
    registry = ReadModelGauges()
    gauges.register_gauges(registry, clock=lambda: at)
    return {(spec.name, labels): value for spec, labels, value in registry.read(world.app.views)}


def test_pending_relief_is_counted_by_clock_state_at_the_scrape() -> None:
    world = world_at()
    world.service.report_incident(flood(incident_id="late-flood", occurred_at=START.isoformat(),
                                        reported_at=(START + timedelta(hours=2)).isoformat()))
    world.service.report_incident(flood(incident_id="fresh-flood",
                                        occurred_at=(START + timedelta(hours=5)).isoformat()))
    read = values(world, START + timedelta(hours=7))
    pending = {labels: value for (name, labels), value in read.items() if name == RELIEF_PENDING.name}
    assert pending == {("on_track",): 1.0, ("at_risk",): 2.0, ("overdue",): 0.0}
    assert values(world, START + timedelta(hours=9))[(RELIEF_PENDING.name, ("overdue",))] == 2.0


def test_late_reports_are_counted_by_the_grade_suggested_when_reported_zeros_included() -> None:
    world = world_at()
    world.service.report_incident({"incident_id": "tanker", "title": "Tanker crash",
                                   "incident_type": "road_traffic", "category": "accident",
                                   "township": "sanshipu", "reported_by": "police",
                                   "deaths": 4, "occurred_at": START.isoformat(),
                                   "reported_at": (START + timedelta(hours=3)).isoformat()})
    read = values(world, START)
    assert {labels: value for (name, labels), value in read.items() if name == REPORTS_LATE.name} == {
        ("I",): 0.0, ("II",): 0.0, ("III",): 1.0, ("IV",): 0.0, ("none",): 0.0}


def test_open_incidents_are_counted_by_response_level() -> None:
    world = world_at()
    world.service.activate_response({"incident_id": INCIDENT, "level": "III", "basis": {"reason": "breach"}})
    world.service.report_incident(flood(incident_id="second"))
    world.service.report_incident(flood(incident_id="false-alarm"))
    world.service.dismiss_incident({"incident_id": "false-alarm", "reason": "duplicate"})
    read = values(world, START)
    levels = {labels: value for (name, labels), value in read.items()
              if name == INCIDENTS_BY_RESPONSE_LEVEL.name}
    assert levels == {("I",): 0.0, ("II",): 0.0, ("III",): 1.0, ("IV",): 0.0, ("none",): 1.0}
    listed = world.service.open_incidents()
    assert (listed["open"], listed["by_level"]["III"], listed["by_type"]) == (2, 1, {"flood": 2})
    unlevelled = world.service.open_incidents({"level": "none"})["items"]
    assert [doc["incident_id"] for doc in unlevelled] == ["second"]
    first = world.service.open_incidents({"limit": 1})
    assert len(first["items"]) == 1 and first["next"] is not None
    rest = world.service.open_incidents({"limit": 1, "after": first["next"]})
    assert [doc["incident_id"] for doc in rest["items"]] == ["second"] and rest["next"] is None


def test_the_district_statistics_count_types_by_month_the_relief_hit_rate_and_timeliness() -> None:
    world = world_at()  # reported after 30 minutes: on time
    world.service.record_relief({"incident_id": INCIDENT, "people": 10, "provided": "water",
                                 "occurred_at": (START + timedelta(hours=3)).isoformat()})
    world.service.report_incident(flood(incident_id="overdue", occurred_at=START.isoformat(),
                                        reported_at=(START + timedelta(hours=2)).isoformat()))
    fire = START - timedelta(days=40)
    world.service.report_incident(flood(incident_id="fire", incident_type="forest_fire", affected_people=0,
                                        occurred_at=fire.isoformat(),
                                        reported_at=(fire + timedelta(minutes=20)).isoformat()))
    world.clock.moment = START + timedelta(hours=10)
    stats = world.service.incident_statistics()
    assert stats["incidents"] == 3
    assert stats["by_month_and_type"] == {month(fire): {"forest_fire": 1}, month(START): {"flood": 2}}
    assert stats["relief_target"] == {"met": 1, "missed": 0, "overdue": 1, "pending": 0, "hit_rate": 0.5}
    assert stats["report_timeliness"] == {"reports": 3, "on_time": 2, "late": 1, "on_time_rate": 0.6667,
                                          "median_delay_s": 1800.0, "max_delay_s": 7200.0}
    window = world.service.incident_statistics({"from": (fire + timedelta(days=1)).isoformat()})
    assert window["incidents"] == 2


def month(moment: datetime) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")


def test_the_month_is_the_month_in_china() -> None:
    world = World()
    world.service.report_incident(flood(occurred_at="2024-06-30T17:30:00+00:00"))  # 01:30 on 1 July in CST
    assert world.service.incident_statistics()["by_month_and_type"] == {"2024-07": {"flood": 1}}
    assert world.app.views.get(INCIDENTS, INCIDENT) is not None
