"""The aggregated views, gathered from fake services: totals, clocks, staleness, partial answers."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway import views
from services.gateway.gather import Gatherer, ServiceUnavailable
from shared.errors import InvalidCommand, NotFound
from tests.unit.gateway.fake_services import BOARD, INCIDENTS, NOW, FakeServices, gatherer


def test_the_overview_counts_open_incidents_overdue_relief_shortages_and_stale_teams() -> None:
    overview = views.overview(gatherer(), {})
    assert (overview["partial"], overview["unavailable"]) == (False, [])
    assert overview["incidents"]["open"] == 2  # neither the closed one nor the false report
    assert overview["incidents"]["by_level"] == {"III": 1, "none": 1}
    assert [line["incident_id"] for line in overview["incidents"]["relief_overdue"]] == ["flood-1"]
    assert [line["incident_id"] for line in overview["incidents"]["relief_at_risk"]] == ["crash-1"]
    assert overview["incidents"]["relief_overdue"][0]["relief_clock"] == INCIDENTS[0]["relief_clock"]
    assert overview["stock"]["shortages"][0]["missing"] == 60
    readiness = overview["readiness"]
    assert (readiness["teams"], readiness["by_status"], readiness["deployed"]) == (
        3, {"ready": 2, "unknown": 1}, 1)
    assert [team["team_id"] for team in readiness["stale"]] == ["blue-sky", "militia"]
    assert readiness["stale"][0]["stale_since"] == "2024-07-02T08:00:00+00:00"
    assert [line["capability"] for line in readiness["available"]] == ["flood_water_rescue"]


def test_the_overview_of_a_district_with_a_service_down_is_partial_and_says_which() -> None:
    overview = views.overview(gatherer(down=("teams",)), {})
    assert (overview["partial"], overview["unavailable"]) == (True, ["teams"])
    assert overview["readiness"] is None
    assert overview["incidents"]["open"] == 2 and overview["stock"]["items"] == 3


def test_an_incident_view_names_the_teams_it_sent_and_the_stock_dispatched_or_reserved_for_it() -> None:
    view = views.incident_view(gatherer(), "flood-1", {})
    assert view["dispatched_teams"] == [
        {"team_id": "longma", "name": "Longma", "name_zh": "Longma", "readiness": "ready", "stale": False,
         "request_id": "r1", "deployment": 3, "people": 12, "status": "on_scene", "arrived_at": None,
         "ended_at": None},
        {"team_id": "gone", "name": None, "name_zh": None, "readiness": None, "stale": None,
         "request_id": "r1", "deployment": 1, "people": 5, "status": "stood_down", "arrived_at": None,
         "ended_at": None}]
    assert view["dispatched_materials"] == [
        {"warehouse_id": "depot-a", "warehouse_name": "Depot A", "warehouse_name_zh": "甲库",
         "item_id": "sandbags", "quantity": 20, "status": "dispatched", "reservation_id": None,
         "request_id": "r1"},
        {"warehouse_id": "depot-b", "warehouse_name": "Depot B", "warehouse_name_zh": "乙库",
         "item_id": "life-jackets", "quantity": 100, "status": "reserved", "reservation_id": "r-jackets",
         "request_id": "r2"}]
    assert view["relief_clock"] == INCIDENTS[0]["relief_clock"] and view["partial"] is False


def test_a_team_deployed_to_an_incident_by_hand_is_listed_without_a_request() -> None:
    view = views.incident_view(gatherer(), "crash-1", {})
    assert view["dispatched_teams"] == []
    services = FakeServices()
    services.lists["teams", "readiness_board"] = [
        {**BOARD[1], "deployment": {"deployment": 2, "incident_id": "crash-1", "status": "deployed",
                                    "people": 4, "arrived_at": None}}]
    view = views.incident_view(Gatherer(services, lambda: NOW), "crash-1", {})
    teams = [(team["team_id"], team["request_id"], team["status"], team["people"], team["stale"])
             for team in view["dispatched_teams"]]
    assert teams == [("blue-sky", None, "deployed", 4, True)]


def test_an_incident_view_with_teams_down_keeps_the_teams_without_readiness() -> None:
    view = views.incident_view(gatherer(down=("teams",)), "flood-1", {})
    assert (view["partial"], view["unavailable"]) == (True, ["teams"])
    assert [(team["readiness"], team["status"]) for team in view["dispatched_teams"]] == [
        (None, "on_scene"), (None, "stood_down")]


def test_an_incident_view_needs_the_incident() -> None:
    with pytest.raises(NotFound):
        views.incident_view(gatherer(), "no-such", {})
    with pytest.raises(ServiceUnavailable):
        views.incident_view(gatherer(down=("incidents",)), "flood-1", {})


def test_a_feed_is_read_only_from_a_known_service_with_a_valid_position() -> None:
    calls: list[tuple[Any, ...]] = []

    def feed_rpc(service: str, method: str, *args: Any) -> dict[str, Any]:
        calls.append((service, method, *args))
        return {"items": [], "next": 5}

    g = Gatherer(feed_rpc, lambda: NOW)
    assert views.feed(g, "inventory", {"after": "5", "limit": "10"}) == {"items": [], "next": 5}
    assert calls == [("inventory", "feed", 5, 10)]
    with pytest.raises(NotFound):
        views.feed(g, "gateway", {})
    for query, field in (({"after": "-1"}, "after"), ({"limit": "0"}, "limit"), ({"from": "1"}, "from")):
        with pytest.raises(InvalidCommand) as refused:
            views.feed(g, "teams", query)
        assert refused.value.field == field
