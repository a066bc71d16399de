"""JSON in, JSON out, and the one table that maps errors to HTTP status codes.

Errors are `{"code", "message", "field"}`. Service errors cross RPC as the kernel's
own classes (see `shared.nameko_kit`), so the table maps classes, not strings. An
unexpected exception is a bug and stays a 500: nothing here hides it.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from werkzeug.wrappers import Request, Response

from shared.errors import AnbeiError, Conflict, Forbidden, InvalidCommand, NotFound


class ServiceUnavailable(AnbeiError):
    """A service did not answer (not running, or too slow)."""

    default_code = "service_unavailable"


ERROR_STATUS: dict[type[AnbeiError], int] = {
    InvalidCommand: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    ServiceUnavailable: 503,
}
MAX_KEY_LENGTH = 200


def status_of(error: AnbeiError) -> int:
    """The status of the nearest class in the table; an unlisted error is a bug (500)."""
    return next((ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in ERROR_STATUS), 500)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return Response(body, status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


def csv_response(status: int, text: str, filename: str) -> Response:
    return Response(text, status=status, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def error_response(error: AnbeiError) -> Response:
    return json_response(status_of(error), error.as_dict())


Endpoint = Callable[..., tuple[int, Any]]


def api(endpoint: Endpoint) -> Callable[..., Response]:
    """Run an endpoint returning (status, payload); turn known errors into JSON errors."""

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            status, payload = endpoint(*args, **kwargs)
        except AnbeiError as error:
            return error_response(error)
        except UnknownService as error:
            return error_response(ServiceUnavailable(f"{error} is not running"))
        except eventlet.Timeout:
            return error_response(ServiceUnavailable("a service did not answer in time"))
        return payload if isinstance(payload, Response) else json_response(status, payload)

    return wrapper


def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidCommand(f"is not valid JSON: {error}", field="body") from None
    except RecursionError:
        raise InvalidCommand("is nested too deeply", field="body") from None
    if not isinstance(body, dict):
        raise InvalidCommand("must be a JSON object", field="body")
    return body


def csv_body(request: Request) -> dict[str, Any]:
    """A `text/csv` body as `{"csv": text}` with the query parameters beside it."""
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidCommand(f"is not UTF-8 text: {error}", field="body") from None
    return {**request.args, "csv": text}


def with_path_id(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    """Put the id from the URL into the command; a different id in the body is an error."""
    if field in body and body[field] != value:
        raise InvalidCommand(f"is {body[field]!r} in the body but {value!r} in the URL", field=field)
    return {**body, field: value}


def command_meta(request: Request) -> dict[str, str]:
    """Who asks and under which command id: an `Idempotency-Key` makes a write retry-safe."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidCommand(f"must be 1 to {MAX_KEY_LENGTH} characters", field="Idempotency-Key")
    command_id = f"idem:{key}" if key else str(uuid.uuid4())
    return {
        "command_id": command_id,
        "correlation_id": request.headers.get("X-Request-Id") or command_id,
        "actor": "gateway",
    }
