"""The typed errors every service raises and the gateway maps to HTTP.

Pure Python on purpose: domain code raises these, and the nameko adapter
(`shared.rpc`) registers them so they cross RPC as themselves, not as RemoteError.
Each carries a stable machine `code`, a human `message` and, where one field is
at fault, its name.
"""

from __future__ import annotations


class AnbeiError(Exception):
    """Base class: `code` is stable, `message` is for people, `field` names the culprit."""

    default_code = "error"
    #: the bounded outcome label metrics count it under; `fault` means a bug
    outcome = "fault"

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        # args carry no None: nameko sends args across RPC and would turn None into "None"
        super().__init__(message, field or "", code or self.default_code)
        self.message = message
        self.field = field or None
        self.code = code or self.default_code

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidCommand(AnbeiError):
    """The request is malformed or breaks a rule that the caller can fix (HTTP 400)."""

    default_code = "invalid"
    outcome = "invalid"


class NotFound(AnbeiError):
    """The thing named does not exist (HTTP 404)."""

    default_code = "not_found"
    outcome = "not_found"


class Conflict(AnbeiError):
    """The request clashes with current state, e.g. not enough stock (HTTP 409)."""

    default_code = "conflict"
    outcome = "conflict"


class Forbidden(AnbeiError):
    """The caller may not do this (HTTP 403)."""

    default_code = "forbidden"
    outcome = "forbidden"


class StoreUnavailable(AnbeiError):
    """The event store cannot be used now: locked by another process past the wait, its disk
    full or failing, its server unreachable (HTTP 503). Nothing was half-written: an append
    is atomic, so the same command under the same id may simply be sent again later."""

    default_code = "store_unavailable"
    outcome = "unavailable"


class Unavailable(AnbeiError):
    """The service cannot answer correctly right now, e.g. its read models could not reach a
    position the caller asked for in time (HTTP 503); the same request may succeed later."""

    default_code = "unavailable"
    outcome = "unavailable"
