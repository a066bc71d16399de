"""nameko's @http entrypoint, with routing errors (404, 405) answered in JSON like every other error.

nameko's WSGI app returns werkzeug's HTML page when no route matches; this app is the
same but for that answer, and `http` is nameko's decorator bound to it.
"""

from __future__ import annotations

from typing import Any

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from .http import json_response


def routing_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return json_response(error.code or 500, {"code": code, "message": error.description, "field": None},
                         headers)


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
        return response(environ, start_response)


class JsonErrorsWebServer(WebServer):  # type: ignore[misc]
    def get_wsgi_app(self) -> JsonErrorsWsgiApp:
        return JsonErrorsWsgiApp(self)


class JsonHttpRequestHandler(HttpRequestHandler):  # type: ignore[misc]
    server = JsonErrorsWebServer()


http = JsonHttpRequestHandler.decorator
