"""`python -m services` (what scripts/run runs): foreground, prints the URL, Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.launcher import _port_problem
from shared.config import load_settings
from shared.views import ViewStore
from tests.platform import platform_env
from tests.ports import free_port


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[1][0] != "Z"


def start_launcher(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m services` and read its output until it says how to stop it."""
    launcher = subprocess.Popen(
        [sys.executable, "-m", "services"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as a shell's background job
    )
    assert launcher.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 90
    while (time.monotonic() < deadline and "to stop everything" not in "".join(output)
           and launcher.poll() is None):
        output.append(launcher.stdout.readline())
    return launcher, "".join(output)


def printed_token(output: str, after: str) -> str | None:
    lines = output.splitlines()
    index = next((i for i, line in enumerate(lines) if line.startswith(after)), None)
    return None if index is None else lines[index + 1].strip()


def stop(launcher: subprocess.Popen[str]) -> str:
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(30) == 0
    assert launcher.stdout is not None
    return launcher.stdout.read()


def test_the_launcher_prints_the_url_and_tokens_and_ctrl_c_stops_every_process_and_the_run_token(
    amqp_uri: str, tmp_path: Path
) -> None:
    port = free_port()
    env = platform_env(amqp_uri, tmp_path, port)
    launcher, output = start_launcher(env)
    services: list[int] = []
    try:
        assert f"Gateway: http://127.0.0.1:{port}" in output, output
        assert ("seed: new: items 18, warehouses 2, opening balances 8, minimum levels 6, agreements 1, "
                "townships 22, teams 9, duty posts 1; already there: nothing") in output, output
        admin = printed_token(output, "First start: an admin token was created")
        run = printed_token(output, "Token for this run")
        assert admin and run, output
        base = f"http://127.0.0.1:{port}/api/v1"
        for token in (admin, run):
            me = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert me.json()["role"] == "admin"
        services = children_of(launcher.pid)
        assert len(services) == 4

        assert "stopped." in stop(launcher)
        assert [pid for pid in services if alive(pid)] == []

        again, second_output = start_launcher(env)
        try:
            assert "First start" not in second_output and "Token for this run" in second_output
            for token, status in ((admin, 200), (run, 401)):
                me = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
                assert me.status_code == status
        finally:
            stop(again)
    finally:
        for pid in [launcher.pid, *services]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        launcher.wait()


def test_the_launcher_refuses_to_start_when_the_gateway_port_is_taken(
    amqp_uri: str, tmp_path: Path
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "services"], capture_output=True, text=True,
                              env=platform_env(amqp_uri, tmp_path, port), timeout=60, check=False)
    assert done.returncode == 2
    assert f"GATEWAY_PORT: 127.0.0.1:{port} is in use" in done.stderr


def test_the_launcher_refuses_a_mongodb_store_without_a_key_ring_naming_the_variable(
    amqp_uri: str, tmp_path: Path
) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port()) | {"EVENT_STORE_URL": "mongodb://127.0.0.1:9/"}
    env.pop("EVENT_HMAC_KEYS", None)
    done = subprocess.run([sys.executable, "-m", "services"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert "configuration error: EVENT_HMAC_KEYS: required with a MongoDB event store" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_left_in_time_wait_by_a_stopped_gateway_is_free_to_reuse() -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first, so its end of the connection sits in TIME_WAIT
    client.close()
    listener.close()
    time_wait = subprocess.run(["ss", "-tan", "state", "time-wait", f"sport = :{port}"],
                               capture_output=True, text=True, check=False).stdout
    assert f":{port}" in time_wait

    settings = load_settings("gateway", {"GATEWAY_PORT": str(port)})
    assert _port_problem(settings) is None
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        assert _port_problem(settings) is not None


def test_the_launcher_refuses_one_read_model_file_for_every_service(amqp_uri: str, tmp_path: Path) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port()) | {"VIEW_STORE_PATH": str(tmp_path / "views.db")}
    done = subprocess.run([sys.executable, "-m", "services"], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("VIEW_STORE_PATH: one file for every service")


def test_a_service_refuses_another_services_read_model_file(tmp_path: Path) -> None:
    env = platform_env("amqp://guest:guest@127.0.0.1:5672/", tmp_path, free_port())
    shared = {"VIEW_STORE_PATH": str(tmp_path / "views.db")}
    ViewStore(tmp_path / "views.db", owner="teams").close()
    done = subprocess.run([sys.executable, "-m", "services.inventory"], capture_output=True, text=True,
                          env=env | shared, timeout=60, check=False)
    assert done.returncode != 0
    assert "holds the read models of teams, not inventory" in done.stderr


def test_a_launcher_killed_outright_takes_its_services_with_it(amqp_uri: str, tmp_path: Path) -> None:
    launcher, output = start_launcher(platform_env(amqp_uri, tmp_path, free_port()))
    services = children_of(launcher.pid)
    try:
        assert len(services) == 4, output
        launcher.kill()  # no Ctrl-C, no clean-up: a crashed run, a killed terminal
        launcher.wait(10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in services) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in services if alive(pid)] == []
    finally:
        for pid in services:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_launcher_starts_every_replica_and_ctrl_c_stops_them_all(amqp_uri: str, tmp_path: Path) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port(), replicas={"inventory": 2})
    launcher, output = start_launcher(env)
    try:
        assert "Anbei is running" in output, output
        assert "starting inventory (2 replicas), teams, incidents and the gateway" in output
        services = children_of(launcher.pid)
        assert len(services) == 5
        logs = tmp_path / "logs"
        assert " inventory-2 INFO " in (logs / "inventory-2.log").read_text()
        assert (tmp_path / "inventory-2-views.db").exists()
    finally:
        rest = stop(launcher)
    assert "stopped." in rest
    assert not any(alive(pid) for pid in services)


def test_the_launcher_refuses_a_replica_count_out_of_range_naming_the_variable(
    amqp_uri: str, tmp_path: Path
) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port()) | {"TEAMS_REPLICAS": "17"}
    done = subprocess.run([sys.executable, "-m", "services"], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert "TEAMS_REPLICAS: must be a whole number from 1 to 16, got '17'" in done.stderr
