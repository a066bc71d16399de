"""The dispatch process manager over fake inventory and teams services: where stock comes from,
which teams go, what a shortage or a refusal records, and that no step happens twice whatever
is offered again."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from services.incidents.domain import incidents, request
from shared.decider import Decider
from tests.unit.incidents_world import INCIDENT, World


@pytest.fixture
def world() -> World:
    world = World()
    world.live_flood()
    return world


def issued(world: World) -> Counter[tuple[str, str]]:
    totals: Counter[tuple[str, str]] = Counter()
    for warehouse, item, quantity in world.district.inventory.issued:
        totals[(warehouse, item)] += quantity
    return totals


def test_an_approved_request_is_carried_out_nearest_warehouse_first(world: World) -> None:
    world.request()
    world.settle()
    assert world.get_request()["status"] == "fulfilled"
    assert issued(world) == {("sanshipu-depot", "woven-sandbags"): 8000,
                             ("jinan-flood-reserve", "woven-sandbags"): 12000,
                             ("jinan-flood-reserve", "rubber-boats"): 4,
                             ("jinan-flood-reserve", "life-jackets"): 40}
    assert world.district.inventory.reservations == {}
    assert {key: world.line("m1")[key] for key in ("asked", "approved", "reserved", "issued", "missing")} == {
        "asked": 20000, "approved": 20000, "reserved": 20000, "issued": 20000, "missing": 0}


def test_every_step_is_recorded_on_the_request_in_order(world: World) -> None:
    world.request()
    world.settle()
    assert world.events() == [
        "RequestRaised", "RequestApproved", "DispatchPlanned",
        *["MaterialsReserved"] * 4, *["TeamDispatched"] * 3, *["MaterialsIssued"] * 4, "DispatchCompleted"]


def test_a_warehouse_whose_place_is_unknown_comes_after_those_that_are_placed(world: World) -> None:
    world.request(materials=[{"item_id": "woven-sandbags", "quantity": 300_000}], teams=[])
    world.settle()
    assert [(s["warehouse_id"], s["quantity"]) for s in world.get_request()["sources"]] == [
        ("sanshipu-depot", 8000), ("jinan-flood-reserve", 290000), ("unplaced-store", 2000)]


def test_teams_go_by_name_and_by_capability_nearest_first_until_the_people_are_found(world: World) -> None:
    world.request()
    world.settle()
    named, by_capability = world.line("t1"), world.line("t2")
    assert [(t["team_id"], t["people"], t["status"]) for t in named["teams"]] == [
        ("longma-sanitation-rescue", 18, "deployed")]
    assert [(t["team_id"], t["people"], t["status"]) for t in by_capability["teams"]] == [
        ("blue-sky-rescue", 25, "deployed"), ("militia-reserve", 5, "deployed")]
    assert {team: t["deployment"] for team, t in world.district.teams.teams.items()} == {
        "longma-sanitation-rescue": INCIDENT, "blue-sky-rescue": INCIDENT, "militia-reserve": INCIDENT}


def test_the_approved_quantity_is_dispatched_and_a_declined_line_is_not(world: World) -> None:
    world.request(approve=False)
    world.service.approve_request({"incident_id": INCIDENT, "request_id": "r1", "changes": [
        {"line": "m1", "quantity": 5000}, {"line": "m2", "quantity": 0}, {"line": "t2", "quantity": 10}]})
    world.settle()
    assert issued(world) == {("sanshipu-depot", "woven-sandbags"): 5000,
                             ("jinan-flood-reserve", "life-jackets"): 40}
    assert world.line("t2")["teams"][0]["people"] == 10
    assert world.get_request()["status"] == "fulfilled"


def test_agreement_reserves_cover_what_the_warehouses_lack(world: World) -> None:
    world.district.inventory.agreements["construction-companies"] = {
        "lead_time_hours": 4, "lines": {"drainage-pump-sets": 28, "excavators": 45}}
    world.district.inventory.on_hand[("jinan-flood-reserve", "drainage-pump-sets")] = 46
    world.request(materials=[{"item_id": "drainage-pump-sets", "quantity": 50}], teams=[])
    world.settle()
    assert world.line("m1")["issued"] == 46 and world.line("m1")["called_off"] == 4
    assert world.get_request()["status"] == "fulfilled"
    assert world.district.inventory.call_offs[world.get_request()["call_offs"][0]["ref"]]["quantity"] == 4


def test_an_agreement_too_slow_for_the_relief_target_is_not_called_off(world: World) -> None:
    world.district.inventory.agreements["far-company"] = {"lead_time_hours": 24, "lines": {"excavators": 10}}
    world.request(materials=[{"item_id": "excavators", "quantity": 2}], teams=[])
    world.settle()
    assert world.get_request()["status"] == "failed"
    assert world.district.inventory.call_offs == {}


def test_a_request_for_more_than_the_district_holds_is_partly_fulfilled_and_says_what_is_missing(
    world: World,
) -> None:
    world.request(materials=[{"item_id": "rubber-boats", "quantity": 40}], teams=[])
    world.settle()
    request = world.get_request()
    assert (request["status"], request["outcome"]) == ("partly_fulfilled", "partly_fulfilled")
    assert (world.line("m1")["issued"], world.line("m1")["missing"]) == (32, 8)
    [shortfall] = request["shortfalls"]
    assert shortfall["missing"] == 8
    assert "the district's warehouses have 32 available" in shortfall["reason"]
    completed = world.app.store.read_stream(f"request:{INCIDENT}:r1")[-1].data
    assert completed["lines"][0] | {"reasons": None} == {
        "line": "m1", "unit": "items", "asked": 40, "approved": 40, "delivered": 32, "missing": 8,
        "fulfilled": False, "reasons": None}


def test_a_request_nothing_can_answer_fails_with_the_reasons(world: World) -> None:
    world.request(materials=[{"item_id": "unobtainium", "quantity": 1}],
                  teams=[{"capability": "hazardous_chemicals", "people": 5}])
    world.settle()
    request = world.get_request()
    assert request["status"] == "failed"
    assert [s["reason"] for s in request["shortfalls"]] == [
        "no item unobtainium",
        "5 people with hazardous_chemicals missing: ready teams not yet deployed have 0 between them"]


def test_stock_taken_between_the_plan_and_the_reservation_is_a_recorded_refusal(world: World) -> None:
    world.request(approve=False, materials=[{"item_id": "rubber-boats", "quantity": 4}], teams=[])
    world.service.approve_request({"incident_id": INCIDENT, "request_id": "r1"})
    world.runner.run_once()  # plans: 4 of 32 boats
    world.district.inventory.on_hand[("jinan-flood-reserve", "rubber-boats")] = 2  # others took them
    world.settle()
    request = world.get_request()
    assert request["status"] == "failed"
    assert request["refusals"][0]["code"] == "insufficient_stock"
    assert world.district.inventory.issued == []


def test_a_team_that_cannot_go_is_a_recorded_refusal_and_the_rest_still_goes(world: World) -> None:
    world.district.teams.teams["longma-sanitation-rescue"]["status"] = "not_ready"
    world.request()
    world.settle()
    request = world.get_request()
    assert request["status"] == "partly_fulfilled"
    assert [(r["step"], r["code"]) for r in request["refusals"]] == [("deploy", "team_not_available")]
    assert world.line("t1")["teams"][0]["status"] == "refused"
    assert world.line("m1")["issued"] == 20000


def test_an_unknown_named_team_is_a_shortfall(world: World) -> None:
    world.request(materials=[], teams=[{"team_id": "ghost-team"}])
    world.settle()
    assert world.get_request()["shortfalls"] == [{"line": "t1", "missing": 0, "reason": "no team ghost-team"}]
    assert world.get_request()["status"] == "failed"


# --- crashes, retries, redeliveries ----------------------------------------------------------------

@pytest.mark.parametrize("method", ["reserve_stock", "issue_stock", "deploy_team"])
def test_a_step_whose_answer_was_lost_is_retried_under_its_id_and_happens_once(
    world: World, method: str
) -> None:
    world.request()
    world.district.crash_after.add(method)
    with pytest.raises(ConnectionError):
        world.settle()
    world.settle()
    assert world.get_request()["status"] == "fulfilled"
    assert issued(world)[("jinan-flood-reserve", "rubber-boats")] == 4
    assert sum(issued(world).values()) == 20044
    assert world.district.teams.teams["blue-sky-rescue"]["deployments"] == 1
    assert world.service.verify()["ok"]


def test_the_whole_log_offered_again_repeats_nothing(world: World) -> None:
    world.request()
    world.settle()
    before, calls = len(list(world.app.store.read_all(0, 10_000))), len(world.district.calls)
    world.app.store.set_checkpoint(world.runner.checkpoint, 0)
    world.settle()
    assert len(list(world.app.store.read_all(0, 10_000))) == before
    assert len(world.district.calls) == calls  # not even a look-up: each step's state says it is done
    assert sum(issued(world).values()) == 20044


def test_events_offered_out_of_order_change_nothing(world: World) -> None:
    world.request()
    world.settle()
    recorded = list(world.app.store.read_stream(f"request:{INCIDENT}:r1"))
    calls = len(world.district.calls)
    for event in reversed(recorded):
        for reaction in world.runner.reactions:
            if reaction.wants(event):
                reaction.react(event, world.runner.effects)
    assert world.app.store.read_stream(f"request:{INCIDENT}:r1") == recorded
    assert world.district.commands("issue_stock") == 4 and len(world.district.calls) == calls


def test_a_service_that_does_not_answer_holds_the_dispatch_until_it_does(world: World) -> None:
    world.request()
    world.district.down = True
    with pytest.raises(ConnectionError):
        world.runner.run_once()
    assert world.get_request()["status"] == "approved"
    world.district.down = False
    world.settle()
    assert world.get_request()["status"] == "fulfilled"


def test_a_request_mid_dispatch_and_an_incident_round_trip_through_their_snapshots(world: World) -> None:
    world.request()
    world.settle()
    deciders: tuple[tuple[str, Decider[Any, Any]], ...] = (
        (f"request:{INCIDENT}:r1", request.requests), (f"incident:{INCIDENT}", incidents.incidents))
    for stream, decider in deciders:
        state = world.app.load(stream, decider)[0]
        codec = world.app.states.codec(decider)
        assert codec.load(codec.dump(state)) == state


@pytest.mark.parametrize(("township", "asked_near"), [
    ("sanshipu", "sanshipu"), ("Sanshipu", "sanshipu"), ("三十铺镇", "sanshipu"), ("Atlantis", None)])
def test_teams_are_looked_for_near_the_township_the_report_names_by_id_or_by_name(
    township: str, asked_near: str | None
) -> None:
    world = World()
    world.live_flood(township=township)
    world.request(materials=[], teams=[{"capability": "flood_water_rescue", "people": 5}])
    world.settle()
    [query] = world.district.teams.candidate_queries
    assert query.get("township") == asked_near
    assert world.get_request()["status"] == "fulfilled"


def test_the_plan_looks_each_warehouse_up_once_and_agreements_only_for_a_line_stock_cannot_cover(
    world: World,
) -> None:
    world.request()
    world.settle()
    assert (world.district.commands("get_warehouse"), world.district.commands("on_site_within")) == (3, 0)
