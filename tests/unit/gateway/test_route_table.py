"""The route table: every row complete, and the OpenAPI document generated from it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.gateway import openapi
from services.gateway.routes import (
    READ,
    ROLES,
    SCOPED_ROLES,
    Route,
    all_routes,
    check_table,
    command,
    read,
    write,
)
from services.inventory.domain.items import RegisterItem

ROUTES = all_routes()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_every_route_declares_its_response_and_a_command_its_request(route: Route) -> None:
    assert route.response is not None
    assert (route.request is not None) == (route.kind == "command")
    assert route.access.roles and route.access.roles <= set(ROLES) and "admin" in route.access.roles


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_an_observer_never_writes(route: Route) -> None:
    if route.kind == "command":
        assert "observer" not in route.access.roles


def test_a_route_open_to_a_scoped_role_must_name_its_scope_fields() -> None:
    unscoped = command("grab", "/warehouses/<warehouse_id>/grab", "inventory", "grab", "Grab",
                       write("warehouse_keeper"), request=RegisterItem)
    with pytest.raises(ValueError, match="names no scope field"):
        check_table((unscoped,))
    assert set(SCOPED_ROLES) == {"warehouse_keeper", "team_leader"}


def test_one_row_per_method_and_path() -> None:
    again = command("register_item_again", ROUTES[1].path, "inventory", "register_item", "Again",
                    write("commander"), request=RegisterItem)
    assert (ROUTES[1].method, ROUTES[1].name) == ("POST", "register_item")
    with pytest.raises(ValueError, match="one row per method and path"):
        check_table((ROUTES[1], again))


def test_a_csv_body_belongs_to_a_command_and_a_csv_answer_to_a_read() -> None:
    answering = command("export", "/export", "inventory", "export", "Export", write("commander"),
                        request=RegisterItem)
    with pytest.raises(ValueError, match="CSV"):
        check_table((replace(answering, answer="csv"),))
    with pytest.raises(ValueError, match="CSV"):
        check_table((replace(read("census", "/census", "inventory", "census", "Census", READ), body="csv"),))


def test_where_the_gateway_and_inventory_overlapped_one_route_answers_each_path() -> None:
    by_path = {(route.method, route.path): route for route in ROUTES}
    assert (by_path["GET", "/stock"].kind, by_path["GET", "/stock"].rpc) == ("list", "district_stock")
    assert (by_path["GET", "/items/<item_id>/stock"].kind, by_path["GET", "/items/<item_id>/stock"].rpc) == (
        "read", "get_item_stock")
    assert not [path for _, path in by_path if path.startswith("/stock/<")]


def test_the_openapi_document_describes_the_csv_body_and_answer() -> None:
    paths = openapi.document()["paths"]
    imports = paths["/api/v1/stock/imports"]["post"]
    assert imports["requestBody"]["content"]["text/csv"]["schema"]["type"] == "string"
    assert {p["name"] for p in imports["parameters"] if p["in"] == "query"} == {"import_id", "occurred_at"}
    assert "202" in imports["responses"]
    export = paths["/api/v1/stock/export"]["get"]["responses"]["200"]["content"]
    assert export == {"text/csv": {"schema": {"type": "string"}}}


def test_route_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        check_table((ROUTES[0], ROUTES[0]))


def test_the_openapi_document_has_every_route_with_its_models() -> None:
    document = openapi.document()
    for route in ROUTES:
        operation = document["paths"][openapi.openapi_path(route)][route.method.lower()]
        assert operation["operationId"] == route.name
        assert str(route.status) in operation["responses"]
        assert {"401", "403", "503"} <= set(operation["responses"])


def test_a_request_body_leaves_out_the_ids_the_path_gives() -> None:
    schemas = openapi.document()["components"]["schemas"]
    assert "warehouse_id" not in schemas["ReceiveStockBody"]["properties"]
    assert "warehouse_id" not in schemas["IssueStockBody"]["required"]
    assert "team_id" not in schemas["ReportReadinessBody"]["properties"]
    assert "item_id" in schemas["RegisterItem"]["required"]


def test_lists_are_paged_with_limit_and_after() -> None:
    operation = openapi.document()["paths"]["/api/v1/items"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"} == {
        "limit", "after"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["items", "next"]


def test_every_operation_takes_anbei_read_after_and_every_command_answers_it() -> None:
    for path, methods in openapi.document()["paths"].items():
        for method, operation in methods.items():
            if not path.startswith("/api/v1/") or path.endswith(("openapi.json", "asyncapi.json")):
                continue
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "Anbei-Read-After" in headers, (method, path)
            if method != "get":
                success = next(answer for status, answer in operation["responses"].items() if status < "300")
                assert "Anbei-Read-After" in success["headers"], (method, path)


def test_two_different_schemas_may_not_share_a_name() -> None:
    components = openapi.Components()
    components.add("Item", {"type": "object"})
    with pytest.raises(ValueError, match="Item"):
        components.add("Item", {"type": "string"})
