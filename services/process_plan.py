"""Which processes the launcher starts: each service once, or `<SERVICE>_REPLICAS` times.

Every replica of a service shares the service's event store (its `EVENT_STORE_URL`, by
default `$DATA_DIR/<service>-events.db`) and has its own read models, metrics port, log
file and name. Replica 1 keeps the plain names a single process has always had
(`inventory`, `inventory-views.db`, `inventory.log`, `INVENTORY_METRICS_PORT`), so going
from one replica to two keeps its read models; replica i ≥ 2 is `inventory-<i>`, with
`$DATA_DIR/inventory-<i>-views.db`, `logs/inventory-<i>.log` and the metrics port
`INVENTORY_METRICS_PORT + 100 * (i - 1)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.config import (
    REPLICA_PORT_STEP,
    SERVICES,
    Settings,
    load_settings,
    metrics_port_variable,
    replica_metrics_port,
)

#: The four kinds of process, in start order (the gateway last, it waits for the others).
PROCESSES = (*SERVICES, "gateway")


@dataclass(frozen=True)
class ProcessSpec:
    """One process to start: its name (log file, key in `Platform.processes`), its service,
    its replica number (1-based) and the variables that set it apart from its siblings."""

    name: str
    service: str
    replica: int
    env: dict[str, str] = field(default_factory=dict)

    def settings(self, env: Mapping[str, str]) -> Settings:
        return load_settings(self.service, {**env, **self.env})

    @property
    def port_variable(self) -> str:
        """The variable behind this process's metrics port, as an error message names it."""
        variable = metrics_port_variable(self.service)
        if self.replica == 1:
            return variable
        return f"{variable} + {REPLICA_PORT_STEP * (self.replica - 1)} (replica {self.replica})"


def replica_name(service: str, replica: int) -> str:
    return service if replica == 1 else f"{service}-{replica}"


def plan(env: Mapping[str, str]) -> list[ProcessSpec]:
    """Every process of the platform, services' replicas first, the gateway last.

    Raises `ConfigError` (naming the variable) for a bad `<SERVICE>_REPLICAS`."""
    specs: list[ProcessSpec] = []
    for service in PROCESSES:
        settings = load_settings(service, env)
        for replica in range(1, settings.replicas + 1):
            name = replica_name(service, replica)
            own = {"REPLICA_NAME": f"{service}-{replica}"} if settings.replicas > 1 else {}
            if replica > 1:
                port = replica_metrics_port(settings.metrics_port, replica)
                own |= {"VIEW_STORE_PATH": str(settings.data_dir / f"{name}-views.db"),
                        metrics_port_variable(service): str(port)}
            specs.append(ProcessSpec(name, service, replica, own))
    return specs
