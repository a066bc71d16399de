from __future__ import annotations

from nameko.exceptions import deserialize, serialize

import shared.nameko_kit  # noqa: F401 - registers the kernel errors with nameko
from shared.errors import Conflict, InvalidCommand, NotFound, StoreUnavailable
from shared.store import ConcurrencyError


def test_errors_cross_rpc_as_themselves_with_code_and_field() -> None:
    sent = Conflict("only 11 on hand", field="quantity", code="insufficient_stock")
    received = deserialize(serialize(sent))
    assert type(received) is Conflict
    assert received.as_dict() == {"code": "insufficient_stock", "message": "only 11 on hand",
                                  "field": "quantity"}


def test_an_error_without_field_or_code_keeps_its_defaults_across_rpc() -> None:
    received = deserialize(serialize(NotFound("no warehouse w9")))
    assert received.as_dict() == {"code": "not_found", "message": "no warehouse w9", "field": None}


def test_a_concurrency_error_says_what_moved() -> None:
    error = deserialize(serialize(ConcurrencyError.stream_moved("stock-a-b", 3, 5)))
    assert isinstance(error, ConcurrencyError)
    assert "at version 5, expected 3" in error.message


def test_a_validation_error_names_the_field() -> None:
    assert str(InvalidCommand("must be positive", field="quantity")) == "quantity: must be positive"


def test_an_unavailable_store_crosses_rpc_as_itself() -> None:
    received = deserialize(serialize(StoreUnavailable("the event store is unavailable (locked)")))
    assert type(received) is StoreUnavailable
    assert received.as_dict() == {"code": "store_unavailable", "field": None,
                                  "message": "the event store is unavailable (locked)"}
