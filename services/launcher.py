"""Run the whole platform in the foreground: four service processes, the seed, Ctrl-C stops all.

`python -m services` starts inventory, teams, incidents and the gateway as separate
processes (each in its own session, so the terminal's Ctrl-C reaches only this
launcher, which then stops them in order), waits until the gateway reports every
service ready, loads the district's seed figures and prints the gateway URL.
`<SERVICE>_REPLICAS=N` starts N processes of a service on its one event store, each
with its own read models, metrics port and log (`services.process_plan`).
With `--prometheus` it also starts a local Prometheus (`services.local_prometheus`)
that scrapes every process's metrics port, every replica's, and prints its URL.

Tokens: on the first start (no admin token ever issued) it creates one and prints it
that once. Every run also gets an admin token of its own, printed with the URL and
revoked on Ctrl-C, and the seed loads with a short-lived token of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from kombu import Connection

from services.gateway.tokens import TokenBook
from services.local_prometheus import LocalPrometheus
from services.process_plan import PROCESSES, plan
from services.seed import load_seed
from shared.config import ConfigError, Settings, load_keyring, load_settings
from shared.errors import NotFound

__all__ = ["PROCESSES", "Platform", "main"]


class Platform:
    """The service processes of one platform (`services.process_plan`: each service once, or
    `<SERVICE>_REPLICAS` times), with their logs under `<data_dir>/logs`."""

    def __init__(self, settings: Settings, env: dict[str, str]) -> None:
        self.settings, self.env = settings, env
        self.url = f"http://{settings.gateway_host}:{settings.gateway_port}"
        self.log_dir = settings.data_dir / "logs"
        self.specs = {spec.name: spec for spec in plan(env)}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in self.specs:
            self.spawn(name)

    def replicas(self, service: str) -> list[str]:
        """The names of `service`'s processes, replica 1 first (`inventory`, `inventory-2`, …)."""
        return [spec.name for spec in self.specs.values() if spec.service == service]

    def spawn(self, name: str) -> None:
        """Start process `name` (again, after it stopped), logging to its file."""
        spec = self.specs[name]
        with open(self.log_path(name), "ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{spec.service}"], env=self.env | spec.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
            )

    def restart(self, name: str, grace_s: float = 15) -> None:
        """Stop one process (SIGTERM, then SIGKILL after `grace_s`) and start it again."""
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.spawn(name)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def metrics_url(self, name: str) -> str:
        settings = self.specs[name].settings(self.env)
        return f"http://{settings.metrics_host}:{settings.metrics_port}"

    def healthy(self, name: str) -> bool:
        """Whether process `name` answers `/healthz` on its metrics port."""
        return _answers(f"{self.metrics_url(name)}/healthz")

    def dead(self) -> str | None:
        """The name of a service process that has exited, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)

    def wait_ready(self, timeout_s: float = 90) -> None:
        """Until the gateway says every service answers RPC and every replica answers `/healthz`
        on its metrics port."""
        deadline = time.monotonic() + timeout_s
        waiting = set(self.specs)
        while time.monotonic() < deadline:
            if (name := self.dead()) is not None:
                raise RuntimeError(f"{name} exited during start-up; see {self.log_path(name)}")
            waiting = {name for name in waiting if not self.healthy(name)}
            if not waiting and _gateway_ready(self.url):
                return
            time.sleep(0.3)
        still = ", ".join(sorted(waiting)) or "the gateway"
        raise RuntimeError(f"the platform was not ready after {timeout_s:.0f}s (still waiting for {still}); "
                           f"logs in {self.log_dir}")

    def stop(self, grace_s: float = 15) -> None:
        """SIGTERM every process (gateway first), then SIGKILL what is left after `grace_s`."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        try:
            for process in self.processes.values():
                process.wait(max(deadline - time.monotonic(), 0.1))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # too slow, or a second Ctrl-C
            for process in self.processes.values():
                if process.poll() is None:
                    process.kill()
                process.wait()
        self.processes.clear()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _gateway_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            return bool(json.load(response)["status"] == "ready")
    except (OSError, ValueError):
        return False


