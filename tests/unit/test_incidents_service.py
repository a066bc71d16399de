"""The incidents service's RPCs as an adapter: parse, handle, answer; errors name the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.incidents_world import COMMANDER, INCIDENT, OCCURRED, World, flood

CRASH = {"incident_id": "g312-crash", "title": "Bus crash on G312", "incident_type": "road_traffic",
         "category": "accident", "township": "sanshipu", "reported_by": "traffic police", "deaths": 10}


@pytest.fixture
def world() -> World:
    return World()


def test_a_reported_incident_is_answered_read_back_and_listed(world: World) -> None:
    incident = world.service.report_incident(CRASH, {"actor": "operator-chen"})
    assert (incident["status"], incident["suggested_grade"], incident["grade"]) == ("reported", "II", "II")
    assert incident["timeline"][0]["actor"] == "operator-chen"
    read = world.service.get_incident("g312-crash")
    assert {key: read[key] for key in incident if key != "timeline"} == {
        key: value for key, value in incident.items() if key != "timeline"}
    assert [entry["text"] for entry in read["timeline"]] == [
        "Bus crash on G312 reported by traffic police in sanshipu"]
    [listed] = world.service.list_incidents()["items"]
    assert listed["incident_id"] == "g312-crash" and listed["relief_clock"]["state"] == "not_applicable"
    assert world.service.verify()["ok"] is True


def test_a_retried_report_answers_the_same_and_records_once(world: World) -> None:
    meta = {"command_id": "report-1", "actor": "officer"}
    assert world.service.report_incident(flood(), meta) == world.service.report_incident(flood(), meta)
    assert len(world.app.store.read_stream(f"incident:{INCIDENT}")) == 1


def test_reporting_the_same_incident_id_twice_is_a_conflict(world: World) -> None:
    world.service.report_incident(CRASH)
    with pytest.raises(Conflict) as raised:
        world.service.report_incident({**CRASH, "title": "Another crash"})
    assert raised.value.code == "already_registered"


@pytest.mark.parametrize("read", ["get_incident", "incident_timeline", "list_requests"])
def test_an_unknown_incident_is_not_found(world: World, read: str) -> None:
    with pytest.raises(NotFound) as raised:
        getattr(world.service, read)("nowhere")
    assert raised.value.field == "incident_id"


def test_a_flood_filed_as_an_accident_is_rejected(world: World) -> None:
    with pytest.raises(InvalidCommand) as raised:
        world.service.report_incident({**CRASH, "incident_type": "flood"})
    assert raised.value.field == "category"
    assert world.service.list_incidents() == {"items": [], "next": None}


def test_a_report_made_an_hour_and_a_half_after_the_incident_is_flagged_late(world: World) -> None:
    happened = OCCURRED - timedelta(hours=2)
    incident = world.service.report_incident(flood(occurred_at=happened.isoformat(), reported_at=(
        happened + timedelta(minutes=90)).isoformat()))
    assert (incident["reported_late"], incident["report_delay_s"]) == (True, 5400.0)
    assert incident["report_deadline"] == (happened + timedelta(hours=1)).isoformat()
    on_time = world.service.report_incident(flood(incident_id="second", occurred_at=happened.isoformat(),
                                                  reported_at=(happened + timedelta(minutes=60)).isoformat()))
    assert on_time["reported_late"] is False


def test_a_report_dated_in_the_future_is_refused_naming_reported_at(world: World) -> None:
    with pytest.raises(InvalidCommand) as raised:
        world.service.report_incident(flood(reported_at=(OCCURRED + timedelta(days=1)).isoformat()))
    assert raised.value.field == "reported_at"


def test_a_lifecycle_step_answers_with_the_status_and_the_events_it_recorded(world: World) -> None:
    world.service.report_incident(flood())
    answer = world.service.verify_incident({"incident_id": INCIDENT, "assessment": "breach confirmed"},
                                           COMMANDER)
    assert (answer["status"], answer["response_level"]) == ("verified", None)
    assert [event["type"] for event in answer["events"]] == ["IncidentVerified"]
    assert answer["events"][0]["metadata"]["actor"] == "commander-li"


@pytest.mark.parametrize(("rpc", "payload", "field"), [
    ("verify_incident", {"incident_id": INCIDENT, "grade": "V"}, "grade"),
    ("activate_response", {"incident_id": INCIDENT, "level": "III"}, "basis"),
    ("record_relief", {"incident_id": INCIDENT, "people": 0, "provided": "water"}, "people"),
    ("file_follow_up", {"incident_id": INCIDENT, "reported_by": "x", "deaths": "many"}, "deaths"),
    ("raise_request", {"incident_id": INCIDENT, "request_id": "r1", "destination": "HQ"}, "body"),
    ("admit_evacuees", {"site_id": "s1", "incident_id": INCIDENT, "people": -3}, "people"),
    ("verify_incident", ["not", "an", "object"], "body"),
])
def test_a_bad_payload_is_a_400_naming_the_field(world: World, rpc: str, payload: Any, field: str) -> None:
    world.service.report_incident(flood())
    with pytest.raises(InvalidCommand) as raised:
        getattr(world.service, rpc)(payload)
    assert raised.value.field == field


@pytest.mark.parametrize("query", [{"limit": 0}, {"after": "!!"}, {"level": "V"}, {"colour": "red"}])
def test_a_bad_query_is_a_400(world: World, query: dict[str, Any]) -> None:
    with pytest.raises(InvalidCommand):
        world.service.open_incidents(query)


def test_a_statistics_window_that_is_not_a_time_is_a_400_naming_it(world: World) -> None:
    with pytest.raises(InvalidCommand) as raised:
        world.service.incident_statistics({"from": "last tuesday"})
    assert raised.value.field == "from"


def test_a_request_is_raised_approved_and_read_with_who_changed_its_status(world: World) -> None:
    world.live_flood()
    world.request()
    request = world.get_request()
    assert [(h["status"], h["by"]) for h in request["status_history"]] == [
        ("requested", "commander-li"), ("approved", "director-wang")]
    assert world.service.list_requests(INCIDENT)["items"] == [request]
    with pytest.raises(NotFound) as raised:
        world.service.get_request(INCIDENT, "r9")
    assert raised.value.field == "request_id"


def test_an_unknown_site_is_not_found(world: World) -> None:
    with pytest.raises(NotFound) as raised:
        world.service.get_site("nowhere")
    assert raised.value.field == "site_id"
