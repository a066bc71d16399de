"""Idempotency over HTTP, for every command route: one key, one effect, one answer; keys are per user."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.gateway.routes import Route, all_routes
from services.launcher import Platform
from tests.api_client import Api
from tests.e2e.route_examples import EXAMPLES, Call, World, unique
from tests.e2e.test_role_matrix import send
from tests.platform import issue_token

COMMANDS = [route for route in all_routes() if route.kind == "command"]


@pytest.fixture(scope="module")
def api(platform: Platform) -> Api:
    return Api(platform.url, issue_token(platform))


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    return World.create(api)


def keyed(api: Api, route: Route, call: Call, key: str) -> bytes:
    response = send(api, route, call, {"Idempotency-Key": key})
    assert response.status_code in (route.status, 409), response.text
    return response.content


@pytest.mark.parametrize("route", COMMANDS, ids=[route.name for route in COMMANDS])
def test_the_same_key_and_body_return_the_first_answer_byte_for_byte(
    route: Route, api: Api, world: World
) -> None:
    call, key = EXAMPLES[route.name](world), unique("key")
    first = keyed(api, route, call, key)
    send(api, route, EXAMPLES[route.name](world))  # something else happens in between
    assert keyed(api, route, call, key) == first


@pytest.mark.parametrize("route", COMMANDS, ids=[route.name for route in COMMANDS])
def test_the_same_key_with_another_body_is_a_409_naming_the_header(
    route: Route, api: Api, world: World
) -> None:
    call, key = EXAMPLES[route.name](world), unique("key")
    keyed(api, route, call, key)
    other = EXAMPLES[route.name](world)
    if (other.body, other.csv) == (call.body, call.csv):
        other = replace(other, body={**(other.body or {}), "note": "a different command"})
    response = send(api, route, other, {"Idempotency-Key": key})
    assert response.status_code == 409, response.text
    error = response.json()
    assert (error["code"], error["field"]) == ("idempotency_key_reused", "Idempotency-Key")


def stock(api: Api, world: World) -> int:
    levels = api.get(f"/warehouses/{world.warehouse}/stock").json()["items"]
    return sum(level["on_hand"] for level in levels if level["item_id"] == world.item)


def test_a_receipt_sent_twice_with_one_key_counts_once(api: Api, world: World) -> None:
    before, key = stock(api, world), unique("receipt")
    body = {"kind": "receipt", "item_id": world.item, "quantity": 200, "reference": "PO 2025-17"}
    first = api.post(f"/warehouses/{world.warehouse}/movements", body, key=key)
    again = api.post(f"/warehouses/{world.warehouse}/movements", body, key=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert stock(api, world) == before + 200


def test_two_users_with_the_same_key_do_not_collide(platform: Platform, api: Api, world: World) -> None:
    users = [unique("keeper"), unique("keeper")]
    keepers = [Api(platform.url, issue_token(platform, "warehouse_keeper", user=user,
                                             warehouses=(world.warehouse,))) for user in users]
    before, key = stock(api, world), unique("shared-key")
    answers = [keeper.post(f"/warehouses/{world.warehouse}/movements",
                           {"kind": "receipt", "item_id": world.item, "quantity": 3 + index}, key=key)
               for index, keeper in enumerate(keepers)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert stock(api, world) == before + 3 + 4
    assert [answer.json()["events"][0]["metadata"]["actor"] for answer in answers] == users
    ledger = api.get(f"/warehouses/{world.warehouse}/movements", params={"limit": 1000}).json()["items"]
    assert {line["actor"] for line in ledger} >= set(users)
