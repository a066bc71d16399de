"""What the report was measured on: the machine, the versions, the command."""

from __future__ import annotations

import os
import platform
import shlex
import sqlite3
import sys
from importlib import metadata

from kombu import Connection


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _ram_gb() -> float:
    with open("/proc/meminfo") as info:
        kb = next(int(line.split()[1]) for line in info if line.startswith("MemTotal"))
    return kb / 1024 / 1024


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def rabbitmq_version(amqp_uri: str) -> str:
    with Connection(amqp_uri, connect_timeout=5) as connection:
        connection.connect()
        return str(connection.connection.server_properties.get("version", "unknown"))


def header(amqp_uri: str) -> list[str]:
    """Markdown lines: machine, versions, command."""
    return [
        f"- **Machine**: {_cpu()}, {os.cpu_count()} cores, {_ram_gb():.1f} GiB RAM, "
        f"Linux {platform.release()} (shared with other work: figures are ratios within one run)",
        f"- **Versions**: Python {platform.python_version()}, RabbitMQ {rabbitmq_version(amqp_uri)}, "
        f"SQLite {sqlite3.sqlite_version}, nameko {_version('nameko')}, pydantic {_version('pydantic')}, "
        f"kombu {_version('kombu')}, eventsourcing {_version('eventsourcing')}",
        f"- **Command**: `{shlex.join(['python', '-m', 'loadtests.report', *sys.argv[1:]])}`",
    ]
