"""The gateway's HTTP entrypoints, generated from the route table (`services.gateway.routes`).

Every API request goes through one pipeline (`GatewayService.serve`): request id →
token (401/429) → role (403) → the route's kind (command, read, list, view) with the
scope check on the ids it names (403) → JSON, or CSV where the row says so (a `text/csv`
body is read within the same size limit as JSON). Known errors map through one table
(`http.ERROR_STATUS`); anything else is a JSON 500 with a request id, and the log has
the traceback under that id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from nameko.exceptions import RemoteError, get_module_path, registry
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Request, Response

from services.contracts import published as contracts
from shared.application import IdempotencyKeyReused
from shared.blocking import offload
from shared.config import SERVICES, load_settings
from shared.envelope import now
from shared.errors import AnbeiError, Conflict, InvalidCommand
from shared.metrics import ServiceMetrics
from shared.nameko_kit import OutageProofRpcProxy, service_settings
from shared.read_after import READ_AFTER, REPORT_POSITION, format_read_after, merge, unwrap

from . import dashboard, openapi
from .auth import FailedLogins, authenticate, authorize_role, authorize_scope
from .gather import Gatherer, ServiceUnavailable, bounded_call
from .http import (
    command_meta,
    csv_body,
    csv_response,
    error_response,
    json_body,
    json_response,
    read_body,
    request_id,
    with_path_id,
)
from .read_after import HEADER as READ_AFTER_HEADER
from .read_after import CallContext, CallContextProvider, requested
from .routes import Route, all_routes
from .tokens import Principal, TokenBook
from .web import http, internal_error

log = logging.getLogger(__name__)


def register_remote_errors() -> None:
    """Let every kernel error (e.g. `IdempotencyKeyReused`) arrive over RPC as itself."""
    pending: list[type[AnbeiError]] = [AnbeiError]
    while pending:
        cls = pending.pop()
        if cls.__init__ is AnbeiError.__init__:
            registry.setdefault(get_module_path(cls), cls)
        pending.extend(cls.__subclasses__())


class Gate:
    """The token book and the failed-login brake of one gateway process."""

    def __init__(self, book: TokenBook) -> None:
        self.book, self.failures = book, FailedLogins()

    def principal(self, request: Request) -> Principal:
        return authenticate(request.headers.get("Authorization"), request.remote_addr or "unknown",
                            lambda token: offload(self.book.authenticate, token), self.failures)


class Tokens(DependencyProvider):  # type: ignore[misc]
    """The gateway's token book, opened on its own event store at container setup."""

    def setup(self) -> None:
        self.gate = Gate(TokenBook.open(load_settings("gateway")))

    def stop(self) -> None:
        self.gate.book.close()

    def get_dependency(self, worker_ctx: Any) -> Gate:
        return self.gate


