"""Each process serves `/metrics` (Prometheus exposition) and `/healthz` on its own port."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, make_wsgi_app

StartResponse = Callable[..., Any]
Wsgi = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def metrics_app(registry: CollectorRegistry) -> Wsgi:
    """`/metrics` renders `registry`; `/healthz` answers while the process's loop runs."""
    exposition = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return exposition(environ, start_response)  # type: ignore[no-any-return]
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: try /metrics or /healthz\n"]

    return app


class MetricsServer:
    """An eventlet WSGI server for `app`, run in a thread the nameko container manages."""

    def __init__(self, host: str, port: int, variable: str, app: Wsgi,
                 spawn: Callable[[Callable[[], None]], Any]) -> None:
        import eventlet
        import eventlet.wsgi

        try:
            self.socket = eventlet.listen((host, port))
        except OSError as error:
            raise OSError(error.errno, f"{variable}: cannot serve metrics on {host}:{port}: "
                                       f"{error.strerror}") from None
        self.thread = spawn(lambda: eventlet.wsgi.server(self.socket, app, log_output=False))

    def close(self) -> None:
        self.thread.kill()
        self.socket.close()