def _broker_problem(amqp_uri: str) -> str | None:
    try:
        with Connection(amqp_uri, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        return f"cannot reach RabbitMQ at {amqp_uri}: {error}"
    return None


def _shared_store_problem(env: dict[str, str]) -> str | None:
    """Services never share a store or a read-model file: one value for all four must not make them."""
    url = env.get("EVENT_STORE_URL")
    if "VIEW_STORE_PATH" in env:
        return ("VIEW_STORE_PATH: one file for every service would mix their read models and checkpoints; "
                "leave it unset (each service uses $DATA_DIR/<service>-views.db) or set DATA_DIR")
    if url is None:
        return None
    if url.startswith("sqlite:"):
        return "EVENT_STORE_URL: a SQLite URL would make all services share one file; set DATA_DIR instead"
    if urlsplit(url).path.strip("/"):
        return "EVENT_STORE_URL: leave the database out; each service uses its own anbei_<service>"
    return None


def _bind_problem(variable: str, host: str, port: int) -> str | None:
    """Another process on one of our ports would answer in our place: refuse to start."""
    with socket.socket() as probe:
        # as the gateway's own listener does: connections of a stopped gateway in TIME_WAIT
        # do not block the port, a process listening on it does
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return f"{variable}: {host}:{port} is in use (is Anbei already running?): {error.strerror}"
    return None


def _port_problem(settings: Settings) -> str | None:
    return _bind_problem("GATEWAY_PORT", settings.gateway_host, settings.gateway_port)


def _ports(env: dict[str, str], prometheus: bool) -> list[tuple[str, str, int]]:
    """Every port the platform will listen on (every replica's), with the variable that sets it."""
    gateway = load_settings("gateway", env)
    ports = [("GATEWAY_PORT", gateway.gateway_host, gateway.gateway_port)]
    for spec in plan(env):
        settings = spec.settings(env)
        ports.append((spec.port_variable, settings.metrics_host, settings.metrics_port))
    if prometheus:
        ports.append(("PROMETHEUS_PORT", "127.0.0.1", gateway.prometheus_port))
    return ports


def _ports_problem(env: dict[str, str], prometheus: bool) -> str | None:
    """Two of our listeners on one port, or a port another process holds."""
    claimed: dict[int, str] = {}
    for variable, _, port in _ports(env, prometheus):
        if port in claimed:
            return f"{variable}: port {port} is also {claimed[port]}; give each its own port"
        claimed[port] = variable
    return next((problem for variable, host, port in _ports(env, prometheus)
                 if (problem := _bind_problem(variable, host, port)) is not None), None)


def scrape_targets(env: dict[str, str]) -> dict[str, list[str]]:
    """Every process's metrics address, every replica's, by its service (Prometheus's `component`)."""
    targets: dict[str, list[str]] = {}
    for spec in plan(env):
        service = spec.settings(env)
        targets.setdefault(spec.service, []).append(f"{service.metrics_host}:{service.metrics_port}")
    return targets


def start_prometheus(settings: Settings, env: dict[str, str]) -> LocalPrometheus:
    """A local Prometheus scraping every process's metrics port, every replica's (`--prometheus`)."""
    prometheus = LocalPrometheus(settings.prometheus_port, scrape_targets(env))
    prometheus.start()
    try:
        prometheus.wait_ready()
    except RuntimeError:
        prometheus.stop()
        raise
    return prometheus


def _die_with_parent() -> None:
    """In the child, before it runs a service: end when the launcher ends, however it ends.

    The services run in sessions of their own (so Ctrl-C reaches only the launcher); a
    launcher killed outright (SIGKILL, a crashed test run) would otherwise leave them
    running with nobody to stop them. Linux's parent-death signal ends them instead.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the launcher's own stop() is all there is
        pass


PR_SET_PDEATHSIG = 1


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/run", description="Run the Anbei platform locally.")
    parser.add_argument("--prometheus", action="store_true",
                        help="also run a local Prometheus scraping every service (PROMETHEUS_PORT)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    env = dict(os.environ)
    try:
        settings = load_settings("gateway")
        load_keyring(settings)  # a missing or bad key ring is refused here, by name
        problem = (_shared_store_problem(env) or _ports_problem(env, arguments.prometheus)
                   or _broker_problem(settings.amqp_uri))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    platform = Platform(settings, env)
    prometheus: LocalPrometheus | None = None
    # set both explicitly: a shell's background job starts with SIGINT ignored
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    book = TokenBook.open(settings)
    run_token_id = f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    try:
        print(f"starting {_describe(platform)} (logs in {platform.log_dir})")
        platform.start()
        platform.wait_ready()
        _seed(platform, book)
        initial = book.ensure_initial_admin()
        run_token = book.issue("local-admin", "admin", token_id=run_token_id, actor="launcher",
                               note="this run of the launcher; revoked when it stops")
        print(f"\nAnbei is running. Gateway: {platform.url}  (API under {platform.url}/api/v1)")
        if initial is not None:
            print("First start: an admin token was created. It is shown only this once; keep it safe:\n"
                  f"  {initial}")
        print(f"Token for this run (revoked when you press Ctrl-C):\n  {run_token}")
        if arguments.prometheus:
            prometheus = start_prometheus(settings, env)
            print(f"Prometheus: {prometheus.url}  (alerts at {prometheus.url}/alerts)")
        print("Press Ctrl-C to stop everything.", flush=True)
        while (name := platform.dead()) is None:
            time.sleep(0.5)
        print(f"{name} stopped unexpectedly; see {platform.log_path(name)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        _revoke(book, run_token_id)
        if prometheus is not None:
            prometheus.stop()
        platform.stop()
        book.close()
        print("stopped.", flush=True)


def _describe(platform: Platform) -> str:
    """`inventory, teams, incidents and the gateway`, with replica counts where there are several."""
    names = []
    for service in PROCESSES[:-1]:
        count = len(platform.replicas(service))
        names.append(service if count == 1 else f"{service} ({count} replicas)")
    return f"{', '.join(names)} and the gateway"


def _seed(platform: Platform, book: TokenBook) -> None:
    """Load the district's figures through the API with a token that lives only as long."""
    token_id = f"seed-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    token = book.issue("seed", "admin", token_id=token_id, actor="launcher", note="seed loading")
    try:
        report = load_seed(platform.url, token)
    finally:
        book.revoke(token_id, "seed loaded", actor="launcher")
    print(report.message())
    for problem in report.problems:
        print(f"seed problem: {problem}", file=sys.stderr)


def _revoke(book: TokenBook, token_id: str) -> None:
    with contextlib.suppress(NotFound):  # stopped before the token was issued
        book.revoke(token_id, "the launcher stopped", actor="launcher")
