"""nameko's @http entrypoint with every answer in JSON: routing errors, over-long URLs, faults.

nameko's WSGI app answers an unknown path with werkzeug's HTML page, and eventlet's
server answers a request line over its limit with an empty 414, a malformed request
line with an HTML page and an over-long header or a bad Content-Length with an empty
400. Here each is JSON: the request line is still capped at `MAX_REQUEST_LINE` bytes
(eventlet's default), but the rest of an over-long request's head is read (up to
`MAX_DRAINED`) so that the client receives the answer instead of a reset connection.
`http` is nameko's decorator bound to this server.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from eventlet.wsgi import MAX_HEADER_LINE, MAX_REQUEST_LINE, MAX_TOTAL_HEADER_SIZE
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


def raw_answer(status: str, code: str, message: str, field: str | None) -> bytes:
    """A whole HTTP answer, for errors found before there is a request to answer through WSGI."""
    body = json.dumps({"code": code, "field": field, "message": message}).encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


def uri_too_long_answer() -> bytes:
    return raw_answer("414 URI Too Long", "uri_too_long",
                      f"the request line is over {MAX_REQUEST_LINE} bytes", "path")


_BOTH_LENGTHS = b"Content-Length and Transfer-Encoding are not allowed together\n"
#: eventlet's own answers to a malformed head, each as JSON instead.
EVENTLET_ANSWERS = {
    b"HTTP/1.0 400 Header Line Too Long\r\nConnection: close\r\nContent-length: 0\r\n\r\n": raw_answer(
        "400 Bad Request", "header_too_long", f"a header line is over {MAX_HEADER_LINE} bytes", "headers"),
    b"HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-length: 0\r\n\r\n": raw_answer(
        "400 Bad Request", "headers_too_large", f"the headers are over {MAX_TOTAL_HEADER_SIZE} bytes",
        "headers"),
    b"HTTP/1.0 400 Bad Request\r\nConnection: close\r\nContent-length: 0\r\n\r\n": raw_answer(
        "400 Bad Request", "invalid", "must be a whole number of bytes", "Content-Length"),
    b"HTTP/1.0 400 Bad Request\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (
        len(_BOTH_LENGTHS), _BOTH_LENGTHS): raw_answer(
        "400 Bad Request", "invalid", "send Content-Length or Transfer-Encoding, not both", "Content-Length"),
}


class JsonAnswers:
    """The connection's output, with eventlet's canned error answers swapped for JSON ones."""

    def __init__(self, wfile: Any) -> None:
        self._wfile = wfile

    def write(self, data: Any) -> Any:
        return self._wfile.write(EVENTLET_ANSWERS.get(data, data) if isinstance(data, bytes) else data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wfile, name)


class JsonErrorsProtocol(HttpOnlyProtocol):  # type: ignore[misc]
    wfile: Any

    def setup(self) -> None:
        super().setup()
        self.wfile = JsonAnswers(self.wfile)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A malformed request line (e.g. an unknown HTTP version): JSON, not the stdlib's HTML page."""
        self.wfile.write(raw_answer(f"{code} {self.responses.get(code, ('Error',))[0]}", "bad_request",
                                    message or "the request line is malformed", "request_line"))
        self.close_connection = True

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
