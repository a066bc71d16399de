"""The teams RPC entrypoints on the in-memory store, with the clock injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nameko.testing.services import worker_factory

from services.teams.projections import PROJECTIONS
from services.teams.service import TeamsService
from services.teams.upcasters import UPCASTERS
from shared.application import IdempotencyKeyReused
from shared.clock import FixedClock
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.testing import in_memory_application

REPORTED = datetime(2024, 7, 1, 6, 0, tzinfo=UTC)
LONGMA = {"team_id": "longma-sanitation-rescue", "name": "Lu'an Longma sanitation rescue team",
          "name_zh": "六安龙马环卫抢险队", "team_type": "enterprise", "members": 18,
          "capabilities": ["drainage", "flood_water_rescue"],
          "equipment": [{"item_id": "rubber-boat", "name": "rubber boat", "quantity": 2}]}
READY = {"team_id": "longma-sanitation-rescue", "status": "ready", "people_available": 16,
         "occurred_at": REPORTED.isoformat()}
DEPLOY = {"team_id": "longma-sanitation-rescue", "incident_id": "pi-river-seepage"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(REPORTED + timedelta(hours=1))


@pytest.fixture
def service(clock: FixedClock) -> TeamsService:
    return worker_factory(  # type: ignore[no-any-return]
        TeamsService, es=in_memory_application(PROJECTIONS, UPCASTERS), clock=clock)


def team(service: TeamsService, **overrides: Any) -> str:
    body = {**LONGMA, **overrides}
    service.register_team(body, {"actor": "admin"})
    return str(body["team_id"])


def ready_team(service: TeamsService, **overrides: Any) -> str:
    team_id = team(service, **overrides)
    service.report_readiness({**READY, "team_id": team_id})
    return team_id


def test_a_registered_team_can_be_read_back_and_listed(service: TeamsService) -> None:
    registered = service.register_team(LONGMA, {"actor": "admin"})
    read = service.get_team("longma-sanitation-rescue")
    assert read == {**registered, "stale": False}
    assert service.list_teams() == {"items": [registered], "next": None}


def test_reporting_readiness_returns_the_report_and_puts_it_on_the_board(service: TeamsService) -> None:
    team(service)
    report = service.report_readiness(READY, {"actor": "leader-li"})
    assert (report["status"], report["reported_by"]) == ("ready", "leader-li")
    line = service.get_readiness("longma-sanitation-rescue")
    assert line == {**line, **{key: report[key] for key in ("status", "people_available", "reported_at")}}
    assert line["stale"] is False
    assert service.readiness_board() == {"items": [line], "next": None}
    assert service.verify()["ok"] is True


def test_a_report_goes_stale_exactly_24_hours_after_it_happened(
    service: TeamsService, clock: FixedClock
) -> None:
    team(service)
    service.report_readiness(READY)
    clock.moment = REPORTED + timedelta(hours=24) - timedelta(microseconds=1)
    assert service.get_readiness("longma-sanitation-rescue")["stale"] is False
    assert service.readiness_board({"stale": "false"})["items"]
    clock.moment = REPORTED + timedelta(hours=24)
    assert service.get_readiness("longma-sanitation-rescue")["stale"] is True
    assert service.get_team("longma-sanitation-rescue")["stale"] is True
    assert [line["stale"] for line in service.readiness_board({"stale": "true"})["items"]] == [True]


def test_a_team_that_never_reported_goes_stale_24_hours_after_registration(
    service: TeamsService, clock: FixedClock
) -> None:
    team(service, occurred_at=REPORTED.isoformat())
    clock.moment = REPORTED + timedelta(hours=23, minutes=59)
    assert service.get_readiness("longma-sanitation-rescue")["stale"] is False
    clock.moment = REPORTED + timedelta(hours=24)
    assert service.get_readiness("longma-sanitation-rescue")["stale"] is True


def test_the_board_filters_by_capability_type_township_status_and_deployment(service: TeamsService) -> None:
    ready_team(service)
    team(service, team_id="forest-fire-professional", team_type="professional", capabilities=["forest_fire"],
         equipment=[])
    ready_team(service, team_id="mass-forest-fire-teams", team_type="mass_volunteer",
               capabilities=["forest_fire"], equipment=[])
    service.deploy_team({**DEPLOY, "team_id": "mass-forest-fire-teams"})

    def ids(**query: Any) -> list[str]:
        return [line["team_id"] for line in service.readiness_board(query)["items"]]

    assert ids(capability="forest_fire") == ["forest-fire-professional", "mass-forest-fire-teams"]
    assert ids(team_type="professional") == ["forest-fire-professional"]
    assert ids(status="unknown") == ["forest-fire-professional"]
    assert ids(deployed="true") == ["mass-forest-fire-teams"]
    assert ids(capability="forest_fire", deployed="false", status="ready") == []
    assert ids(township="nowhere") == []


def test_a_filtered_board_pages_through_every_match_exactly_once(service: TeamsService) -> None:
    for n in range(7):
        team(service, team_id=f"team-{n}", capabilities=["medical"] if n % 2 else ["drainage"], equipment=[])
    seen, query = [], {"capability": "drainage", "limit": 2}
    while True:
        page = service.readiness_board(query)
        seen += [line["team_id"] for line in page["items"]]
        if page["next"] is None:
            break
        query = {**query, "after": page["next"]}
    assert seen == ["team-0", "team-2", "team-4", "team-6"]


@pytest.mark.parametrize(("query", "field"), [({"status": "asleep"}, "status"), ({"limit": 0}, "limit"),
                                               ({"colour": "red"}, "colour"), ({"after": "%%%"}, "after")])
def test_a_bad_board_query_is_rejected_naming_the_parameter(
    service: TeamsService, query: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        service.readiness_board(query)
    assert raised.value.field == field


def test_deploy_arrive_release_answer_with_the_change_and_a_retry_answers_the_same(
    service: TeamsService,
) -> None:
    ready_team(service)
    meta = {"command_id": "dispatch-7/deploy/longma", "actor": "incidents"}
    first = service.deploy_team({**DEPLOY, "people": 10}, meta)
    assert {key: first[key] for key in ("deployment", "status", "people")} == {
        "deployment": 1, "status": "deployed", "people": 10}
    assert service.deploy_team({**DEPLOY, "people": 10}, meta) == first
    with pytest.raises(IdempotencyKeyReused):
        service.deploy_team({**DEPLOY, "people": 9}, meta)
    arrived = service.record_arrival(DEPLOY, {"command_id": "dispatch-7/arrive/longma"})
    assert arrived["status"] == "on_scene"
    assert service.record_arrival(DEPLOY, {"command_id": "dispatch-7/arrive/longma"}) == arrived
    released = service.release_team({**DEPLOY, "outcome": "stood_down"}, {"command_id": "dispatch-7/release"})
    assert (released["status"], released["deployment"]) == ("stood_down", 1)
    [history] = service.list_deployments("longma-sanitation-rescue")["items"]
    assert (history["status"], history["people"]) == ("stood_down", 10)


def test_deploying_a_deployed_team_is_a_conflict_naming_its_current_deployment(service: TeamsService) -> None:
    ready_team(service)
    service.deploy_team(DEPLOY)
    with pytest.raises(Conflict) as raised:
        service.deploy_team({**DEPLOY, "incident_id": "dongqiao-landslide"})
    assert raised.value.code == "already_deployed"
    assert "pi-river-seepage (deployment 1)" in raised.value.message


def test_readiness_as_of_a_past_moment_is_read_from_the_history(service: TeamsService) -> None:
    ready_team(service)
    service.report_readiness({**READY, "status": "not_ready", "people_available": 0,
                              "occurred_at": (REPORTED + timedelta(minutes=30)).isoformat()})
    before = service.get_readiness("longma-sanitation-rescue",
                                   {"as_of": (REPORTED + timedelta(minutes=10)).isoformat()})
    assert (before["status"], before["people_available"]) == ("ready", 16)
    naive_cst = (REPORTED + timedelta(hours=8, minutes=40)).replace(tzinfo=None).isoformat()
    assert service.get_readiness("longma-sanitation-rescue", {"as_of": naive_cst})["status"] == "not_ready"


def test_equipment_status_answers_with_the_counts_and_the_team_shows_time_out_of_service(
    service: TeamsService, clock: FixedClock
) -> None:
    team(service)
    answer = service.report_equipment_status({"team_id": "longma-sanitation-rescue", "item_id": "rubber-boat",
                                              "ready": 1, "maintenance": 1,
                                              "occurred_at": REPORTED.isoformat()})
    assert answer["counts"] == {"ready": 1, "in_use": 0, "maintenance": 1, "damaged": 0}
    clock.moment = REPORTED + timedelta(hours=3)
    [boat] = service.get_team("longma-sanitation-rescue")["equipment"]
    assert boat["out_of_service_unit_seconds"] == 3 * 3600
    assert boat["out_of_service_since"] == REPORTED.isoformat()


def test_capacity_counts_people_and_machines_of_teams_that_can_go_now(
    service: TeamsService, clock: FixedClock
) -> None:
    ready_team(service)
    ready_team(service, team_id="construction-flood-teams", capabilities=["heavy_machinery", "drainage"],
               members=310, equipment=[{"item_id": "excavator", "name": "excavator", "quantity": 45}])
    team(service, team_id="blue-sky-rescue", capabilities=["drainage"], equipment=[],
         occurred_at=REPORTED.isoformat())
    service.deploy_team({**DEPLOY, "team_id": "construction-flood-teams"})
    capacity = service.capacity()
    drainage = next(line for line in capacity["capabilities"] if line["capability"] == "drainage")
    assert (drainage["teams"], drainage["teams_available"], drainage["people_available"],
            drainage["machines_available"], drainage["teams_deployed"]) == (3, 1, 16, 2, 1)
    assert capacity["teams"]["by_status"] == {"ready": 2, "unknown": 1}
    clock.moment = REPORTED + timedelta(days=2)
    later = next(line for line in service.capacity()["capabilities"] if line["capability"] == "drainage")
    assert (later["teams_available"], later["teams_stale"]) == (0, 3)


def test_candidates_are_nearest_to_the_township_first_and_say_whether_they_cover_the_request(
    service: TeamsService,
) -> None:
    for township, lat, lon in (("maotanchang", 31.43, 116.58), ("sanshipu", 31.78, 116.62),
                               ("dongqiao", 31.63, 116.58)):
        service.register_township({"township_id": township, "name": township, "name_zh": township,
                                   "kind": "town", "location": {"lat": lat, "lon": lon}})
    ready_team(service, team_id="far", township="sanshipu")
    ready_team(service, team_id="near", township="maotanchang")
    ready_team(service, team_id="own-place", location={"lat": 31.64, "lon": 116.58})
    ready_team(service, team_id="nowhere-known")
    team(service, team_id="unreported", township="maotanchang")
    ranked = service.candidate_teams({"capability": "drainage", "people": 20, "township": "maotanchang"})
    assert [c["team_id"] for c in ranked["items"]] == ["near", "own-place", "far", "nowhere-known"]
    assert [c["covers_request"] for c in ranked["items"]] == [False] * 4
    assert [c["people_together"] for c in ranked["items"]] == [16, 32, 48, 64]
    assert ranked["items"][0]["distance_km"] == 0.0 and ranked["items"][-1]["distance_km"] is None
    second = service.candidate_teams({"capability": "drainage", "township": "maotanchang", "limit": 3})
    rest = service.candidate_teams({"capability": "drainage", "township": "maotanchang", "limit": 3,
                                    "after": second["next"]})
    assert [c["team_id"] for c in rest["items"]] == ["nowhere-known"] and rest["next"] is None
    with pytest.raises(NotFound) as raised:
        service.candidate_teams({"capability": "drainage", "township": "atlantis"})
    assert raised.value.field == "township"


def test_a_team_cannot_name_a_township_that_is_not_registered(service: TeamsService) -> None:
    with pytest.raises(NotFound) as raised:
        service.register_team({**LONGMA, "township": "atlantis"})
    assert raised.value.field == "township"
    assert service.list_teams()["items"] == []


def test_expiring_certificates_are_listed_soonest_first_within_the_window(
    service: TeamsService, clock: FixedClock
) -> None:
    team(service)
    clock.moment = datetime(2024, 7, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 July in China
    for member, expires in (("diver", "2024-07-01"), ("pump-operator", "2024-08-01"),
                            ("electrician", "2024-12-31")):
        service.add_member({"team_id": "longma-sanitation-rescue", "member_id": member, "name": member,
                            "role": member, "special_operations": True})
        service.record_certificate({"team_id": "longma-sanitation-rescue", "member_id": member,
                                    "certificate_id": "special-ops", "kind": "special operations",
                                    "expires_on": expires})
    soon = service.expiring_certificates({"within_days": "30"})["items"]
    assert [(held["member_id"], held["expired"], held["days_left"]) for held in soon] == [
        ("diver", True, -1), ("pump-operator", False, 30)]
    assert len(service.expiring_certificates({"within_days": 365})["items"]) == 3
    assert service.list_members("longma-sanitation-rescue")["items"][0]["member_id"] == "diver"


def test_members_of_an_unknown_team_cannot_be_added(service: TeamsService) -> None:
    with pytest.raises(NotFound) as raised:
        service.add_member({"team_id": "nobody", "member_id": "diver", "name": "diver", "role": "diver"})
    assert raised.value.field == "team_id"


def test_the_timeline_of_a_team_is_paged(service: TeamsService) -> None:
    ready_team(service)
    first = service.team_timeline("longma-sanitation-rescue", {"limit": 1})
    assert [entry["type"] for entry in first["items"]] == ["TeamRegistered"]
    rest = service.team_timeline("longma-sanitation-rescue", {"after": first["next"]})
    assert [entry["type"] for entry in rest["items"]] == ["ReadinessReported"]


def test_duty_posts_are_registered_and_listed(service: TeamsService) -> None:
    post = service.register_duty_post({"post_id": "district-officers", "name": "officers",
                                       "levels": ["district"],
                                       "contacts": {"a": {"post": "post A"}, "b": {"post": "post B"}}})
    assert service.list_duty_posts()["items"] == [post]


@pytest.mark.parametrize("read", ["get_team", "get_readiness", "list_deployments", "team_timeline",
                                  "list_members"])
def test_an_unknown_team_is_not_found_by_every_read(service: TeamsService, read: str) -> None:
    with pytest.raises(NotFound) as raised:
        getattr(service, read)("no-such-team")
    assert raised.value.field == "team_id"


def test_a_malformed_payload_is_rejected_naming_the_field(service: TeamsService) -> None:
    with pytest.raises(InvalidCommand) as raised:
        service.register_team({**LONGMA, "members": "many"})
    assert raised.value.field == "members"
