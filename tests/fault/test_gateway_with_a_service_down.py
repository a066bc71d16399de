"""A service that stops answering: the gateway answers a clear 503 within the RPC timeout,
keeps serving the others, and its overview says which part is missing."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from services.launcher import Platform
from tests.api_client import Api
from tests.platform import issue_token, running_platform

TIMEOUT_S = 2


@pytest.fixture(scope="module")
def without_teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    from tests.rabbit import fresh_vhost

    with fresh_vhost() as amqp_uri:
        data_dir: Path = tmp_path_factory.mktemp("teams-down")
        with running_platform(amqp_uri, data_dir, {"RPC_TIMEOUT_S": str(TIMEOUT_S)}) as platform:
            teams = platform.processes["teams"]
            teams.send_signal(signal.SIGTERM)
            teams.wait(30)
            yield platform


def test_a_read_from_the_stopped_service_is_a_503_within_the_timeout(without_teams: Platform) -> None:
    api = Api(without_teams.url, issue_token(without_teams))
    started = time.monotonic()
    response = api.get("/teams")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable" and "teams" in response.json()["message"]
    assert elapsed < TIMEOUT_S + 3


def test_the_other_services_are_still_served_and_the_overview_is_partial(without_teams: Platform) -> None:
    api = Api(without_teams.url, issue_token(without_teams))
    assert api.get("/items").status_code == 200
    overview = api.get("/overview")
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert (body["partial"], body["unavailable"], body["readiness"]) == (True, ["teams"], None)
    assert body["stock"] is not None and body["incidents"] is not None
    ready = requests.get(f"{without_teams.url}/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json()["services"]["teams"] != "ok"
