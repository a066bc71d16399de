"""One request through the gateway's pipeline, with fake services: the answer for each failure."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError
from nameko.testing.services import worker_factory
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from services.gateway.service import Gate, GatewayService
from services.gateway.tokens import TokenBook
from shared.application import IdempotencyKeyReused
from shared.config import load_settings
from shared.errors import StoreUnavailable
from shared.store.memory import InMemoryEventStore


class Inventory:
    """Answers `get_item`, and fails the way the test asks."""

    def __init__(self) -> None:
        self.failure: Exception | None = None
        self.calls: list[tuple[str, Any]] = []

    def get_item(self, item_id: str) -> dict[str, Any]:
        if self.failure is not None:
            raise self.failure
        return {"item_id": item_id}

    def register_item(self, body: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("register_item", meta))
        if self.failure is not None:
            raise self.failure
        return body

    def import_stock(self, body: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("import_stock", body))
        return {"import_id": body.get("import_id", "census-1"), "status": "running", "total_rows": 1}

    def export_stock(self, query: dict[str, Any]) -> dict[str, Any]:
        return {"filename": "stock.csv", "csv": "warehouse_id,item_id\r\ndepot,编织袋\r\n", "rows": 1}


@pytest.fixture
def book() -> TokenBook:
    return TokenBook(InMemoryEventStore())


@pytest.fixture
def inventory() -> Inventory:
    return Inventory()


@pytest.fixture
def gateway(book: TokenBook, inventory: Inventory) -> GatewayService:
    settings = load_settings("gateway", {"GATEWAY_MAX_BODY_BYTES": "1000"})
    return worker_factory(GatewayService, gate=Gate(book), settings=settings,  # type: ignore[no-any-return]
                          inventory=inventory)


def call(gateway: GatewayService, method: str, path: str, token: str | None, **kwargs: Any) -> Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers |= kwargs.pop("headers", {})
    builder = EnvironBuilder(method=method, path=path, headers=Headers(headers), **kwargs)
    request = Request(builder.get_environ())
    name, values = {"/api/v1/items/sandbags": ("get_item", {"item_id": "sandbags"}),
                    "/api/v1/items": ("register_item", {}), "/api/v1/stock/imports": ("import_stock", {}),
                    "/api/v1/stock/export": ("export_stock", {})}[path]
    return getattr(gateway, name)(request, **values)  # type: ignore[no-any-return]


def body(response: Response) -> dict[str, Any]:
    return json.loads(response.get_data())  # type: ignore[no-any-return]


def test_a_fault_in_the_gateway_is_a_json_500_with_a_request_id_and_no_internals(
    gateway: GatewayService, book: TokenBook, inventory: Inventory, caplog: pytest.LogCaptureFixture,
) -> None:
    inventory.failure = KeyError("secret internal detail")
    with caplog.at_level(logging.ERROR):
        response = call(gateway, "GET", "/api/v1/items/sandbags", book.issue("user-a", "observer"),
                        headers={"X-Request-Id": "desk-42"})
    assert response.status_code == 500
    assert body(response)["code"] == "internal_error" and body(response)["request_id"] == "desk-42"
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] == "desk-42"
    assert "desk-42" in caplog.text and "secret internal detail" in caplog.text
    assert "Traceback" in caplog.text


def test_a_fault_in_a_service_is_a_json_500_too(gateway: GatewayService, book: TokenBook,
                                                inventory: Inventory) -> None:
    inventory.failure = RemoteError("ZeroDivisionError", "division by zero")
    response = call(gateway, "GET", "/api/v1/items/sandbags", book.issue("user-a", "observer"))
    assert response.status_code == 500 and "division" not in response.get_data(as_text=True)


def test_a_service_whose_event_store_is_unavailable_is_a_503_store_unavailable_not_a_500(
        gateway: GatewayService, book: TokenBook, inventory: Inventory) -> None:
    inventory.failure = StoreUnavailable("the event store is unavailable (its disk is full)")
    response = call(gateway, "POST", "/api/v1/items", book.issue("user-a", "commander"), json={},
                    headers={"Idempotency-Key": "k1"})
    assert response.status_code == 503
    assert body(response) == {"code": "store_unavailable", "field": None,
                              "message": "the event store is unavailable (its disk is full)"}


def test_a_request_the_broker_refuses_is_a_503_service_unavailable_not_a_500(
        gateway: GatewayService, book: TokenBook, inventory: Inventory) -> None:
    inventory.failure = OperationalError("[Errno 111] ECONNREFUSED")  # as kombu raises it, broker down
    response = call(gateway, "POST", "/api/v1/items", book.issue("user-a", "commander"), json={},
                    headers={"Idempotency-Key": "k1"})
    assert response.status_code == 503
    assert body(response)["code"] == "service_unavailable" and "broker" in body(response)["message"]


def test_a_reused_idempotency_key_is_a_409_naming_the_header(gateway: GatewayService, book: TokenBook,
                                                             inventory: Inventory) -> None:
    inventory.failure = IdempotencyKeyReused("already recorded a different command", field="command_id")
    response = call(gateway, "POST", "/api/v1/items", book.issue("user-a", "commander"), json={},
                    headers={"Idempotency-Key": "k1"})
    assert response.status_code == 409
    assert body(response) == {"code": "idempotency_key_reused", "field": "Idempotency-Key",
                              "message": "already recorded a different command"}


def test_the_acting_user_goes_into_the_command_metadata(gateway: GatewayService, book: TokenBook,
                                                        inventory: Inventory) -> None:
    response = call(gateway, "POST", "/api/v1/items", book.issue("operator-chen", "commander"),
                    json={"item_id": "x"})
    assert response.status_code == 201
    [(_, meta)] = inventory.calls
    assert meta["actor"] == "operator-chen"


def test_no_token_is_a_401_with_a_challenge_and_the_wrong_role_a_403(gateway: GatewayService,
                                                                      book: TokenBook) -> None:
    missing = call(gateway, "GET", "/api/v1/items/sandbags", None)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    observer = call(gateway, "POST", "/api/v1/items", book.issue("user-a", "observer"), json={})
    assert observer.status_code == 403 and body(observer)["code"] == "forbidden_role"


def test_a_bad_request_id_is_a_400_naming_the_header(gateway: GatewayService, book: TokenBook) -> None:
    response = call(gateway, "GET", "/api/v1/items/sandbags", book.issue("user-a", "observer"),
                    headers={"X-Request-Id": "x" * 500})
    assert response.status_code == 400 and body(response)["field"] == "X-Request-Id"
    assert len(response.headers["X-Request-Id"]) == 32


def test_a_csv_body_reaches_the_service_as_text_with_the_query_beside_it(
    gateway: GatewayService, book: TokenBook, inventory: Inventory
) -> None:
    census = "warehouse_id,item_id,quantity\ndepot,编织袋,5\n"
    response = call(gateway, "POST", "/api/v1/stock/imports", book.issue("user-a", "commander"),
                     data=census.encode(), query_string={"import_id": "census-7"},
                     headers={"Content-Type": "text/csv"})
    assert response.status_code == 202 and body(response)["import_id"] == "census-7"
    assert inventory.calls == [("import_stock", {"import_id": "census-7", "csv": census})]


@pytest.mark.parametrize(("data", "query", "status", "field"), [
    (b"x" * 1001, {}, 413, "body"),
    (b"\xff\xfe", {}, 400, "body"),
    (b"a,b\n", {"csv": "a,b"}, 400, "csv"),
])
def test_a_csv_body_over_the_limit_not_utf8_or_also_in_the_query_is_refused_before_the_service(
    gateway: GatewayService, book: TokenBook, inventory: Inventory, data: bytes, query: dict[str, str],
    status: int, field: str,
) -> None:
    response = call(gateway, "POST", "/api/v1/stock/imports", book.issue("user-a", "commander"), data=data,
                    query_string=query, headers={"Content-Type": "text/csv"})
    assert (response.status_code, body(response)["field"]) == (status, field)
    assert inventory.calls == []


def test_a_csv_import_needs_a_token_and_the_commanders_role(gateway: GatewayService, book: TokenBook,
                                                            inventory: Inventory) -> None:
    anonymous = call(gateway, "POST", "/api/v1/stock/imports", None, data=b"a,b\n")
    token = book.issue("keeper-li", "warehouse_keeper", warehouses=["depot"])
    keeper = call(gateway, "POST", "/api/v1/stock/imports", token, data=b"a,b\n")
    assert (anonymous.status_code, keeper.status_code) == (401, 403)
    assert inventory.calls == []


def test_a_csv_answer_is_text_csv_to_save_under_the_services_filename(gateway: GatewayService,
                                                                     book: TokenBook) -> None:
    response = call(gateway, "GET", "/api/v1/stock/export", book.issue("user-a", "observer"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="stock.csv"'
    assert response.get_data(as_text=True) == "warehouse_id,item_id\r\ndepot,编织袋\r\n"
