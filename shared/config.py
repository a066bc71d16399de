"""Configuration from environment variables only, validated once at start-up.

Nothing else in the project reads `os.environ`. A bad value stops the process with a
message naming the variable, e.g. `GATEWAY_PORT: must be a whole number from 1 to 65535`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from shared.keyring import Keyring, KeyringError

T = TypeVar("T")
SERVICES = ("inventory", "teams", "incidents")
#: Where each process serves `/metrics` and `/healthz` unless `<SERVICE>_METRICS_PORT` says otherwise.
DEFAULT_METRICS_PORTS = {"gateway": 9100, "inventory": 9101, "teams": 9102, "incidents": 9103}


PORT_RULE = "must be a whole number from 1 to 65535"
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
    #: EVENT_HMAC_KEYS as given (validated); None means the local key file (SQLite only).
    event_hmac_keys: str | None

    @property
    def key_file(self) -> Path:
        """Where a local platform keeps its generated key ring when EVENT_HMAC_KEYS is not set."""
        return self.data_dir / "secrets" / "event-hmac-keys"
    metrics_host: str
    metrics_port: int
    prometheus_port: int
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
    if not math.isfinite(number) or number <= 0:
        raise ValueError
    return number


def _keyring_text(value: str) -> str:
    Keyring.parse(value)  # KeyringError is a ValueError: refused with the variable's name
    return value


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
    except KeyringError as error:  # never echo a secret back
        raise ConfigError(f"{name}: {rule}: {error}") from None
    except ValueError:
        raise ConfigError(f"{name}: {rule}, got {raw!r}") from None


def metrics_port_variable(service: str) -> str:
    """The variable that sets `service`'s metrics port, e.g. `INVENTORY_METRICS_PORT`."""
    return f"{service.upper()}_METRICS_PORT"


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
        gateway_port=_read(env, "GATEWAY_PORT", "8000", _port, PORT_RULE),
        rpc_timeout_s=_read(env, "RPC_TIMEOUT_S", "10", _positive, "must be a positive number of seconds"),
        relay_poll_s=_read(env, "RELAY_POLL_S", "0.5", _positive, "must be a positive number of seconds"),
        event_hmac_keys=_read(env, "EVENT_HMAC_KEYS", "", lambda raw: _keyring_text(raw) if raw else None,
                              "must be key_id:base64secret[,key_id:base64secret…], newest first"),
        metrics_host=env.get("METRICS_HOST", "127.0.0.1"),
        metrics_port=_read(env, metrics_port_variable(service), str(DEFAULT_METRICS_PORTS.get(service, 9109)),
                           _port, PORT_RULE),
        prometheus_port=_read(env, "PROMETHEUS_PORT", "9090", _port, PORT_RULE),
        gateway_max_body_bytes=_read(env, "GATEWAY_MAX_BODY_BYTES", str(1024 * 1024), _byte_count,
                                     f"must be a whole number of bytes from 1 to {MAX_BODY_BYTES}"),
    )


def load_keyring(settings: Settings) -> Keyring:
    """The key ring the event store signs with: EVENT_HMAC_KEYS, or for a local SQLite
    platform a key file generated once under DATA_DIR (readable by its owner only).

    A MongoDB store is a production store: it refuses to start without EVENT_HMAC_KEYS,
    which belongs in a secret store (a Kubernetes Secret), never next to the data.
    """
    if settings.event_hmac_keys:
        return Keyring.parse(settings.event_hmac_keys)
    if not settings.event_store_url.startswith("sqlite:"):
        raise ConfigError("EVENT_HMAC_KEYS: required with a MongoDB event store (set it from a secret)")
    return _local_keyring(settings.key_file)


def _local_keyring(path: Path) -> Keyring:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(Keyring.generate("local-1").serialize())
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: when several services start at once, the first one wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return Keyring.parse(path.read_text())
