"""RED metrics for every entrypoint of a nameko service, and its `/metrics` server.

`ServiceMetrics` is the one metrics provider every service declares
(`EventSourcedService` does it for the event-sourced ones). It times each worker from
`worker_setup` to `worker_result` and counts it by service, entrypoint name (for the
gateway's HTTP entrypoints that is the route's name from the route table, never the
raw path), entrypoint type and outcome; and it serves the process's metrics on
`<SERVICE>_METRICS_PORT` while the container runs.
"""

from __future__ import annotations

import time
from typing import Any

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from nameko.web.handlers import HttpRequestHandler

from shared.config import load_settings, metrics_port_variable
from shared.errors import AnbeiError
from shared.metrics.catalogue import ENTRYPOINT_DURATION, ENTRYPOINT_REQUESTS
from shared.metrics.registry import REGISTRY
from shared.metrics.server import MetricsServer, metrics_app

_TYPES = ((Rpc, "rpc"), (EventHandler, "event"), (HttpRequestHandler, "http"), (Timer, "timer"))
_STATUS_KINDS = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                 503: "unavailable", 504: "unavailable"}


def entrypoint_type(entrypoint: Any) -> str:
    return next((name for cls, name in _TYPES if isinstance(entrypoint, cls)), "other")


def error_kind(error: BaseException) -> str:
    """A bounded name for what went wrong: the error's own `outcome`, else `fault` (a bug)."""
    return error.outcome if isinstance(error, AnbeiError) else "fault"


def status_kind(status: int) -> str:
    """An HTTP status as an outcome: `ok` below 400, else the kind of error it answers."""
    if status < 400:
        return "ok"
    return _STATUS_KINDS.get(status, "client_error" if status < 500 else "fault")


def outcome(result: Any, exc_info: Any) -> str:
    if exc_info is not None:
        return error_kind(exc_info[1])
    status = getattr(result, "status_code", None)  # an HTTP entrypoint answers with a Response
    return status_kind(status) if isinstance(status, int) else "ok"


class ServiceMetrics(DependencyProvider):  # type: ignore[misc]
    """Times and counts every worker of the service; serves `/metrics` and `/healthz`."""

    def setup(self) -> None:
        self.service = self.container.service_name
        self.settings = load_settings(self.service)
        self._started: dict[int, float] = {}
        self.server: MetricsServer | None = None

    def start(self) -> None:
        self.server = MetricsServer(
            self.settings.metrics_host, self.settings.metrics_port, metrics_port_variable(self.service),
            metrics_app(REGISTRY), self.container.spawn_managed_thread,
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def kill(self) -> None:
        self.stop()

    def worker_setup(self, worker_ctx: Any) -> None:
        self._started[id(worker_ctx)] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(id(worker_ctx), None)
        entrypoint = worker_ctx.entrypoint
        kind, name = entrypoint_type(entrypoint), entrypoint.method_name
        ENTRYPOINT_REQUESTS.inc(self.service, name, kind, outcome(result, exc_info))
        if started is not None:
            ENTRYPOINT_DURATION.observe(self.service, name, kind, value=time.perf_counter() - started)

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._started.pop(id(worker_ctx), None)

    def get_dependency(self, worker_ctx: Any) -> None:
        return None
