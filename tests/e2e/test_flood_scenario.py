"""A flood from the first report to its closure, through the gateway with every service running
on the district's seed figures: stock and readiness change as the dispatch says, relief stops
the clock, and the after-action summary adds up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.launcher import Platform
from services.seed import load_seed
from tests.api_client import Api
from tests.e2e.world import expect
from tests.platform import issue_token, running_platform
from tests.rabbit import fresh_vhost

FLOOD = "pi-river-zhangxi-breach"
RESERVE = "jinan-flood-reserve"
ASKED = {"woven-sandbags": 20_000, "rubber-boats": 4, "life-jackets": 40}
LONGMA, BLUE_SKY = "longma-sanitation-rescue", "blue-sky-rescue"


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Api]]:
    """A platform of its own (this test takes stock from the seeded reserve), seeded."""
    data_dir: Path = tmp_path_factory.mktemp("flood")
    with fresh_vhost() as amqp_uri, running_platform(amqp_uri, data_dir) as platform:
        assert load_seed(platform.url, issue_token(platform)).problems == []
        yield platform, Api(platform.url, issue_token(platform, "commander", user="commander-li"))


def on_hand(api: Api, item: str) -> int:
    return int(expect(api.get(f"/items/{item}/stock"), 200)["on_hand"])


def eventually(read: Any, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := read()):
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.2)
    return value


def test_a_flood_from_its_first_report_to_its_closure(district: tuple[Platform, Api]) -> None:
    _, api = district
    for team, people in ((LONGMA, 18), (BLUE_SKY, 30)):
        expect(api.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": people}))
    before = {item: on_hand(api, item) for item in ASKED}
    assert before == {"woven-sandbags": 290_000, "rubber-boats": 32, "life-jackets": 2_253}
    happened = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)

    reported = expect(api.post("/incidents", {
        "incident_id": FLOOD, "title": "Pi river embankment breach at Zhangxi", "incident_type": "flood",
        "category": "natural_disaster", "township": "Sanshipu", "village": "Zhangxi",
        "reported_by": "information officer Zhou (A post)", "affected_people": 3200, "people_relocated": 800,
        "occurred_at": happened.isoformat(), "reported_at": (happened + timedelta(minutes=30)).isoformat()}))
    assert (reported["status"], reported["reported_late"]) == ("reported", False)
    expect(api.post(f"/incidents/{FLOOD}/verification", {"assessment": "breach confirmed by the township"}))
    expect(api.post(f"/incidents/{FLOOD}/response", {"level": "III", "basis": {"people_relocated": 800}}))

    expect(api.post(f"/incidents/{FLOOD}/requests", {
        "request_id": "r1", "priority": "urgent", "destination": "Zhangxi village flood HQ",
        "materials": [{"item_id": item, "quantity": quantity} for item, quantity in ASKED.items()],
        "teams": [{"team_id": LONGMA}, {"capability": "flood_water_rescue", "people": 20}]}))
    expect(api.post(f"/incidents/{FLOOD}/requests/r1/approval", {}))
    request = eventually(lambda: (doc := expect(api.get(f"/incidents/{FLOOD}/requests/r1"), 200))["status"]
                         in ("fulfilled", "partly_fulfilled", "failed") and doc)
    assert request["status"] == "fulfilled", request

    assert {item: before[item] - on_hand(api, item) for item in ASKED} == ASKED
    lines = expect(api.get("/readiness", params={"limit": 1000}), 200)["items"]
    board = {line["team_id"]: line for line in lines}
    assert {team: (board[team]["deployment"] or {}).get("incident_id") for team in (LONGMA, BLUE_SKY)} == {
        LONGMA: FLOOD, BLUE_SKY: FLOOD}
    view = expect(api.get(f"/incidents/{FLOOD}"), 200)
    teams = {(t["team_id"], t["people"], t["request_id"], t["readiness"]) for t in view["dispatched_teams"]}
    assert teams == {(LONGMA, 18, "r1", "ready"), (BLUE_SKY, 20, "r1", "ready")}
    sent: dict[str, int] = {}
    for line in view["dispatched_materials"]:
        assert (line["warehouse_id"], line["status"]) == (RESERVE, "dispatched")
        sent[line["item_id"]] = sent.get(line["item_id"], 0) + line["quantity"]
    assert sent == ASKED

    expect(api.post(f"/incidents/{FLOOD}/relief", {"people": 800, "provided": "meals, water, quilts"}))
    clock = expect(api.get(f"/incidents/{FLOOD}"), 200)["relief_clock"]
    assert (clock["state"], clock["met"]) == ("met", True)
    for step in ("containment", "recovery", "closure"):
        expect(api.post(f"/incidents/{FLOOD}/{step}", {}))

    summary = eventually(lambda: expect(api.get(f"/incidents/{FLOOD}"), 200)["summary"])
    assert summary["materials"] == [{"item_id": item, "issued": ASKED[item], "called_off": 0, "pledged": 0}
                                    for item in sorted(ASKED)]
    assert (summary["teams"], summary["people"], summary["requests"]) == (2, 38, {"fulfilled": 1})
    assert (summary["report_delay_s"], summary["reported_late"], summary["relief_target_met"]) == (
        1800.0, False, True)
    assert summary["highest_response_level"] == "III" and summary["time_to_response_s"] > 7000
    eventually(lambda: all(line["deployment"] is None for line in expect(api.get(
        "/readiness", params={"limit": 1000}), 200)["items"] if line["team_id"] in (LONGMA, BLUE_SKY)))
    stats = expect(api.get("/incident-statistics"), 200)
    assert (stats["relief_target"]["met"], stats["report_timeliness"]["on_time"]) == (1, 1)
