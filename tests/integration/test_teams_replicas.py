"""Two teams processes on one SQLite event store, each with its own read models and its own broker
vhost (so each call is sure to reach the process it was sent to), deploying one team at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.teams.domain import teams
from shared.errors import Conflict
from shared.store.sqlite import SQLiteEventStore
from tests.rabbit import fresh_vhost

TEAM = "construction-flood-teams"
CALLS_PER_PROCESS = 4


def start(vhost_uri: str, store: Path, views: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AMQP_URI": vhost_uri, "EVENT_STORE_URL": f"sqlite:///{store}",
           "VIEW_STORE_PATH": str(views), "DATA_DIR": str(views.parent), "RELAY_POLL_S": "0.1"}
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "services.teams"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_answering(uri: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with ClusterRpcProxy({"AMQP_URI": uri}, timeout=2) as rpc:
                if rpc.teams.ping() == "pong":
                    return
        except Exception:
            time.sleep(0.3)
    raise AssertionError(f"teams did not answer in 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[str]]:
    """Two teams processes sharing `teams-events.db`; yields their AMQP URIs."""
    store = tmp_path / "teams-events.db"
    with ExitStack() as stack:
        uris = [stack.enter_context(fresh_vhost()) for _ in range(2)]
        processes = []
        try:
            for index, uri in enumerate(uris):
                log = tmp_path / f"teams-{index}.log"
                processes.append(start(uri, store, tmp_path / f"views-{index}.db", log))
                wait_until_answering(uri, processes[-1], log)
            yield uris
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)


def call(uri: str, method: str, *args: Any) -> Any:
    with ClusterRpcProxy({"AMQP_URI": uri}, timeout=30) as rpc:
        return getattr(rpc.teams, method)(*args)


def ready_team(uri: str) -> None:
    call(uri, "register_team", {"team_id": TEAM, "name": "Construction flood teams",
                                "name_zh": "建筑施工防汛抢险应急队伍", "team_type": "enterprise_agreement",
                                "capabilities": ["heavy_machinery"], "members": 310})
    call(uri, "report_readiness", {"team_id": TEAM, "status": "ready", "people_available": 300})


def race(uris: list[str], payload_for: Any, meta_for: Any) -> list[Any]:
    """Every call at once, half to each process; each result or the error's code."""
    calls = [(uri, n) for uri in uris for n in range(CALLS_PER_PROCESS)]
    start_line = threading.Barrier(len(calls))

    def deploy(job: tuple[str, int]) -> Any:
        uri, n = job
        with ClusterRpcProxy({"AMQP_URI": uri}, timeout=30) as rpc:
            start_line.wait()
            try:
                return rpc.teams.deploy_team(payload_for(uri, n), meta_for(uri, n))
            except Conflict as error:
                return error.code

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(deploy, calls))


def deployments_in(store: Path) -> list[str]:
    events = SQLiteEventStore(str(store)).read_stream(teams.stream_id(TEAM))
    return [event.data["incident_id"] for event in events if event.type == "TeamDeployed"]


def test_two_processes_deploying_one_team_at_once_make_exactly_one_deployment(
    replicas: list[str], tmp_path: Path
) -> None:
    ready_team(replicas[0])
    outcomes = race(replicas,
                    lambda uri, n: {"team_id": TEAM, "incident_id": f"flood-{replicas.index(uri)}-{n}"},
                    lambda uri, n: {"command_id": str(uuid.uuid4())})
    deployed = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    assert len(deployed) == 1, outcomes
    refused = [outcome for outcome in outcomes if not isinstance(outcome, dict)]
    assert refused == ["already_deployed"] * (len(outcomes) - 1)
    assert deployments_in(tmp_path / "teams-events.db") == [deployed[0]["incident_id"]]
    for uri in replicas:
        assert call(uri, "verify")["ok"]


def test_one_deploy_retried_on_both_processes_at_once_deploys_once_and_answers_alike(
    replicas: list[str], tmp_path: Path
) -> None:
    ready_team(replicas[1])
    outcomes = race(replicas, lambda uri, n: {"team_id": TEAM, "incident_id": "dongqiao-landslide"},
                    lambda uri, n: {"command_id": "dispatch-42/deploy", "actor": "incidents"})
    assert all(outcome == outcomes[0] for outcome in outcomes), outcomes
    assert outcomes[0]["deployment"] == 1
    assert deployments_in(tmp_path / "teams-events.db") == ["dongqiao-landslide"]
