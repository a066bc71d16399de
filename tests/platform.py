"""The real platform for tests: the four service processes, as `scripts/run` starts them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.gateway.tokens import TokenBook
from services.launcher import PROCESSES, Platform
from shared.config import (
    REPLICA_PORT_STEP,
    load_settings,
    metrics_port_variable,
    replica_metrics_port,
    replicas_variable,
)
from tests.ports import bindable, free_port, free_ports


def free_replica_ports(replicas: int) -> int:
    """A free port `p` such that `p + 100 * i` is also free for every further replica i."""
    for _ in range(200):
        base = free_ports(1, headroom=REPLICA_PORT_STEP * replicas)[0]
        ports = [replica_metrics_port(base, replica) for replica in range(1, replicas + 1)]
        if all(bindable(port) for port in ports):
            return base
    raise RuntimeError(f"found no free ports for {replicas} replicas")


def platform_env(amqp_uri: str, data_dir: Path, port: int, replicas: dict[str, int] | None = None
                 ) -> dict[str, str]:
    """This process's environment, pointed at a private vhost, data folder, gateway port and
    metrics ports (free ones, every replica's too, so that parallel runs never collide)."""
    replicas = replicas or {}
    env = {key: value for key, value in os.environ.items()
           if key not in ("EVENT_STORE_URL", "VIEW_STORE_PATH", "REPLICA_NAME")
           and not key.endswith("_REPLICAS")}
    metrics_ports = {metrics_port_variable(name): str(free_replica_ports(replicas.get(name, 1)))
                     for name in PROCESSES}
    counts = {replicas_variable(name): str(count) for name, count in replicas.items()}
    return env | metrics_ports | counts | {"AMQP_URI": amqp_uri, "DATA_DIR": str(data_dir),
                                           "GATEWAY_PORT": str(port)}


@contextmanager
def running_platform(amqp_uri: str, data_dir: Path, extra_env: dict[str, str] | None = None,
                     replicas: dict[str, int] | None = None) -> Iterator[Platform]:
    """Start inventory, teams, incidents and the gateway on private SQLite files and vhost;
    `replicas` runs several processes of a service (`{"inventory": 2}`)."""
    env = (platform_env(amqp_uri, data_dir, free_port(), replicas) | {"RELAY_POLL_S": "0.1"}
           | (extra_env or {}))
    platform = Platform(load_settings("gateway", env), env)
    platform.start()
    try:
        platform.wait_ready(timeout_s=60)
        yield platform
    except Exception:
        for name in platform.specs:
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
