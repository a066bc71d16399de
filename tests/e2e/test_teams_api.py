"""Teams over HTTP through the gateway, every service running as its own process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.launcher import Platform
from services.seed import load_seed
from tests.api_client import Api
from tests.platform import issue_token


@pytest.fixture(scope="module")
def api(platform: Platform) -> Api:
    return Api(platform.url, issue_token(platform, "commander"))


def new_team(api: Api, **overrides: Any) -> str:
    team = f"flood-team-{uuid.uuid4().hex[:8]}"
    registered = api.post("/teams", {"team_id": team, "name": "Sanshipu flood team",
                                     "name_zh": "三十铺镇防汛应急队", "team_type": "township",
                                     "capabilities": ["flood_water_rescue"], "members": 57, **overrides})
    assert registered.status_code == 201, registered.text
    return team


def board_line(api: Api, team: str, **query: str) -> dict[str, Any]:
    lines = api.get("/readiness", params={"limit": "1000", **query}).json()["items"]
    return next(line for line in lines if line["team_id"] == team)


def test_a_deployed_team_shows_deployed_and_deploying_it_again_is_a_409_naming_where_it_is(
    api: Api,
) -> None:
    team = new_team(api)
    ready = api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 40})
    assert ready.status_code == 201
    deployed = api.post(f"/teams/{team}/deployments", {"incident_id": "pi-river-seepage", "people": 30},
                        key=f"deploy-{team}")
    assert deployed.status_code == 201, deployed.text
    assert (deployed.json()["deployment"], deployed.json()["status"]) == (1, "deployed")
    line = board_line(api, team, deployed="true")
    assert line["deployment"]["incident_id"] == "pi-river-seepage" and line["deployment"]["people"] == 30

    retried = api.post(f"/teams/{team}/deployments", {"incident_id": "pi-river-seepage", "people": 30},
                       key=f"deploy-{team}")
    assert (retried.status_code, retried.json()) == (201, deployed.json())
    again = api.post(f"/teams/{team}/deployments", {"incident_id": "dongqiao-landslide"})
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already_deployed"
    assert "deployed to incident pi-river-seepage (deployment 1)" in again.json()["message"]

    assert api.post(f"/teams/{team}/arrival", {"incident_id": "pi-river-seepage"}).status_code == 201
    released = api.post(f"/teams/{team}/release", {"incident_id": "pi-river-seepage", "outcome": "released"})
    assert released.status_code == 201 and released.json()["status"] == "released"
    history = api.get(f"/teams/{team}/deployments").json()["items"]
    assert [(d["status"], d["arrived_at"] is not None) for d in history] == [("released", True)]
    assert board_line(api, team)["deployment"] is None


def test_a_readiness_report_older_than_24_hours_shows_stale(api: Api) -> None:
    team = new_team(api)
    old = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    report = api.post(f"/teams/{team}/readiness",
                      {"status": "ready", "people_available": 20, "occurred_at": old})
    assert report.status_code == 201, report.text
    assert board_line(api, team, stale="true")["stale"] is True
    assert api.get(f"/teams/{team}").json()["stale"] is True
    fresh = api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 20})
    assert fresh.status_code == 201
    assert board_line(api, team)["stale"] is False


def test_a_team_not_ready_cannot_be_deployed_and_nothing_is_recorded(api: Api) -> None:
    team = new_team(api)
    api.post(f"/teams/{team}/readiness", {"status": "not_ready", "people_available": 0})
    refused = api.post(f"/teams/{team}/deployments", {"incident_id": "pi-river-seepage"})
    assert (refused.status_code, refused.json()["code"]) == (409, "team_not_available")
    assert api.get(f"/teams/{team}/deployments").json()["items"] == []


def test_readiness_as_of_a_past_moment_and_a_bad_query_is_a_400(api: Api) -> None:
    team = new_team(api)
    api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 20,
                                          "occurred_at": "2024-07-01T08:00:00+08:00"})
    api.post(f"/teams/{team}/readiness", {"status": "not_ready", "people_available": 0,
                                          "occurred_at": "2024-07-01T20:00:00+08:00"})
    noon = api.get(f"/teams/{team}/readiness", params={"as_of": "2024-07-01T12:00:00"})
    assert noon.status_code == 200, noon.text
    assert (noon.json()["status"], noon.json()["people_available"]) == ("ready", 20)
    bad = api.get(f"/teams/{team}/readiness", params={"as_of": "noon"})
    assert (bad.status_code, bad.json()["field"]) == (400, "as_of")
    unknown = api.get("/readiness", params={"status": "asleep"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "status")


def test_the_seeded_district_answers_capacity_and_nearest_candidates(platform: Platform, api: Api) -> None:
    assert load_seed(platform.url, issue_token(platform, "admin", user="seed")).problems == []
    townships = api.get("/townships", params={"limit": "100"}).json()["items"]
    assert len([t for t in townships if "location" in t]) >= 22
    near = new_team(api, township="maotanchang")
    far = new_team(api, township="chunshu")
    for team in (near, far):
        api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 30})
    ranked = api.get("/candidates", params={"capability": "flood_water_rescue", "people": "50",
                                            "township": "donghekou", "limit": "1000"}).json()["items"]
    order = [c["team_id"] for c in ranked]
    assert order.index(near) < order.index(far)
    capacity = api.get("/capacity").json()
    flood = next(line for line in capacity["capabilities"] if line["capability"] == "flood_water_rescue")
    assert flood["people_available"] >= 60
    posts = api.get("/duty-posts").json()["items"]
    assert any(post["officers"] == 354 for post in posts)
