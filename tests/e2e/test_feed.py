"""The event feed: a consumer pages from 0, follows, and sees every event once, in order,
across a gateway restart."""

from __future__ import annotations

from typing import Any

from services.launcher import Platform
from tests.api_client import Api
from tests.e2e.route_examples import World
from tests.platform import issue_token


def read_pages(api: Api, service: str, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every event after `after`, page by page; and the position to follow from."""
    events: list[dict[str, Any]] = []
    while True:
        page = api.get(f"/feed/{service}", params={"after": after, "limit": limit})
        assert page.status_code == 200, page.text
        body = page.json()
        if events and body["items"]:
            assert body["items"][0]["position"] > events[-1]["position"], "a page repeats an event"
        events += body["items"]
        if not body["items"]:
            assert body["next"] == after
            return events, after
        after = body["next"]


def test_a_consumer_sees_every_event_once_in_order_across_a_gateway_restart(platform: Platform) -> None:
    observer = Api(platform.url, issue_token(platform, "observer", user="provincial-platform"))
    admin = Api(platform.url, issue_token(platform))
    World.create(admin)
    backfill, position = read_pages(observer, "inventory", 0, 7)

    platform.restart("gateway")
    platform.wait_ready(timeout_s=60)
    World.create(admin)  # two more warehouses and an item arrive while the consumer is away
    followed, _ = read_pages(observer, "inventory", position, 7)

    seen = [event["position"] for event in backfill + followed]
    assert seen == sorted(set(seen)) and len(followed) >= 3
    everything, _ = read_pages(observer, "inventory", 0, 1000)
    assert [event["event_id"] for event in everything] == [event["event_id"] for event in backfill + followed]
    assert {"event_id", "type", "stream_id", "position", "data", "metadata", "hash"} <= set(everything[0])


def test_a_feed_of_an_unknown_service_is_a_404_and_a_bad_position_a_400(platform: Platform) -> None:
    observer = Api(platform.url, issue_token(platform, "observer"))
    assert observer.get("/feed/gateway").status_code == 404
    response = observer.get("/feed/teams", params={"after": -1})
    assert (response.status_code, response.json()["field"]) == (400, "after")
