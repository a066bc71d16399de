"""Teams over HTTP through the gateway, every service running as its own process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from services.launcher import Platform
from services.seed import load_seed


@pytest.fixture(scope="module")
def api(platform: Platform) -> str:
    return f"{platform.url}/api/v1"


def post(url: str, body: Any, key: str | None = None) -> requests.Response:
    return requests.post(url, json=body, headers={"Idempotency-Key": key} if key else {}, timeout=15)


def new_team(api: str, **overrides: Any) -> str:
    team = f"flood-team-{uuid.uuid4().hex[:8]}"
    registered = post(f"{api}/teams", {"team_id": team, "name": "Sanshipu flood team",
                                       "name_zh": "三十铺镇防汛应急队", "team_type": "township",
                                       "capabilities": ["flood_water_rescue"], "members": 57, **overrides})
    assert registered.status_code == 201, registered.text
    return team


def board_line(api: str, team: str, **query: str) -> dict[str, Any]:
    lines = requests.get(f"{api}/readiness", params={"limit": "1000", **query}, timeout=15).json()["items"]
    return next(line for line in lines if line["team_id"] == team)


def test_a_deployed_team_shows_deployed_and_deploying_it_again_is_a_409_naming_where_it_is(
    api: str,
) -> None:
    team = new_team(api)
    ready = post(f"{api}/teams/{team}/readiness", {"status": "ready", "people_available": 40})
    assert ready.status_code == 201
    deployed = post(f"{api}/teams/{team}/deployments", {"incident_id": "pi-river-seepage", "people": 30},
                    key=f"deploy-{team}")
    assert deployed.status_code == 201, deployed.text
    assert (deployed.json()["deployment"], deployed.json()["status"]) == (1, "deployed")
    line = board_line(api, team, deployed="true")
    assert line["deployment"]["incident_id"] == "pi-river-seepage" and line["deployment"]["people"] == 30

    retried = post(f"{api}/teams/{team}/deployments", {"incident_id": "pi-river-seepage", "people": 30},
                   key=f"deploy-{team}")
    assert (retried.status_code, retried.json()) == (201, deployed.json())
    again = post(f"{api}/teams/{team}/deployments", {"incident_id": "dongqiao-landslide"})
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already_deployed"
    assert "deployed to incident pi-river-seepage (deployment 1)" in again.json()["message"]

    assert post(f"{api}/teams/{team}/arrival", {"incident_id": "pi-river-seepage"}).status_code == 201
    released = post(f"{api}/teams/{team}/release", {"incident_id": "pi-river-seepage", "outcome": "released"})
    assert released.status_code == 201 and released.json()["status"] == "released"
    history = requests.get(f"{api}/teams/{team}/deployments", timeout=15).json()["items"]
    assert [(d["status"], d["arrived_at"] is not None) for d in history] == [("released", True)]
    assert board_line(api, team)["deployment"] is None


def test_a_readiness_report_older_than_24_hours_shows_stale(api: str) -> None:
    team = new_team(api)
    old = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    report = post(f"{api}/teams/{team}/readiness",
                  {"status": "ready", "people_available": 20, "occurred_at": old})
    assert report.status_code == 201, report.text
    assert board_line(api, team, stale="true")["stale"] is True
    assert requests.get(f"{api}/teams/{team}", timeout=15).json()["stale"] is True
    fresh = post(f"{api}/teams/{team}/readiness", {"status": "ready", "people_available": 20})
    assert fresh.status_code == 201
    assert board_line(api, team)["stale"] is False


def test_a_team_not_ready_cannot_be_deployed_and_nothing_is_recorded(api: str) -> None:
    team = new_team(api)
    post(f"{api}/teams/{team}/readiness", {"status": "not_ready", "people_available": 0})
    refused = post(f"{api}/teams/{team}/deployments", {"incident_id": "pi-river-seepage"})
    assert (refused.status_code, refused.json()["code"]) == (409, "team_not_available")
    assert requests.get(f"{api}/teams/{team}/deployments", timeout=15).json()["items"] == []


def test_readiness_as_of_a_past_moment_and_a_bad_query_is_a_400(api: str) -> None:
    team = new_team(api)
    post(f"{api}/teams/{team}/readiness", {"status": "ready", "people_available": 20,
                                           "occurred_at": "2024-07-01T08:00:00+08:00"})
    post(f"{api}/teams/{team}/readiness", {"status": "not_ready", "people_available": 0,
                                           "occurred_at": "2024-07-01T20:00:00+08:00"})
    noon = requests.get(f"{api}/teams/{team}/readiness", params={"as_of": "2024-07-01T12:00:00"},
                        timeout=15)
    assert noon.status_code == 200, noon.text
    assert (noon.json()["status"], noon.json()["people_available"]) == ("ready", 20)
    bad = requests.get(f"{api}/teams/{team}/readiness", params={"as_of": "noon"}, timeout=15)
    assert (bad.status_code, bad.json()["field"]) == (400, "as_of")
    unknown = requests.get(f"{api}/readiness", params={"status": "asleep"}, timeout=15)
    assert (unknown.status_code, unknown.json()["field"]) == (400, "status")


def test_the_seeded_district_answers_capacity_and_nearest_candidates(platform: Platform, api: str) -> None:
    assert load_seed(platform.url).problems == []
    townships = requests.get(f"{api}/townships", params={"limit": "100"}, timeout=15).json()["items"]
    assert len([t for t in townships if "location" in t]) >= 22
    near = new_team(api, township="maotanchang")
    far = new_team(api, township="chunshu")
    for team in (near, far):
        post(f"{api}/teams/{team}/readiness", {"status": "ready", "people_available": 30})
    ranked = requests.get(f"{api}/candidates", params={"capability": "flood_water_rescue", "people": "50",
                                                       "township": "donghekou", "limit": "1000"},
                          timeout=15).json()["items"]
    order = [c["team_id"] for c in ranked]
    assert order.index(near) < order.index(far)
    capacity = requests.get(f"{api}/capacity", timeout=15).json()
    flood = next(line for line in capacity["capabilities"] if line["capability"] == "flood_water_rescue")
    assert flood["people_available"] >= 60
    posts = requests.get(f"{api}/duty-posts", timeout=15).json()["items"]
    assert any(post["officers"] == 354 for post in posts)
