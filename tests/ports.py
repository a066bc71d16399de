"""Free TCP ports for processes the tests start, chosen where no client socket can take them.

A port from `bind(("127.0.0.1", 0))` comes from the kernel's ephemeral range, the same range
every outgoing connection draws its local port from. Between the probe closing and the child
process binding (seconds for a RabbitMQ node), any of the suite's many AMQP and HTTP clients
can be handed that port, and the child fails to start: CI once lost a whole fault module to
a private node whose distribution port was taken that way. So ports here are drawn from below
the ephemeral range, where only listeners live, and are checked to be bindable.
"""

from __future__ import annotations

import itertools
import random
import socket
from pathlib import Path

_LOWEST = 20000
_RESERVED = {25672}  # RabbitMQ's default distribution port, for the shared node
_LINUX_DEFAULT_EPHEMERAL_START = 32768


def ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux: ip_local_port_range)."""
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, ValueError, IndexError):
        return _LINUX_DEFAULT_EPHEMERAL_START


def bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_ports(count: int, *, headroom: int = 0) -> list[int]:
    """`count` distinct bindable ports below the ephemeral range; `headroom` keeps that many
    ports above each one below the range too (for `port + k` schemes)."""
    highest = max(_LOWEST + 1000, ephemeral_start() - 1 - headroom)
    candidates = [port for port in range(_LOWEST, highest) if port not in _RESERVED]
    random.shuffle(candidates)
    chosen = list(itertools.islice((port for port in candidates if bindable(port)), count))
    if len(chosen) < count:
        raise RuntimeError(f"found only {len(chosen)} of {count} free ports in {_LOWEST}..{highest}")
    return chosen


def free_port() -> int:
    return free_ports(1)[0]
