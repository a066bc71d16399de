"""The pure choice of where an approved line comes from, and the contract it shares with teams."""

from __future__ import annotations

from typing import get_args

from services.incidents.domain.dispatch_steps import step_ref
from services.incidents.domain.kinds import GeoPoint
from services.incidents.domain.request_commands import Capability, MaterialLine, TeamLine
from services.incidents.domain.sourcing import (
    AgreementOption,
    Candidate,
    StockOption,
    distance_km,
    plan_capability,
    plan_material,
)
from services.teams.domain.registry import Capability as TeamsCapability

SANDBAGS = MaterialLine(line="m1", item_id="woven-sandbags", quantity=1000)


def test_stock_comes_from_the_nearest_warehouse_then_the_unplaced_with_most_then_agreements() -> None:
    stock = [StockOption("far", 300, 20.0), StockOption("near", 200, 2.5),
             StockOption("small-unplaced", 100, None), StockOption("big-unplaced", 250, None),
             StockOption("empty", 0, 1.0)]
    agreements = [AgreementOption("slow", 1000, 6), AgreementOption("fast", 50, 2),
                  AgreementOption("too-slow", 900, 12)]
    plan = plan_material("flood", "r1", SANDBAGS, stock, agreements)
    assert [(s.warehouse_id, s.quantity) for s in plan.sources] == [
        ("near", 200), ("far", 300), ("big-unplaced", 250), ("small-unplaced", 100)]
    assert [(c.agreement_id, c.quantity) for c in plan.call_offs] == [("fast", 50), ("slow", 100)]
    assert plan.shortfall is None


def test_what_nothing_covers_is_a_shortfall_that_says_what_there_was() -> None:
    plan = plan_material("flood", "r1", SANDBAGS, [StockOption("near", 600, 1.0)],
                         [AgreementOption("a", 100, 4)])
    assert plan.shortfall is not None and plan.shortfall.missing == 300
    assert plan.shortfall.reason == ("300 woven-sandbags missing: the district's warehouses have 600 "
                                     "available and agreement reserves can deliver 100 within 8 hours")


def test_people_come_from_the_candidates_in_their_order_skipping_teams_already_chosen() -> None:
    line = TeamLine(line="t1", team_id=None, capability="flood_water_rescue", people=40)
    taken = {"longma"}
    chosen, shortfall = plan_capability(line, [Candidate("longma", 18, 1.0), Candidate("blue-sky", 25, 4.0),
                                               Candidate("militia", 60, 9.0)], taken)
    assert [(a.team_id, a.people) for a in chosen] == [("blue-sky", 25), ("militia", 15)]
    assert shortfall is None and taken == {"longma", "blue-sky", "militia"}


def test_step_refs_are_stable_slugs_distinct_per_line_and_source() -> None:
    ref = step_ref("rsv", "flood", "r1", "m1", "near")
    assert ref == step_ref("rsv", "flood", "r1", "m1", "near") and ref.startswith("rsv-") and len(ref) == 28
    others = {step_ref("rsv", "flood", "r1", "m2", "near"), step_ref("rsv", "flood", "r2", "m1", "near"),
              step_ref("rsv", "flood-r1", "", "m1", "near")}
    assert len({ref, *others}) == 4


def test_the_distance_from_the_district_seat_to_sanshipu_is_a_few_km() -> None:
    assert 5 < distance_km(GeoPoint(lat=31.756, lon=116.507), GeoPoint(lat=31.70, lon=116.45)) < 10


def test_requests_know_the_same_capabilities_as_the_teams_service() -> None:
    assert set(get_args(Capability)) == set(get_args(TeamsCapability))