class GatewayService:
    name = "gateway"
    inventory = OutageProofRpcProxy("inventory")
    teams = OutageProofRpcProxy("teams")
    incidents = OutageProofRpcProxy("incidents")
    settings = service_settings()
    metrics = ServiceMetrics()
    gate: Gate = Tokens()  # nameko puts the Gate on each worker
    call_context: CallContext = CallContextProvider()

    @http("GET", "/healthz")
    def healthz(self, request: Request) -> Response:
        return json_response(200, {"status": "ok"})

    @http("GET", "/readyz")
    def readyz(self, request: Request) -> Response:
        checks = {service: self._ping(service) for service in SERVICES}
        ready = all(state == "ok" for state in checks.values())
        return json_response(200 if ready else 503,
                             {"status": "ready" if ready else "not_ready", "services": checks})

    def _ping(self, service: str) -> str:
        try:
            bounded_call(self._proxy, 2)(service, "ping")
        except ServiceUnavailable as error:
            return "timeout" if error.timed_out else "unavailable"
        return "ok"

    @http("GET", "/api/v1/openapi.json")
    def openapi_document(self, request: Request) -> Response:
        return json_response(200, openapi.document())

    @http("GET", "/api/v1/asyncapi.json")
    def asyncapi_document(self, request: Request) -> Response:
        """The AsyncAPI 3 document of the events other systems consume (`services.contracts`)."""
        return json_response(200, contracts.asyncapi_document())

    @http("GET", "/")
    def dashboard_page(self, request: Request) -> Response:
        return dashboard.asset("index.html")

    @http("GET", "/dashboard/<name>")
    def dashboard_asset(self, request: Request, name: str) -> Response:
        return dashboard.asset(name)

    def _proxy(self, service: str) -> Any:
        return getattr(self, service)

    def serve(self, route: Route, request: Request, path_values: dict[str, str]) -> Response:
        """One API request, from token to JSON (see the module docstring)."""
        rid = uuid.uuid4().hex
        try:
            rid = request_id(request)
            principal = self.gate.principal(request)
            authorize_role(route, principal)
            positions = requested(request)
            result, reached = self._run(route, request, path_values, principal, rid, positions)
            response = answer(route, result)
            if reached is not None:
                response.headers[READ_AFTER_HEADER] = format_read_after(merge(positions, reached))
        except IdempotencyKeyReused as error:
            response = error_response(Conflict(error.message, field="Idempotency-Key", code=error.code))
        except InvalidCommand as error:
            if error.field == READ_AFTER:  # a service refused the position the header named
                error = InvalidCommand(error.message, field=READ_AFTER_HEADER, code=error.code)
            response = error_response(error)
        except AnbeiError as error:
            response = error_response(error)
        except RemoteError as error:
            log.error("request %s: %s failed in a service: %s", rid, route.name, error)
            response = internal_error(rid)
        except Exception:
            log.exception("request %s: %s failed", rid, route.name)
            response = internal_error(rid)
        response.headers["X-Request-Id"] = rid
        return response

    def _run(self, route: Route, request: Request, path_values: dict[str, str], principal: Principal,
             rid: str, positions: dict[str, int]) -> tuple[Any, dict[str, int] | None]:
        """The route's answer, and for a command the position it reached in its service's store
        (`shared.read_after`); a read waits for `positions` on whichever replica answers."""
        call = bounded_call(self._proxy, self.settings.rpc_timeout_s)
        ordered = [path_values[name] for name in route.path_fields]
        authorize_scope(route, principal, path_values)
        if route.kind == "command":
            raw = read_body(request, self.settings.gateway_max_body_bytes)
            body = csv_body(raw, dict(request.args)) if route.body == "csv" else json_body(raw)
            for field in route.path_fields:
                body = with_path_id(body, field, path_values[field])
            authorize_scope(route, principal, body)
            self.call_context.set(REPORT_POSITION, "1")
            meta = command_meta(request, principal, rid)
            result, position = unwrap(call(route.service, route.rpc, body, meta))
            return result, None if position is None else {route.service: position}
        if positions:
            self.call_context.set(READ_AFTER, format_read_after(positions))
        query = dict(request.args)
        if route.kind == "view":
            assert route.handler is not None
            return route.handler(Gatherer(call, now, principal), *ordered, query), None
        if route.kind == "list" or route.query is not None:
            return call(route.service, route.rpc, *ordered, query), None
        return call(route.service, route.rpc, *ordered), None


def answer(route: Route, result: Any) -> Response:
    """The route's answer: JSON, or the CSV text an `answer="csv"` RPC returned."""
    if route.answer == "csv":
        return csv_response(route.status, result["csv"], result["filename"])
    return json_response(route.status, result)


def _endpoint(route: Route) -> Callable[..., Response]:
    def endpoint(self: GatewayService, request: Request, **path_values: str) -> Response:
        return self.serve(route, request, path_values)

    endpoint.__name__ = endpoint.__qualname__ = route.name
    return http(route.method, route.url)(endpoint)  # type: ignore[no-any-return]


register_remote_errors()
for _route in all_routes():
    setattr(GatewayService, _route.name, _endpoint(_route))
