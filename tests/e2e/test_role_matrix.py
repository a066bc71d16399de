"""Every route × every role, generated from the route table: 2xx, 401 or 403 as its rule says,
and a scoped role refused when it names someone else's warehouse or team, in the path or the body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pydantic import TypeAdapter

from services.gateway.routes import ROLES, SCOPED_ROLES, Route, all_routes
from services.gateway.tokens import TokenBook, split_token
from services.launcher import Platform
from tests.api_client import Api
from tests.e2e.route_examples import EXAMPLES, Call, World
from tests.platform import issue_token

ROUTES = all_routes()
ids = [route.name for route in ROUTES]


@pytest.fixture(scope="module")
def world(platform: Platform) -> World:
    return World.create(Api(platform.url, issue_token(platform)))


@pytest.fixture(scope="module")
def clients(platform: Platform, world: World) -> dict[str, Api]:
    return {role: Api(platform.url, issue_token(platform, role, **world.scope_of(role))) for role in ROLES}


def send(api: Api, route: Route, call: Call, headers: dict[str, str] | None = None) -> requests.Response:
    path = route.path
    for name, value in call.path_values.items():
        path = path.replace(f"<{name}>", value)
    if call.csv is not None:
        return api.request(route.method, path, data=call.csv.encode(), params=call.query,
                           headers={"Content-Type": "text/csv", **(headers or {})})
    return api.request(route.method, path, json=call.body, params=call.query, headers=headers or {})


def answers_as_declared(route: Route, response: requests.Response) -> None:
    """The answer is the route's response model (each item of a page), with no field it does
    not describe: the models refuse unknown fields."""
    if route.answer == "csv":
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.text.splitlines()[0].startswith("warehouse_id,"), response.text[:200]
        return
    declared = TypeAdapter(route.response)
    body = response.json()
    if route.paged:
        assert set(body) == {"items", "next"}, body
        for item in body["items"]:
            declared.validate_json(json.dumps(item))
    else:
        declared.validate_json(response.content)


def test_every_route_has_an_example() -> None:
    assert set(EXAMPLES) == {route.name for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=ids)
def test_each_role_gets_what_the_routes_rule_says(route: Route, world: World,
                                                  clients: dict[str, Api]) -> None:
    outcomes = {role: send(clients[role], route, EXAMPLES[route.name](world)) for role in ROLES}
    expected = {role: route.status if route.access.allows(role) else 403 for role in ROLES}
    assert {role: response.status_code for role, response in outcomes.items()} == expected, {
        role: response.text[:200] for role, response in outcomes.items()}
    answers_as_declared(route, outcomes["admin"])


@pytest.fixture(scope="module")
def revoked(platform: Platform) -> str:
    token = issue_token(platform, "admin")
    book = TokenBook.open(platform.settings)
    book.revoke((split_token(token) or ("", ""))[0])
    book.close()
    return token


@pytest.mark.parametrize("route", ROUTES, ids=ids)
def test_no_token_or_a_revoked_one_is_a_401(route: Route, world: World, platform: Platform,
                                            revoked: str) -> None:
    # from an address of its own: bad tokens count against the address that sends them
    source = f"127.0.1.{ROUTES.index(route) + 1}"
    for token in (None, revoked, "anb.x.forged"):
        api = Api(platform.url, token, source)
        response = send(api, route, EXAMPLES[route.name](world))
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "unauthorized"


def scoped_cases() -> Iterator[Any]:
    for route in ROUTES:
        for role in sorted(route.access.roles & SCOPED_ROLES.keys()):
            for field in route.access.scope:
                yield pytest.param(route, role, field, id=f"{route.name}-{role}-{field}")


@pytest.mark.parametrize(("route", "role", "field"), list(scoped_cases()))
def test_a_scoped_role_naming_another_object_in_the_path_is_a_403(
    route: Route, role: str, field: str, world: World, clients: dict[str, Api]
) -> None:
    call = EXAMPLES[route.name](world)
    foreign = world.foreign(field)
    if field in route.path_fields:
        elsewhere = Call({**call.path_values, field: foreign}, call.body, call.query)
        response = send(clients[role], route, elsewhere)
        assert response.status_code == 403, response.text
        assert (response.json()["code"], response.json()["field"]) == ("forbidden_scope", field)
    body = {**(call.body or {}), field: foreign}
    response = send(clients[role], route, Call(call.path_values, body, call.query))
    # a body id that contradicts the path is a 400; one only the body names is a 403
    assert response.status_code == (400 if field in route.path_fields else 403), response.text


def test_a_keeper_cannot_issue_from_another_warehouse_and_nothing_moves(
    world: World, clients: dict[str, Api]
) -> None:
    before = world.admin.get(f"/warehouses/{world.other_warehouse}/movements").json()["items"]
    keeper = clients["warehouse_keeper"]
    attempts = [keeper.post(f"/warehouses/{world.other_warehouse}/movements",
                            {"kind": "receipt", "item_id": world.item, "quantity": 5}),
                keeper.post(f"/warehouses/{world.warehouse}/movements",
                            {"kind": "receipt", "item_id": world.item, "quantity": 5,
                             "warehouse_id": world.other_warehouse})]
    assert [attempt.status_code for attempt in attempts] == [403, 400]
    assert world.admin.get(f"/warehouses/{world.other_warehouse}/movements").json()["items"] == before
