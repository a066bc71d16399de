"""The HTTP edge: JSON in and out, request limits, headers, and the one table of error statuses.

Errors are `{"code", "message", "field"}`. Service errors cross RPC as the kernel's own
classes (see `shared.nameko_kit`), so the table maps classes, not strings. Every
answer carries `X-Request-Id` (the caller's, when it sent a well-formed one).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from shared.errors import (
    AnbeiError,
    Conflict,
    Forbidden,
    InvalidCommand,
    NotFound,
    StoreUnavailable,
    Unavailable,
)
from shared.streams import stream_id

from .gather import ServiceUnavailable
from .tokens import Principal

MAX_KEY_LENGTH = 200
MAX_REQUEST_ID_LENGTH = 128
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]+$")
#: Printable ASCII without spaces: what an idempotency key may hold.
_KEY = re.compile(r"^[\x21-\x7e]+$")


class Unauthorized(AnbeiError):
    """No token, or one that is not valid (HTTP 401)."""

    default_code = "unauthorized"


class TooManyFailedLogins(AnbeiError):
    """Too many bad tokens from one client address in a short time (HTTP 429)."""

    default_code = "too_many_failed_logins"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message, field="Authorization")
        self.retry_after_s = retry_after_s


class PayloadTooLarge(AnbeiError):
    """The request body is over the configured limit (HTTP 413)."""

    default_code = "payload_too_large"


ERROR_STATUS: dict[type[AnbeiError], int] = {
    InvalidCommand: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    TooManyFailedLogins: 429,
    ServiceUnavailable: 503,
    Unavailable: 503,
    StoreUnavailable: 503,
}


def status_of(error: AnbeiError) -> int:
    """The status of the nearest class in the table; an unlisted error is a bug (500)."""
    return next((ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in ERROR_STATUS), 500)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return Response(body, status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


def error_headers(error: AnbeiError) -> dict[str, str]:
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": 'Bearer realm="anbei"'}
    if isinstance(error, TooManyFailedLogins):
        return {"Retry-After": str(error.retry_after_s)}
    return {}


def csv_response(status: int, text: str, filename: str) -> Response:
    """A CSV answer (UTF-8) to save as `filename`."""
    return Response(text, status=status, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def error_response(error: AnbeiError) -> Response:
    return json_response(status_of(error), error.as_dict(), error_headers(error))


def request_id(request: Request) -> str:
    """The caller's `X-Request-Id` when well-formed; a 400 naming it when not; else a new id."""
    given = request.headers.get("X-Request-Id")
    if given is None:
        return uuid.uuid4().hex
    if not 0 < len(given) <= MAX_REQUEST_ID_LENGTH or not _REQUEST_ID.match(given):
        raise InvalidCommand(f"must be 1 to {MAX_REQUEST_ID_LENGTH} characters of letters, digits "
                             "and . _ : -", field="X-Request-Id")
    return given


def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with a 413 when over `limit` bytes: by its Content-Length before
    reading anything, and for a chunked body by reading at most `limit + 1` bytes."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"is {declared} bytes; the limit is {limit}", field="body")
    stream = request.environ["wsgi.input"]
    raw = stream.read(limit + 1) if declared is None else stream.read(declared)
    if len(raw) > limit:
        raise PayloadTooLarge(f"is over the limit of {limit} bytes", field="body")
    return bytes(raw)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    try:
        body = json.loads(raw or b"{}", parse_constant=_no_constants)
    except RecursionError:
        raise InvalidCommand("is nested too deeply", field="body") from None
    except ValueError as error:  # malformed JSON, bad UTF-8, a number over Python's digit limit
        raise InvalidCommand(f"is not valid JSON: {error}", field="body") from None
    if not isinstance(body, dict):
        raise InvalidCommand("must be a JSON object", field="body")
    return body


def csv_body(raw: bytes, query: dict[str, str]) -> dict[str, Any]:
    """A `text/csv` body (UTF-8, a BOM allowed) as `{"csv": text}`, with the query's parameters
    beside it (e.g. `import_id`): the command's other fields travel in the URL."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidCommand(f"is not UTF-8 text: {error}", field="body") from None
    if "csv" in query:
        raise InvalidCommand("is the request body, not a query parameter", field="csv")
    return {**query, "csv": text}


def with_path_id(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    """Put the id from the URL into the command; a different id in the body is an error."""
    if field in body and body[field] != value:
        raise InvalidCommand(f"is {body[field]!r} in the body but {value!r} in the URL", field=field)
    return {**body, field: value}


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and _KEY.match(key)):
        raise InvalidCommand(f"must be 1 to {MAX_KEY_LENGTH} printable characters without spaces",
                             field="Idempotency-Key")
    return key


def idempotent_command_id(user: str, key: str) -> str:
    """The command id of a write `user` sent under `Idempotency-Key: key`."""
    return stream_id("http", user, key)


def command_meta(request: Request, principal: Principal, correlation_id: str) -> dict[str, str]:
    """Who asks and under which command id. An `Idempotency-Key` makes a write retry-safe;
    it is scoped to the user, so two users' keys never meet."""
    key = idempotency_key(request)
    command_id = idempotent_command_id(principal.user, key) if key else str(uuid.uuid4())
    return {"command_id": command_id, "correlation_id": correlation_id, "actor": principal.user}
