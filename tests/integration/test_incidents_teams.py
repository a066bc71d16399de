"""The incidents service's dispatch deploying and standing down real teams over real RabbitMQ."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.launcher import Platform
from tests.incidents_support import live_flood, ready_team, unique, wait_for, wait_for_request


@pytest.fixture
def rpc(platform: Platform, session_amqp_uri: str) -> Iterator[Any]:
    with ClusterRpcProxy({"AMQP_URI": session_amqp_uri}, timeout=15) as proxy:
        yield proxy


def test_an_approved_request_deploys_teams_by_name_and_by_capability_and_a_cancel_stands_them_down(
    rpc: Any,
) -> None:
    incident, named, other = unique("flood"), unique("longma"), unique("blue-sky")
    ready_team(rpc, named, 18)
    ready_team(rpc, other, 40, capability="collapse_search")
    live_flood(rpc, incident)
    rpc.incidents.raise_request({"incident_id": incident, "request_id": "r1",
                                 "destination": "Zhangxi village", "teams": [{"team_id": named},
                                           {"capability": "collapse_search", "people": 12}]},
                                {"actor": "commander-li"})
    rpc.incidents.approve_request({"incident_id": incident, "request_id": "r1"}, {"actor": "director-wang"})
    request = wait_for_request(rpc, incident, "r1")
    assert request["status"] == "fulfilled", request
    assert rpc.teams.get_readiness(named)["deployment"]["incident_id"] == incident
    deployed = {team["team_id"]: team["people"] for line in request["teams"] for team in line["teams"]}
    assert deployed[named] == 18 and deployed[other] == 12

    rpc.teams.record_arrival({"team_id": named, "incident_id": incident}, {"actor": "leader-wang"})

    def statuses() -> dict[str, str]:
        return {t["team_id"]: t["status"] for t in rpc.incidents.get_incident(incident)["dispatched_teams"]}

    wait_for(lambda: statuses() == {named: "on_scene", other: "deployed"}, 30,
             "the arrival, published by teams, noted on the incident")

    rpc.incidents.cancel_request({"incident_id": incident, "request_id": "r1", "reason": "water receding"},
                                 {"actor": "commander-li"})
    wait_for(lambda: rpc.teams.get_readiness(named)["deployment"] is None
             and rpc.teams.get_readiness(other)["deployment"] is None, 30, "both teams stood down")
    [deployment] = rpc.teams.list_deployments(named)["items"]
    assert (deployment["status"], deployment["deployed_by"]) == ("stood_down", "incidents-dispatch")
    assert rpc.incidents.verify()["ok"]
