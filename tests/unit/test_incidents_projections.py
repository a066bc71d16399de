"""The incidents read models: an incident's document and timeline, its after-action summary, its
requests and the resettlement sites; equal to a rebuild, and old report shapes brought up to date."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.incidents.projections import Requests, Sites
from services.incidents.read_keys import INCIDENTS, REQUESTS, SITES
from shared.envelope import Metadata, NewEvent
from tests.unit.incidents_world import COMMANDER, INCIDENT, OCCURRED, World, flood

#: This flood happened nine hours ago: every step below is in the past.
START = OCCURRED - timedelta(hours=8)


def at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def world() -> World:
    world = World()
    world.service.report_incident(flood(occurred_at=at(0), reported_at=at(40), village="Zhangxi",
                                        coordinates={"lat": 31.7, "lon": 116.5}), {"actor": "officer-zhou"})
    return world


def doc(world: World) -> dict[str, Any]:
    found = world.app.views.get(INCIDENTS, INCIDENT)
    assert found is not None
    return found


def test_a_report_is_read_with_its_times_its_delay_and_its_deadlines(world: World) -> None:
    incident = doc(world)
    recorded_at = incident.pop("recorded_at")
    assert recorded_at > at(40)
    assert incident == {
        "incident_id": INCIDENT, "title": "Pi river embankment breach", "incident_type": "flood",
        "category": "natural_disaster", "township": "sanshipu", "village": "Zhangxi", "location": None,
        "coordinates": {"lat": 31.7, "lon": 116.5}, "description": None, "reported_by": "officer Zhou",
        "deaths": 0, "injured": 0, "seriously_injured": None, "missing": 0, "affected_people": 1200,
        "people_relocated": 0, "houses_collapsed": 0, "houses_damaged": 0, "direct_loss_yuan": None,
        "suggested_grade": None, "reported_grade": None, "grade": None,
        "grade_basis": "no fixed thresholds for natural_disaster events: the command centre sets the grade",
        "status": "reported", "occurred_at": at(0), "reported_at": at(40),
        "report_delay_s": 2400.0, "report_deadline": at(60), "reported_late": False,
        "relief_deadline": at(480), "verified_at": None, "assessment": None, "dismissed": None,
        "response_level": None, "response_activated_at": None, "response_history": [], "contained_at": None,
        "recovering_at": None, "closed_at": None, "closing_note": None, "follow_ups": 0,
        "last_follow_up_at": None, "relief": [], "people_relieved": 0, "relief_provided_at": None,
        "evacuees": {}, "evacuees_now": 0, "evacuees_peak": 0, "request_statuses": {},
        "dispatched_materials": [], "called_off": [], "pledged": [], "dispatched_teams": [],
        "team_reports": [], "summary": None,
    }


def test_the_response_history_says_who_set_each_level_when_and_why(world: World) -> None:
    world.service.verify_incident({"incident_id": INCIDENT, "grade": "III", "occurred_at": at(50)}, COMMANDER)
    world.service.activate_response({"incident_id": INCIDENT, "level": "III", "occurred_at": at(55),
                                     "basis": {"people_relocated": 800}}, COMMANDER)
    world.service.change_response_level({"incident_id": INCIDENT, "level": "II", "occurred_at": at(90),
                                         "basis": {"deaths": 3, "reason": "second breach"}},
                                        {"actor": "director"})
    incident = doc(world)
    assert (incident["status"], incident["response_level"], incident["grade"]) == (
        "response_active", "II", "III")
    assert incident["response_history"] == [
        {"change": "activated", "level": "III", "from_level": None, "at": at(55), "by": "commander-li",
         "basis": {"deaths": None, "people_relocated": 800, "houses_collapsed": None, "reason": None}},
        {"change": "raised", "level": "II", "from_level": "III", "at": at(90), "by": "director",
         "basis": {"deaths": 3, "people_relocated": None, "houses_collapsed": None,
                   "reason": "second breach"}}]
    assert incident["response_activated_at"] == at(55)


def test_a_follow_up_updates_the_figures(world: World) -> None:
    world.service.file_follow_up({"incident_id": INCIDENT, "reported_by": "officer Zhou", "deaths": 2,
                                  "houses_collapsed": 14, "description": "second breach downstream",
                                  "occurred_at": at(70)})
    incident = doc(world)
    assert (incident["deaths"], incident["houses_collapsed"], incident["affected_people"]) == (2, 14, 1200)
    assert (incident["follow_ups"], incident["last_follow_up_at"]) == (1, at(70))
    assert incident["description"] == "second breach downstream"


def full_response(world: World) -> None:
    world.service.verify_incident({"incident_id": INCIDENT, "occurred_at": at(50)}, COMMANDER)
    world.service.activate_response({"incident_id": INCIDENT, "level": "III", "occurred_at": at(60),
                                     "basis": {"people_relocated": 800}}, COMMANDER)
    world.service.register_site({"site_id": "sanshipu-school", "name": "Sanshipu central school",
                                 "township": "sanshipu", "capacity": 500})
    world.service.admit_evacuees({"site_id": "sanshipu-school", "incident_id": INCIDENT, "people": 420,
                                  "occurred_at": at(150)})
    world.request()
    world.settle()
    world.service.pledge_materials({"incident_id": INCIDENT, "request_id": "r1", "pledge_id": "yuan",
                                    "pledged_by": "Yu'an District", "kind": "neighbouring_district",
                                    "lines": [{"item_id": "woven-sandbags", "quantity": 5000}]})
    world.service.record_relief({"incident_id": INCIDENT, "people": 420, "provided": "meals, water, quilts",
                                 "site_id": "sanshipu-school", "occurred_at": at(200)}, COMMANDER)
    world.service.discharge_evacuees({"site_id": "sanshipu-school", "incident_id": INCIDENT, "people": 420,
                                      "occurred_at": at(230)})
    world.service.declare_contained({"incident_id": INCIDENT, "occurred_at": at(240)}, COMMANDER)
    world.service.begin_recovery({"incident_id": INCIDENT, "occurred_at": at(300)}, COMMANDER)
    world.service.close_incident({"incident_id": INCIDENT, "occurred_at": at(330)}, COMMANDER)
    world.settle()


def test_the_after_action_summary_is_derived_from_the_events(world: World) -> None:
    full_response(world)
    assert doc(world)["summary"] == {
        "materials": [{"item_id": "life-jackets", "issued": 40, "called_off": 0, "pledged": 0},
                      {"item_id": "rubber-boats", "issued": 4, "called_off": 0, "pledged": 0},
                      {"item_id": "woven-sandbags", "issued": 20000, "called_off": 0, "pledged": 5000}],
        "teams": 3, "deployments": 3, "people": 18 + 25 + 5, "requests": {"fulfilled": 1},
        "report_delay_s": 2400.0, "reported_late": False, "time_to_response_s": 3600.0,
        "time_to_first_relief_s": 12000.0, "relief_target_met": True, "people_relieved": 420,
        "evacuees_peak": 420, "highest_response_level": "III", "duration_s": 19800.0,
    }


def test_the_timeline_holds_every_step_of_the_incident_its_requests_and_evacuees(world: World) -> None:
    full_response(world)
    timeline = world.service.get_incident(INCIDENT)["timeline"]
    assert [entry["position"] for entry in timeline] == sorted(entry["position"] for entry in timeline)
    texts = [entry["text"] for entry in timeline]
    assert texts[:3] == ["Pi river embankment breach reported by officer Zhou in sanshipu", "verified",
                         "level III response activated: 800 people relocated"]
    assert "420 evacuees admitted to site sanshipu-school" in texts
    assert "12,000 woven-sandbags issued from jinan-flood-reserve" in texts
    assert "Yu'an District pledged 5,000 woven-sandbags against r1" in texts
    assert texts[-4:] == ["closed", "team longma-sanitation-rescue released", "team blue-sky-rescue released",
                          "team militia-reserve released"]
    assert {entry["actor"] for entry in timeline} >= {"officer-zhou", "commander-li", "incidents-dispatch"}
    page = world.service.incident_timeline(INCIDENT, {"limit": 2})
    assert page["items"] == timeline[:2] and page["next"] is not None


def test_the_read_models_equal_a_rebuild_and_keep_their_invariants(world: World) -> None:
    full_response(world)
    report = world.service.verify()
    assert report["ok"], report
    assert report["differences"] == report["violations"] == []


def test_a_request_issued_beyond_what_was_approved_is_reported_by_verify() -> None:
    world = World()
    world.live_flood()
    world.request()
    world.settle()
    with world.app.views.transaction() as views:
        request = views.get(REQUESTS, f"{INCIDENT}/r1")
        assert request is not None
        request["materials"][0]["issued"] = 40_000
        views.put(REQUESTS, f"{INCIDENT}/r1", request)
        assert Requests().invariant_violations(views) == [
            f"request {INCIDENT}/r1 line m1: 40000 issued and 0 called off, over the 20000 approved",
            f"request {INCIDENT}/r1 line m1: 40000 issued, over the 20000 reserved"]


def test_a_site_over_its_capacity_is_reported_by_verify(world: World) -> None:
    world.service.register_site({"site_id": "school", "name": "School", "township": "sanshipu",
                                 "capacity": 50})
    with world.app.views.transaction() as views:
        site = views.get(SITES, "school")
        assert site is not None
        views.put(SITES, "school", {**site, "occupancy": 51})
        assert Sites().invariant_violations(views) == ["site school holds 51 people, over its capacity 50"]


def test_a_report_in_its_first_shape_is_read_in_the_current_one() -> None:
    world = World()
    v1 = {"incident_id": "old-flood", "title": "Old flood", "incident_type": "flood",
          "category": "natural_disaster", "township": "Sanshipu Town", "location": None, "description": None,
          "reported_by": "duty", "deaths": 0, "injured": 0, "seriously_injured": None, "missing": 0,
          "affected_people": 10, "direct_loss_yuan": None, "suggested_grade": None, "grade_basis": "none"}
    world.app.store.append("incident:old-flood", 0, [NewEvent(
        event_id=uuid.uuid4(), type="IncidentReported", schema_version=1, occurred_at=OCCURRED, data=v1,
        metadata=Metadata(actor="duty"))])
    world.app.runner.catch_up()
    old = world.app.views.get(INCIDENTS, "old-flood")
    assert old is not None
    assert (old["township"], old["village"], old["occurred_at"], old["people_relocated"]) == (
        "Sanshipu Town", None, OCCURRED.isoformat(), 0)
    assert world.service.verify_incident({"incident_id": "old-flood"})["status"] == "verified"
