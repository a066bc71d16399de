"""`Anbei-Read-After`: a client reads its own writes whichever replica answers.

Every command's answer carries the header with the position its events reached in its
service's store (merged with the positions the request itself sent, so a client may
simply send back the last header it got). A read that sends the header passes it to
the services as context data (`shared.read_after.READ_AFTER`); the replica that answers
first brings its read models up to its service's position, or answers 503
`read_models_behind` if it cannot in time. A malformed header is a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Request

from shared.config import SERVICES
from shared.errors import InvalidCommand
from shared.read_after import parse_read_after

HEADER = "Anbei-Read-After"
MAX_LENGTH = 200


def requested(request: Request) -> dict[str, int]:
    """The positions the request's `Anbei-Read-After` names (none without the header)."""
    value = request.headers.get(HEADER)
    if value is None:
        return {}
    if not 0 < len(value) <= MAX_LENGTH:
        raise InvalidCommand(f"must be 1 to {MAX_LENGTH} characters", field=HEADER)
    try:
        return parse_read_after(value, SERVICES)
    except ValueError as error:
        raise InvalidCommand(str(error), field=HEADER) from None


class CallContext:
    """The context data this worker's RPC calls carry to the services."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def set(self, key: str, value: str) -> None:
        self._data[key] = value


class CallContextProvider(DependencyProvider):  # type: ignore[misc]
    """Gives each gateway worker its `CallContext` (nameko sends a worker's context data as
    headers with every RPC it makes)."""

    def get_dependency(self, worker_ctx: Any) -> CallContext:
        return CallContext(worker_ctx.data)
