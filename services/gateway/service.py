"""The gateway's HTTP entrypoints, generated from the route table (`services.gateway.routes`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Request, Response

from shared.config import SERVICES
from shared.nameko_kit import service_settings

from .http import api, command_meta, csv_body, csv_response, json_body, with_path_id
from .routes import Route, all_routes
from .web import http

Result = tuple[int, Any]
_PATH_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def path_fields(route: Route) -> list[str]:
    """The names of a route's path variables, in the order they appear."""
    return _PATH_VARIABLE.findall(route.path)


class GatewayService:
    name = "gateway"
    inventory = RpcProxy("inventory")
    teams = RpcProxy("teams")
    incidents = RpcProxy("incidents")
    settings = service_settings()

    def _call(self, service: str, method: str, *args: Any) -> Any:
        with eventlet.Timeout(self.settings.rpc_timeout_s):
            return getattr(getattr(self, service), method)(*args)

    @http("GET", "/healthz")
    @api
    def healthz(self, request: Request) -> Result:
        return 200, {"status": "ok"}

    @http("GET", "/readyz")
    @api
    def readyz(self, request: Request) -> Result:
        checks = {service: self._ping(service) for service in SERVICES}
        ready = all(state == "ok" for state in checks.values())
        return (200 if ready else 503), {"status": "ready" if ready else "not_ready", "services": checks}

    def _ping(self, service: str) -> str:
        try:
            with eventlet.Timeout(2):
                getattr(self, service).ping()
        except eventlet.Timeout:
            return "timeout"
        except Exception as error:
            return f"unavailable: {type(error).__name__}"
        return "ok"

    def handle(self, route: Route, request: Request, path_values: dict[str, str]) -> Result:
        """Call a route's RPC as its `kind` says (see `services.gateway.routes`)."""
        ordered = [path_values[name] for name in path_fields(route)]
        if route.kind == "command":
            body = csv_body(request) if route.body == "csv" else json_body(request)
            for field in path_fields(route):
                body = with_path_id(body, field, path_values[field])
            return route.status, self._call(route.service, route.rpc, body, command_meta(request))
        if route.kind == "list" or route.query is not None:
            result = self._call(route.service, route.rpc, *ordered, dict(request.args))
        else:
            result = self._call(route.service, route.rpc, *ordered)
        if route.answer == "csv":
            return route.status, csv_response(route.status, result["csv"], result["filename"])
        return route.status, result


def _endpoint(route: Route) -> Callable[..., Response]:
    def endpoint(self: GatewayService, request: Request, **path_values: str) -> Result:
        return self.handle(route, request, path_values)

    endpoint.__name__ = endpoint.__qualname__ = route.name
    return http(route.method, route.url)(api(endpoint))  # type: ignore[no-any-return]


for _route in all_routes():
    setattr(GatewayService, _route.name, _endpoint(_route))
