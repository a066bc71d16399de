"""Roles, scopes in the path and the body, and the brake on guessing tokens."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import generate_latest

from services.gateway.auth import (
    FailedLogins,
    authenticate,
    authorize_role,
    authorize_scope,
    values_at,
)
from services.gateway.http import TooManyFailedLogins, Unauthorized
from services.gateway.routes import Route, command, write
from services.gateway.tokens import Principal
from shared.errors import Forbidden
from shared.metrics.catalogue import GATEWAY_FAILED_LOGINS
from shared.metrics.registry import REGISTRY

KEEPER = Principal("keeper-li", "warehouse_keeper", "t1", warehouses=frozenset({"depot-a", "depot-b"}))
LEADER = Principal("leader-wang", "team_leader", "t2", teams=frozenset({"longma"}))
COMMANDER = Principal("operator-chen", "commander", "t3")
OBSERVER = Principal("province", "observer", "t4")
MOVE = command("move", "/warehouses/<warehouse_id>/transfers", "inventory", "transfer", "Move stock",
               write("commander", "warehouse_keeper", scope=("warehouse_id", "to_warehouse_id",
                                                            "lines[].warehouse_id")))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def failed(reason: str) -> float:
    return GATEWAY_FAILED_LOGINS.value(reason)


def test_bad_tokens_are_counted_in_what_the_process_serves_on_metrics() -> None:
    with pytest.raises(Unauthorized):
        authenticate("Bearer not-a-token", "10.9.9.9", lambda token: None, FailedLogins())
    served = generate_latest(REGISTRY).decode()
    assert f'anbei_gateway_failed_logins_total{{reason="invalid"}} {failed("invalid")}' in served


def test_no_token_is_a_401_that_says_how_to_send_one() -> None:
    for header in (None, "", "Basic abc", "Bearer ", "token"):
        with pytest.raises(Unauthorized) as refused:
            authenticate(header, "10.0.0.1", lambda token: COMMANDER, FailedLogins())
        assert refused.value.field == "Authorization"


def test_a_bad_token_is_a_401_and_counted() -> None:
    before = failed("invalid")
    with pytest.raises(Unauthorized):
        authenticate("Bearer nope", "10.0.0.1", lambda token: None, FailedLogins())
    assert failed("invalid") == before + 1


def test_a_client_guessing_tokens_is_refused_with_a_429_until_the_window_passes() -> None:
    clock = Clock()
    failures = FailedLogins(limit=3, window_s=60, clock=clock)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            authenticate("Bearer guess", "10.0.0.9", lambda token: None, failures)
    looked_up: list[str] = []

    def lookup(token: str) -> Principal:
        looked_up.append(token)
        return COMMANDER

    with pytest.raises(TooManyFailedLogins) as braked:
        authenticate("Bearer right", "10.0.0.9", lookup, failures)
    assert looked_up == [] and braked.value.retry_after_s == 61
    assert authenticate("Bearer right", "10.0.0.10", lambda token: COMMANDER, failures) is COMMANDER
    clock.now += 61
    assert authenticate("Bearer right", "10.0.0.9", lambda token: COMMANDER, failures) is COMMANDER


def test_a_role_outside_the_route_is_a_403() -> None:
    with pytest.raises(Forbidden) as refused:
        authorize_role(MOVE, OBSERVER)
    assert refused.value.code == "forbidden_role"
    authorize_role(MOVE, KEEPER)
    authorize_role(MOVE, Principal("root", "admin", "t0"))


@pytest.mark.parametrize(("request_", "field"), [
    ({"warehouse_id": "depot-c"}, "warehouse_id"),
    ({"warehouse_id": "depot-a", "to_warehouse_id": "depot-c"}, "to_warehouse_id"),
    ({"warehouse_id": "depot-a", "lines": [{"warehouse_id": "depot-b"}, {"warehouse_id": "depot-c"}]},
     "lines[].warehouse_id"),
    ({"warehouse_id": ["depot-a", "depot-c"]}, "warehouse_id"),
    ({"warehouse_id": {"id": "depot-a"}}, "warehouse_id"),
    ({"warehouse_id": 7}, "warehouse_id"),
])
def test_a_keeper_may_not_name_a_warehouse_it_does_not_keep_anywhere(
    request_: dict[str, Any], field: str
) -> None:
    with pytest.raises(Forbidden) as refused:
        authorize_scope(MOVE, KEEPER, request_)
    assert (refused.value.field, refused.value.code) == (field, "forbidden_scope")


def test_a_keeper_acts_on_its_own_warehouses_and_a_commander_on_any() -> None:
    own = {"warehouse_id": "depot-a", "to_warehouse_id": "depot-b", "lines": [{"warehouse_id": "depot-a"}]}
    authorize_scope(MOVE, KEEPER, own)
    authorize_scope(MOVE, COMMANDER, {"warehouse_id": "depot-z", "to_warehouse_id": "depot-y"})


def test_a_team_leader_is_held_to_its_team() -> None:
    report: Route = command("report", "/teams/<team_id>/readiness", "teams", "report_readiness", "Report",
                            write("team_leader", scope="team_id"))
    authorize_scope(report, LEADER, {"team_id": "longma"})
    with pytest.raises(Forbidden):
        authorize_scope(report, LEADER, {"team_id": "blue-sky"})


def test_field_paths_reach_into_objects_and_lists() -> None:
    document = {"a": "x", "b": {"c": "y"}, "d": [{"e": "z"}, {"e": "w"}, {"f": "v"}], "g": "not-a-list"}
    assert list(values_at(document, "a")) == ["x"]
    assert list(values_at(document, "b.c")) == ["y"]
    assert list(values_at(document, "d[].e")) == ["z", "w"]
    assert list(values_at(document, "g[]")) == ["not-a-list"]
    assert list(values_at(document, "missing")) == []
