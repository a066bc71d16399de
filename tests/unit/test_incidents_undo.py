"""Undoing dispatches: a cancelled request releases what it holds and stands its teams down, a
dismissed incident cancels its requests, a closed one releases the teams still out; a request
cancelled in the middle of its dispatch (even across a crash) leaves nothing held."""

from __future__ import annotations

import pytest

from shared.errors import Conflict
from tests.unit.incidents_world import COMMANDER, INCIDENT, World


@pytest.fixture
def world() -> World:
    world = World()
    world.live_flood()
    return world


def cancel(world: World, request_id: str = "r1") -> None:
    world.service.cancel_request({"incident_id": INCIDENT, "request_id": request_id,
                                  "reason": "the water is receding"}, COMMANDER)


def deployed(world: World) -> set[str]:
    return {team for team, doc in world.district.teams.teams.items() if doc["deployment"] == INCIDENT}


def test_cancelling_a_request_before_approval_dispatches_nothing(world: World) -> None:
    world.request(approve=False)
    cancel(world)
    world.settle()
    assert world.district.calls == [] and world.get_request()["status"] == "cancelled"


def test_a_request_cancelled_after_approval_but_before_its_plan_is_never_planned(world: World) -> None:
    world.request()
    cancel(world)
    world.settle()
    assert world.events() == ["RequestRaised", "RequestApproved", "RequestCancelled"]
    assert world.district.calls == []


def test_cancelling_a_fulfilled_request_stands_its_teams_down_and_leaves_the_issued_stock_issued(
    world: World,
) -> None:
    world.request()
    world.settle()
    cancel(world)
    world.settle()
    assert deployed(world) == set()
    assert len(world.district.inventory.issued) == 4
    teams = [team for line in ("t1", "t2") for team in world.line(line)["teams"]]
    assert {team["status"] for team in teams} == {"stood_down"}
    assert world.events()[-3:] == ["TeamStoodDown"] * 3


def test_a_request_cancelled_mid_dispatch_releases_its_reservations_and_issues_nothing(world: World) -> None:
    world.request()
    world.district.crash_after.add("reserve_stock")  # the process dies after the first reservation
    with pytest.raises(ConnectionError):
        world.settle()
    cancel(world)
    world.settle()
    inventory = world.district.inventory
    assert inventory.reservations == {} and inventory.issued == []
    assert world.district.commands("deploy_team") == 0
    request = world.get_request()
    assert request["status"] == "cancelled"
    assert [(s["status"]) for s in request["sources"]] == ["released", "planned", "planned", "planned"]
    assert world.line("m1")["released"] == 8000
    assert world.service.verify()["ok"]


def test_a_request_cancelled_between_its_steps_takes_no_new_step(world: World) -> None:
    world.request()

    def cancel_after_the_first_deployment(method: str) -> None:
        if method == "deploy_team" and world.district.commands("deploy_team") == 1:
            cancel(world)

    world.district.after_command = cancel_after_the_first_deployment
    world.settle()
    assert world.district.commands("deploy_team") == 1 and world.district.commands("issue_stock") == 0
    assert world.district.inventory.reservations == {} and deployed(world) == set()
    assert world.line("m1")["released"] == 20000
    assert world.get_request()["status"] == "cancelled"


def test_an_issue_whose_answer_was_lost_before_a_cancel_is_recorded_and_nothing_more_is_issued(
    world: World,
) -> None:
    world.request()
    world.district.crash_after.add("issue_stock")
    with pytest.raises(ConnectionError):
        world.settle()
    cancel(world)
    world.settle()
    assert world.district.inventory.issued == [("sanshipu-depot", "woven-sandbags", 8000)]
    assert world.district.commands("issue_stock") == 2  # the lost one, and its replay under its id
    assert world.district.inventory.reservations == {}
    assert (world.line("m1")["issued"], world.line("m1")["released"]) == (8000, 12000)
    assert deployed(world) == set()


def test_a_deployment_whose_answer_was_lost_is_recorded_then_stood_down_and_no_other_team_goes(
    world: World,
) -> None:
    world.request()
    world.district.crash_after.add("deploy_team")
    with pytest.raises(ConnectionError):
        world.settle()
    world.district.inventory.reservations.clear()  # a keeper released them by hand meanwhile
    cancel(world)
    world.settle()
    assert world.district.teams.teams["longma-sanitation-rescue"]["deployments"] == 1
    assert world.district.commands("deploy_team") == 2 and deployed(world) == set()
    released = [e.data for e in world.app.store.read_stream(f"request:{INCIDENT}:r1")
                if e.type == "ReservationReleased"]
    assert len(released) == 4 and not any(data["released"] for data in released)
    assert all("not_found" in data["detail"] for data in released)


def test_cancelling_a_request_that_failed_or_was_cancelled_is_refused(world: World) -> None:
    world.request()
    cancel(world)
    with pytest.raises(Conflict) as raised:
        cancel(world)
    assert raised.value.code == "illegal_transition"


def test_dismissing_an_incident_cancels_its_requests_and_stands_the_teams_down(world: World) -> None:
    world.request("r1")
    world.request("r2", approve=False, materials=[{"item_id": "life-jackets", "quantity": 10}], teams=[])
    world.settle()
    world.service.dismiss_incident({"incident_id": INCIDENT, "reason": "the breach was a rumour"}, COMMANDER)
    world.settle()
    assert world.get_request("r1")["status"] == world.get_request("r2")["status"] == "cancelled"
    assert world.get_request("r1")["status_history"][-1]["reason"] == (
        "incident dismissed: the breach was a rumour")
    assert deployed(world) == set()
    assert world.service.get_incident(INCIDENT)["relief_clock"]["state"] == "void"


def test_an_approved_request_on_an_incident_dismissed_before_its_plan_is_cancelled_not_planned(
    world: World,
) -> None:
    world.request()
    world.service.dismiss_incident({"incident_id": INCIDENT, "reason": "duplicate report"}, COMMANDER)
    world.settle()
    assert world.get_request()["status"] == "cancelled"
    assert "DispatchPlanned" not in world.events()
    assert world.district.calls == []


def test_closing_an_incident_releases_the_teams_still_deployed(world: World) -> None:
    world.request()
    world.settle()
    world.district.teams.release_team({"team_id": "militia-reserve", "incident_id": INCIDENT,
                                       "outcome": "released"}, {})  # its leader released it already
    for step in ("declare_contained", "begin_recovery", "close_incident"):
        getattr(world.service, step)({"incident_id": INCIDENT}, COMMANDER)
    world.settle()
    assert deployed(world) == set()
    teams = world.service.get_incident(INCIDENT)["dispatched_teams"]
    statuses = {team["team_id"]: team["status"] for team in teams}
    assert statuses == {"longma-sanitation-rescue": "released", "blue-sky-rescue": "released",
                        "militia-reserve": "no_longer_deployed"}


def test_an_incident_does_not_close_while_a_request_is_open(world: World) -> None:
    world.request(approve=False)
    world.service.declare_contained({"incident_id": INCIDENT}, COMMANDER)
    world.service.begin_recovery({"incident_id": INCIDENT}, COMMANDER)
    with pytest.raises(Conflict) as raised:
        world.service.close_incident({"incident_id": INCIDENT}, COMMANDER)
    assert raised.value.code == "requests_open"
