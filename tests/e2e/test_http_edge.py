"""What a client can get wrong over HTTP: each is a JSON 4xx naming the culprit, and changes nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from services.launcher import Platform
from tests.api_client import Api
from tests.e2e.route_examples import World, unique
from tests.platform import issue_token

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def api(platform: Platform) -> Api:
    return Api(platform.url, issue_token(platform))


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    return World.create(api)


def movements(api: Api, world: World) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(f"/warehouses/{world.warehouse}/movements",
                                          params={"limit": 1000}).json()["items"]
    return items


def assert_error(response: requests.Response, status: int, code: str | None, field: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()
    assert set(error) >= {"code", "message", "field"}
    if code is not None:
        assert error["code"] == code
    assert error["field"] == field


def test_a_body_over_the_limit_is_a_413_without_being_parsed(api: Api, world: World) -> None:
    response = api.request("POST", f"/warehouses/{world.warehouse}/movements", data=b" " * (MIB + 1),
                           headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large", "body")


def test_a_chunked_body_over_the_limit_is_a_413(api: Api, world: World) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * (64 * 1024)

    response = api.request("POST", f"/warehouses/{world.warehouse}/movements", data=chunks())
    assert_error(response, 413, "payload_too_large", "body")


def test_a_number_of_5000_digits_is_a_400(api: Api, world: World) -> None:
    body = b'{"kind": "receipt", "item_id": "%s", "quantity": %s}' % (world.item.encode(), b"9" * 5000)
    response = api.request("POST", f"/warehouses/{world.warehouse}/movements", data=body)
    assert_error(response, 400, "invalid", "body")


def test_a_path_of_ten_thousand_characters_is_a_json_414(platform: Platform) -> None:
    long_path = b"/api/v1/items/" + b"x" * 10_000
    head, body = raw_exchange(platform, b"GET " + long_path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414")
    assert b"application/json" in head
    assert json.loads(body)["code"] == "uri_too_long"


def test_an_over_long_url_through_an_ordinary_client_gets_the_json_answer(api: Api) -> None:
    assert_error(api.get("/items", params={"after": "x" * 10_000}), 414, "uri_too_long", "path")


def test_an_over_long_or_odd_request_id_is_a_400_naming_the_header(api: Api) -> None:
    for bad in ("x" * 129, "semi;colon"):
        assert_error(api.get("/items", headers={"X-Request-Id": bad}), 400, "invalid", "X-Request-Id")
    ok = api.get("/items", headers={"X-Request-Id": "desk-7:call-42"})
    assert ok.status_code == 200 and ok.headers["X-Request-Id"] == "desk-7:call-42"


def test_an_over_long_idempotency_key_is_a_400_naming_the_header(api: Api, world: World) -> None:
    before = movements(api, world)
    response = api.post(f"/warehouses/{world.warehouse}/movements",
                        {"kind": "receipt", "item_id": world.item, "quantity": 1}, key="k" * 201)
    assert_error(response, 400, "invalid", "Idempotency-Key")
    assert movements(api, world) == before


@pytest.mark.parametrize(("change", "field"), [
    ({"quantity": True}, "quantity"),
    ({"reference": "PO\x00 17"}, "reference"),
    ({"note": "bell\x07"}, "note"),
    ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at"),
])
def test_a_strict_field_rule_broken_over_http_is_a_400_naming_the_field(
    api: Api, world: World, change: dict[str, Any], field: str
) -> None:
    before = movements(api, world)
    response = api.post(f"/warehouses/{world.warehouse}/movements",
                        {"kind": "receipt", "item_id": world.item, "quantity": 1, **change})
    assert_error(response, 400, "invalid", field)
    assert movements(api, world) == before


def test_a_time_without_a_zone_is_read_as_china_standard_time(api: Api, world: World) -> None:
    response = api.post(f"/warehouses/{world.warehouse}/movements",
                        {"kind": "receipt", "item_id": world.item, "quantity": 1,
                         "occurred_at": "2024-07-01T08:00:00", "reference": unique("cst")})
    assert response.status_code == 201, response.text
    assert response.json()["events"][0]["occurred_at"] == "2024-07-01T00:00:00Z"


def test_a_team_count_of_true_is_a_400_not_one(api: Api, world: World) -> None:
    response = api.post(f"/teams/{world.team}/readiness", {"status": "ready", "people_available": True})
    assert_error(response, 400, "invalid", "people_available")


def raw_exchange(platform: Platform, request: bytes) -> tuple[bytes, bytes]:
    address = urlsplit(platform.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize(("request_", "status", "code", "field"), [
    (b"GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
     b"400", b"header_too_long", b"headers"),
    (b"POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n", b"400", b"invalid",
     b"Content-Length"),
    (b"GET /api/v1/items HTTP/9.9\r\nHost: x\r\n\r\n", b"505", b"bad_request", b"request_line"),
    (b"GET\r\n\r\n", b"400", b"bad_request", b"request_line"),
])
def test_a_malformed_request_head_gets_a_json_answer_too(
    platform: Platform, request_: bytes, status: bytes, code: bytes, field: bytes
) -> None:
    head, body = raw_exchange(platform, request_)
    assert head.split(b" ")[1] == status, head
    assert b"application/json" in head
    assert json.loads(body)["code"] == code.decode() and json.loads(body)["field"] == field.decode()
