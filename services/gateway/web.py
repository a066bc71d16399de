"""nameko's @http entrypoint with every answer in JSON: routing errors, over-long URLs, faults.

nameko's WSGI app answers an unknown path with werkzeug's HTML page, and eventlet's
server answers a request line over its limit with an empty 414. Here the first is a
JSON 404/405 and the second a JSON 414: the request line is still capped at
`MAX_REQUEST_LINE` bytes (eventlet's default), but the rest of an over-long request's
head is read (up to `MAX_DRAINED`) so that the client receives the answer instead of
a reset connection. `http` is nameko's decorator bound to this server.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from eventlet.wsgi import MAX_REQUEST_LINE
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from .http import json_response

log = logging.getLogger(__name__)
MAX_DRAINED = 64 * 1024


def routing_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return json_response(error.code or 500, {"code": code, "message": error.description, "field": None},
                         headers)


def internal_error(request_id: str) -> Response:
    """A fault of ours: the id to quote, no internals (the log has the traceback under that id)."""
    return json_response(500, {"code": "internal_error", "field": None, "request_id": request_id,
                               "message": f"something went wrong on our side; quote request id {request_id}"},
                         {"X-Request-Id": request_id})


def uri_too_long_answer() -> bytes:
    body = json.dumps({"code": "uri_too_long", "field": "path",
                       "message": f"the request line is over {MAX_REQUEST_LINE} bytes"}).encode()
    head = ("HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


class JsonErrorsProtocol(HttpOnlyProtocol):  # type: ignore[misc]
    def _read_request_line(self) -> Any:
        line = super()._read_request_line()
        if len(line) < self.server.url_length_limit:
            return line
        self._drain_head(line)
        self.wfile.write(uri_too_long_answer())
        self.wfile.flush()
        return b""  # eventlet closes the connection on an empty request line

    def _drain_head(self, line: bytes) -> None:
        """Read the rest of the request line and the headers (bounded), so the answer arrives."""
        drained, previous = len(line), line
        while drained < MAX_DRAINED:
            chunk = self.rfile.readline(MAX_DRAINED - drained)
            drained += len(chunk)
            if not chunk or (chunk in (b"\r\n", b"\n") and previous.endswith(b"\n")):
                return
            previous = chunk


class JsonErrorsWsgiApp(WsgiApp):  # type: ignore[misc]
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ, shallow=True)  # shallow until a handler reads the body
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values  # type: ignore[attr-defined]  # nameko reads it
            response = provider.handle_request(request)
        except HTTPException as error:
            response = routing_error(error)
        except Exception:
            request_id = uuid.uuid4().hex
            log.exception("request %s failed", request_id)
            response = internal_error(request_id)
        return response(environ, start_response)


class JsonErrorsWebServer(WebServer):  # type: ignore[misc]
    def get_wsgi_app(self) -> JsonErrorsWsgiApp:
        return JsonErrorsWsgiApp(self)

    def get_wsgi_server(self, sock: Any, wsgi_app: Any, protocol: Any = JsonErrorsProtocol,
                        debug: bool = False) -> Any:
        return super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)


class JsonHttpRequestHandler(HttpRequestHandler):  # type: ignore[misc]
    server = JsonErrorsWebServer()


http = JsonHttpRequestHandler.decorator
