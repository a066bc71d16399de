"""The HTTP edge: body limits before reading, JSON a client can get wrong, bounded headers."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.http import (
    MAX_KEY_LENGTH,
    PayloadTooLarge,
    command_meta,
    json_body,
    read_body,
    request_id,
)
from services.gateway.tokens import Principal
from shared.errors import InvalidCommand


class Untouchable(io.RawIOBase):
    """A body stream that fails the test if anyone reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def request(headers: dict[str, str] | None = None, body: bytes = b"", chunked: bool = False) -> Request:
    environ = EnvironBuilder(method="POST", headers=Headers(headers or {}), data=body).get_environ()
    if chunked:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    return Request(environ)


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read() -> None:
    environ = EnvironBuilder(method="POST").get_environ()
    environ["CONTENT_LENGTH"], environ["wsgi.input"] = "2000", Untouchable()
    with pytest.raises(PayloadTooLarge) as refused:
        read_body(Request(environ), limit=1000)
    assert refused.value.field == "body" and "2000 bytes" in refused.value.message


def test_a_chunked_body_over_the_limit_is_refused_after_reading_one_byte_more() -> None:
    with pytest.raises(PayloadTooLarge):
        read_body(request(body=b"x" * 1001, chunked=True), limit=1000)
    assert read_body(request(body=b"x" * 1000, chunked=True), limit=1000) == b"x" * 1000


def test_a_body_within_the_limit_is_read_whole() -> None:
    assert read_body(request(body=b'{"a": 1}'), limit=8) == b'{"a": 1}'


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe",
                                 b'{"quantity": ' + b"9" * 5000 + b"}",
                                 b'{"area_m2": NaN}', b'{"area_m2": -Infinity}', b"[" * 100_000])
def test_a_body_that_is_not_a_sensible_json_object_is_a_400_naming_the_body(raw: bytes) -> None:
    with pytest.raises(InvalidCommand) as refused:
        json_body(raw)
    assert refused.value.field == "body"


def test_an_empty_body_is_an_empty_object() -> None:
    assert json_body(b"") == {}


@pytest.mark.parametrize("given", ["x" * 129, "has space", "new\nline", "中文", ""])
def test_a_request_id_that_is_too_long_or_odd_is_a_400_naming_the_header(given: str) -> None:
    environ = EnvironBuilder().get_environ()
    environ["HTTP_X_REQUEST_ID"] = given
    with pytest.raises(InvalidCommand) as refused:
        request_id(Request(environ))
    assert refused.value.field == "X-Request-Id"


def test_a_well_formed_request_id_is_kept_and_a_missing_one_is_made_up() -> None:
    assert request_id(request({"X-Request-Id": "duty-desk:2024-07-01.17"})) == "duty-desk:2024-07-01.17"
    assert len(request_id(request())) == 32


KEEPER = Principal("keeper-li", "warehouse_keeper", "t1")


@pytest.mark.parametrize("key", ["k" * (MAX_KEY_LENGTH + 1), "with space", "tab\tkey", "键"])
def test_an_idempotency_key_that_is_too_long_or_odd_is_a_400_naming_the_header(key: str) -> None:
    environ = EnvironBuilder().get_environ()
    environ["HTTP_IDEMPOTENCY_KEY"] = key
    with pytest.raises(InvalidCommand) as refused:
        command_meta(Request(environ), KEEPER, "rid")
    assert refused.value.field == "Idempotency-Key"


def test_an_idempotency_key_of_the_longest_length_is_accepted() -> None:
    command_meta(request({"Idempotency-Key": "k" * MAX_KEY_LENGTH}), KEEPER, "rid")


def test_idempotency_keys_are_scoped_per_user_and_the_actor_is_the_user() -> None:
    other = Principal("keeper-zhao", "warehouse_keeper", "t2")
    mine = command_meta(request({"Idempotency-Key": "receipt-1"}), KEEPER, "rid")
    theirs = command_meta(request({"Idempotency-Key": "receipt-1"}), other, "rid")
    again = command_meta(request({"Idempotency-Key": "receipt-1"}), KEEPER, "rid-2")
    assert mine["command_id"] == again["command_id"] != theirs["command_id"]
    assert (mine["actor"], mine["correlation_id"]) == ("keeper-li", "rid")
    unkeyed = [command_meta(request(), KEEPER, "rid")["command_id"] for _ in range(2)]
    assert unkeyed[0] != unkeyed[1]
