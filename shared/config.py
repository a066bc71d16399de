"""Configuration from environment variables only, validated once at start-up.

Nothing else in the project reads `os.environ`. A bad value stops the process with a
message naming the variable, e.g. `GATEWAY_PORT: must be a whole number from 1 to 65535`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")
SERVICES = ("inventory", "teams", "incidents")
#: The largest request body the gateway may be configured to accept (64 MiB).
MAX_BODY_BYTES = 64 * 1024 * 1024


class ConfigError(ValueError):
    """An environment variable is missing or malformed; the message names it."""


class Settings(BaseModel):
    """Everything a service process needs to know about its surroundings."""

    model_config = ConfigDict(frozen=True)

    service: str
    amqp_uri: str
    event_store_url: str
    view_store_path: Path
    data_dir: Path
    gateway_host: str
    gateway_port: int
    rpc_timeout_s: float
    relay_poll_s: float
    gateway_max_body_bytes: int


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError
    return port


def _byte_count(value: str) -> int:
    count = int(value)
    if not 1 <= count <= MAX_BODY_BYTES:
        raise ValueError
    return count


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError
    return number


def _url(*schemes: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.startswith(schemes) or value in schemes:
            raise ValueError
        return value

    return check


def _read(env: Mapping[str, str], name: str, default: str, parse: Callable[[str], T], rule: str) -> T:
    raw = env.get(name, default).strip()
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name}: {rule}, got {raw!r}") from None


def load_settings(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings for `service` (one of SERVICES, or "gateway")."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "data")).expanduser()
    return Settings(
        service=service,
        amqp_uri=_read(env, "AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/",
                       _url("amqp://", "amqps://"), "must be an amqp:// or amqps:// URL"),
        event_store_url=_read(env, "EVENT_STORE_URL", f"sqlite:///{data_dir}/{service}-events.db",
                              _url("sqlite:///", "mongodb://", "mongodb+srv://"),
                              "must be sqlite:///path or a mongodb:// URL"),
        view_store_path=Path(env.get("VIEW_STORE_PATH", str(data_dir / f"{service}-views.db"))),
        data_dir=data_dir,
        gateway_host=env.get("GATEWAY_HOST", "127.0.0.1"),
        gateway_port=_read(env, "GATEWAY_PORT", "8000", _port, "must be a whole number from 1 to 65535"),
        rpc_timeout_s=_read(env, "RPC_TIMEOUT_S", "10", _positive, "must be a positive number of seconds"),
        relay_poll_s=_read(env, "RELAY_POLL_S", "0.5", _positive, "must be a positive number of seconds"),
        gateway_max_body_bytes=_read(env, "GATEWAY_MAX_BODY_BYTES", str(1024 * 1024), _byte_count,
                                     f"must be a whole number of bytes from 1 to {MAX_BODY_BYTES}"),
    )
