"""The route table: every row complete, and the OpenAPI document generated from it."""

from __future__ import annotations

import pytest

from services.gateway import openapi
from services.gateway.routes import ROLES, SCOPED_ROLES, Route, all_routes, check_table, command, write
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
    assert {parameter["name"] for parameter in operation["parameters"]} == {"limit", "after"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["items", "next"]


def test_two_different_schemas_may_not_share_a_name() -> None:
    components = openapi.Components()
    components.add("Item", {"type": "object"})
    with pytest.raises(ValueError, match="Item"):
        components.add("Item", {"type": "string"})
