"""Configuration from environment variables only, validated once at start-up.

Nothing else in the project reads `os.environ`. A bad value stops the process with a
message naming the variable, e.g. `GATEWAY_PORT: must be a whole number from 1 to 65535`.
"""

from __future__ import annotations

import math
import os
import re
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
#: How many processes of one service the launcher may start (`<SERVICE>_REPLICAS`).
MAX_REPLICAS = 16
#: Replica i (1-based) of a service serves its metrics on the service's port + STEP * (i - 1).
REPLICA_PORT_STEP = 100
#: A replica's name: a launcher's `inventory-2`, or a Kubernetes pod's name.
_REPLICA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
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
    #: how many processes of this service the launcher starts (`<SERVICE>_REPLICAS`; 1 for the gateway)
    replicas: int = 1
    #: this process among its service's replicas, in its logs and its lease owner (`REPLICA_NAME`)
    replica_name: str = ""


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


def _replica_count(value: str) -> int:
    count = int(value)
    if not 1 <= count <= MAX_REPLICAS:
        raise ValueError
    return count


def _replica_name(value: str) -> str:
    if not _REPLICA_NAME.match(value):
        raise ValueError
    return value


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


def replicas_variable(service: str) -> str:
    """How many processes of `service` the launcher starts, e.g. `INVENTORY_REPLICAS`."""
    return f"{service.upper()}_REPLICAS"


def replica_metrics_port(base: int, replica: int) -> int:
    """Where replica `replica` (1-based) of a service whose metrics port is `base` serves its metrics."""
    return base + REPLICA_PORT_STEP * (replica - 1)


def load_settings(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings for `service` (one of SERVICES, or "gateway")."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "data")).expanduser()
    settings = Settings(
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
        replicas=_read(env, replicas_variable(service), "1", _replica_count,
                       f"must be a whole number from 1 to {MAX_REPLICAS}") if service in SERVICES else 1,
        replica_name=_read(env, "REPLICA_NAME", service, _replica_name,
                           "must be 1 to 253 letters, digits, '.', '_' or '-', starting with a letter "
                           "or digit"),
    )
    last_port = replica_metrics_port(settings.metrics_port, settings.replicas)
    if last_port > 65535:
        raise ConfigError(f"{replicas_variable(service)}: {settings.replicas} replicas would put the last "
                          f"one's metrics on port {last_port} ({metrics_port_variable(service)} + "
                          f"{REPLICA_PORT_STEP} per replica); use fewer or a lower port")
    return settings


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
