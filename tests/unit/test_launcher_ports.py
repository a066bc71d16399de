"""The launcher refuses to start when two of its listeners would share a port, or one is taken."""

from __future__ import annotations

import socket

from services.launcher import PROCESSES, _ports_problem
from tests.ports import free_port


def free_ports_env() -> dict[str, str]:
    metrics = {f"{name.upper()}_METRICS_PORT": str(free_port()) for name in PROCESSES}
    return {"GATEWAY_PORT": str(free_port()), "PROMETHEUS_PORT": str(free_port()), **metrics}


def test_free_and_distinct_ports_are_accepted() -> None:
    assert _ports_problem(free_ports_env(), prometheus=True) is None


def test_two_processes_configured_on_one_metrics_port_are_refused_naming_both_variables() -> None:
    env = free_ports_env() | {"TEAMS_METRICS_PORT": "19777", "INCIDENTS_METRICS_PORT": "19777"}
    assert _ports_problem(env, prometheus=False) == (
        "INCIDENTS_METRICS_PORT: port 19777 is also TEAMS_METRICS_PORT; give each its own port")


def test_a_metrics_port_clashing_with_the_gateway_port_is_refused() -> None:
    env = free_ports_env()
    env["INVENTORY_METRICS_PORT"] = env["GATEWAY_PORT"]
    problem = _ports_problem(env, prometheus=False)
    assert problem is not None and problem.startswith("INVENTORY_METRICS_PORT: port")


def test_a_metrics_port_another_process_listens_on_is_refused() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        env = free_ports_env() | {"TEAMS_METRICS_PORT": str(squatter.getsockname()[1])}
        problem = _ports_problem(env, prometheus=False)
    port = env["TEAMS_METRICS_PORT"]
    assert problem is not None and problem.startswith(f"TEAMS_METRICS_PORT: 127.0.0.1:{port} is in use")


def test_the_prometheus_port_is_checked_only_when_prometheus_is_asked_for() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        env = free_ports_env() | {"PROMETHEUS_PORT": str(squatter.getsockname()[1])}
        assert _ports_problem(env, prometheus=False) is None
        problem = _ports_problem(env, prometheus=True)
    assert problem is not None and problem.startswith("PROMETHEUS_PORT:")
