"""Run the whole platform in the foreground: four service processes, the seed, Ctrl-C stops all.

`python -m services` starts inventory, teams, incidents and the gateway as separate
processes (each in its own session, so the terminal's Ctrl-C reaches only this
launcher, which then stops them in order), waits until the gateway reports every
service ready, loads the district's seed figures and prints the gateway URL.
"""

from __future__ import annotations

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

from services.seed import load_seed
from shared.config import SERVICES, ConfigError, Settings, load_settings

PROCESSES = (*SERVICES, "gateway")


class Platform:
    """The service processes of one platform, with their logs under `<data_dir>/logs`."""

    def __init__(self, settings: Settings, env: dict[str, str]) -> None:
        self.settings, self.env = settings, env
        self.url = f"http://{settings.gateway_host}:{settings.gateway_port}"
        self.log_dir = settings.data_dir / "logs"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in PROCESSES:
            with open(self.log_path(name), "ab") as log:
                self.processes[name] = subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}"], env=self.env,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def dead(self) -> str | None:
        """The name of a service process that has exited, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)

    def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (name := self.dead()) is not None:
                raise RuntimeError(f"{name} exited during start-up; see {self.log_path(name)}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=5) as response:
                    if json.load(response)["status"] == "ready":
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the platform was not ready after {timeout_s:.0f}s; logs in {self.log_dir}")

    def stop(self, grace_s: float = 15) -> None:
        """SIGTERM every process (gateway first), then SIGKILL what is left after `grace_s`."""
        for name in reversed(PROCESSES):
            process = self.processes.get(name)
            if process is not None and process.poll() is None:
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


def _broker_problem(amqp_uri: str) -> str | None:
    try:
        with Connection(amqp_uri, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        return f"cannot reach RabbitMQ at {amqp_uri}: {error}"
    return None


def _shared_store_problem(env: dict[str, str]) -> str | None:
    """Services never share a store: one URL for all four must leave the database to them."""
    url = env.get("EVENT_STORE_URL")
    if url is None:
        return None
    if url.startswith("sqlite:"):
        return "EVENT_STORE_URL: a SQLite URL would make all services share one file; set DATA_DIR instead"
    if urlsplit(url).path.strip("/"):
        return "EVENT_STORE_URL: leave the database out; each service uses its own anbei_<service>"
    return None


def _port_problem(settings: Settings) -> str | None:
    """Another process on the gateway port would answer our readiness checks: refuse to start."""
    with socket.socket() as probe:
        # as the gateway's own listener does: connections of a stopped gateway in TIME_WAIT
        # do not block the port, a process listening on it does
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.gateway_host, settings.gateway_port))
        except OSError as error:
            return (f"GATEWAY_PORT: {settings.gateway_host}:{settings.gateway_port} is in use "
                    f"(is Anbei already running?): {error.strerror}")
    return None


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    try:
        settings = load_settings("gateway")
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    problem = (_shared_store_problem(env) or _port_problem(settings)
               or _broker_problem(settings.amqp_uri))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    platform = Platform(settings, env)
    # set both explicitly: a shell's background job starts with SIGINT ignored
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        print(f"starting inventory, teams, incidents and the gateway (logs in {platform.log_dir})")
        platform.start()
        platform.wait_ready()
        report = load_seed(platform.url)
        print(report.message())
        for problem in report.problems:
            print(f"seed problem: {problem}", file=sys.stderr)
        print(f"\nAnbei is running. Gateway: {platform.url}  (API under {platform.url}/api/v1)")
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
        platform.stop()
        print("stopped.", flush=True)
