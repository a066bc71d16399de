"""The real platform for tests: the four service processes, as `scripts/run` starts them."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.gateway.tokens import TokenBook
from services.launcher import PROCESSES, Platform
from shared.config import load_settings, metrics_port_variable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def platform_env(amqp_uri: str, data_dir: Path, port: int) -> dict[str, str]:
    """This process's environment, pointed at a private vhost, data folder, gateway port and
    metrics ports (free ones, so that parallel runs never collide)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("EVENT_STORE_URL", "VIEW_STORE_PATH")}
    metrics_ports = {metrics_port_variable(name): str(free_port()) for name in PROCESSES}
    return env | metrics_ports | {"AMQP_URI": amqp_uri, "DATA_DIR": str(data_dir), "GATEWAY_PORT": str(port)}


@contextmanager
def running_platform(amqp_uri: str, data_dir: Path, extra_env: dict[str, str] | None = None
                     ) -> Iterator[Platform]:
    """Start inventory, teams, incidents and the gateway on private SQLite files and vhost."""
    env = platform_env(amqp_uri, data_dir, free_port()) | {"RELAY_POLL_S": "0.1"} | (extra_env or {})
    platform = Platform(load_settings("gateway", env), env)
    platform.start()
    try:
        platform.wait_ready(timeout_s=60)
        yield platform
    except Exception:
        for name in PROCESSES:
            print(f"--- {name} log ---\n{platform.log_path(name).read_text(errors='replace')[-3000:]}")
        raise
    finally:
        platform.stop()


def issue_token(platform: Platform, role: str = "admin", user: str | None = None, *,
                warehouses: tuple[str, ...] = (), teams: tuple[str, ...] = ()) -> str:
    """A token for the running platform, issued through the gateway's token book."""
    book = TokenBook.open(platform.settings)
    try:
        return book.issue(user or f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}", role,
                          warehouses=warehouses, teams=teams, actor="tests")
    finally:
        book.close()
