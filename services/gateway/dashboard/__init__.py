"""The operator dashboard: plain HTML, CSS and JavaScript files served as they are (no build step).

The files hold no data (the page asks the API with the token the user gives it), so
they are served without a token; only the listed files are served.
"""

from __future__ import annotations

from importlib import resources

from werkzeug.wrappers import Response

from ..http import json_response

ASSETS = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css",
          "i18n.js": "text/javascript", "picture.js": "text/javascript"}
#: The page talks only to its own origin and runs only its own scripts.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def asset(name: str) -> Response:
    """One dashboard file, or a JSON 404 for anything else."""
    if name not in ASSETS:
        return json_response(404, {"code": "not_found", "message": f"no dashboard file {name}",
                                   "field": None})
    body = resources.files(__package__).joinpath(name).read_bytes()
    return Response(body, status=200, headers=HEADERS, content_type=f"{ASSETS[name]}; charset=utf-8")
