"""Who may call what: bearer tokens, roles, scopes, and a brake on guessing tokens.

- `authenticate`: a missing token is a 401; a bad one is a 401 counted against the
  client's address, and after `FailedLogins.limit` bad tokens within `window_s` that
  address gets a 429 without its token even being looked at, until the window passes.
  Every failure is counted in `anbei_gateway_failed_logins_total{reason}`.
- `authorize`: the role must be in the route's `Access` (403 otherwise), and a scoped
  role (`warehouse_keeper`, `team_leader`) must own every id in the route's scope
  fields, wherever the request puts them: path or body.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from shared.errors import Forbidden
from shared.metrics.catalogue import GATEWAY_FAILED_LOGINS

from .http import TooManyFailedLogins, Unauthorized
from .routes import SCOPED_ROLES, Route
from .tokens import Principal

MAX_AUTHORIZATION_LENGTH = 512
MAX_TRACKED_CLIENTS = 10_000


class FailedLogins:
    """Bad tokens per client address in a sliding window (per gateway process)."""

    def __init__(self, limit: int = 10, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise `TooManyFailedLogins` while `client` is over the limit."""
        with self._lock:
            recent = self._prune(client)
            if len(recent) >= self.limit:
                GATEWAY_FAILED_LOGINS.inc("rate_limited")
                wait = max(int(recent[0] + self.window_s - self.clock()) + 1, 1)
                raise TooManyFailedLogins(f"too many bad tokens from this address; try again in {wait}s",
                                          retry_after_s=wait)

    def record(self, client: str, reason: str) -> None:
        GATEWAY_FAILED_LOGINS.inc(reason)
        with self._lock:
            if len(self._failures) >= MAX_TRACKED_CLIENTS:
                for other in list(self._failures):
                    self._prune(other)
            self._failures.setdefault(client, deque()).append(self.clock())

    def _prune(self, client: str) -> deque[float]:
        """`client`'s failures within the window; a client with none is forgotten."""
        recent = self._failures.get(client, deque())
        while recent and recent[0] <= self.clock() - self.window_s:
            recent.popleft()
        if not recent:
            self._failures.pop(client, None)
        return recent


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header; a 401 when there is none."""
    if not authorization:
        raise Unauthorized("send a token: Authorization: Bearer <token>", field="Authorization")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use the Bearer scheme: Authorization: Bearer <token>", field="Authorization")
    return token.strip()


def authenticate(authorization: str | None, client: str, lookup: Callable[[str], Principal | None],
                 failures: FailedLogins) -> Principal:
    """The principal behind the request's token, or a 401 (a 429 for a client guessing tokens)."""
    token = bearer_token(authorization)
    failures.check(client)
    if len(authorization or "") > MAX_AUTHORIZATION_LENGTH:
        failures.record(client, "malformed")
        raise Unauthorized("this is not a token this gateway issued", field="Authorization")
    principal = lookup(token)
    if principal is None:
        failures.record(client, "invalid")
        raise Unauthorized("the token is not valid (unknown, revoked or mistyped)", field="Authorization")
    return principal


def authorize_role(route: Route, principal: Principal) -> None:
    if not route.access.allows(principal.role):
        raise Forbidden(f"a {principal.role} may not {route.summary[0].lower()}{route.summary[1:]}",
                        code="forbidden_role")


def authorize_scope(route: Route, principal: Principal, request: Mapping[str, Any]) -> None:
    """Every id in the route's scope fields (path values merged into the body) must be one of
    the scoped principal's own; an id it cannot check is refused too."""
    owned = _owned(principal)
    if owned is None:
        return
    for path in route.access.scope:
        for value in values_at(request, path):
            if not isinstance(value, str) or value not in owned:
                raise Forbidden(f"{principal.user} may act only on {SCOPED_ROLES[principal.role]} "
                                f"{', '.join(sorted(owned))}, not {value!r}", field=path,
                                code="forbidden_scope")


def _owned(principal: Principal) -> frozenset[str] | None:
    if principal.role == "warehouse_keeper":
        return principal.warehouses
    if principal.role == "team_leader":
        return principal.teams
    return None


def values_at(document: Any, path: str) -> Iterator[Any]:
    """The values a field path reaches: `warehouse_id`, `source.warehouse_id`, `lines[].warehouse_id`."""
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(document, Mapping) or key not in document:
        return
    value = document[key]
    children = (value if isinstance(value, list) else [value]) if many else [value]
    for child in children:
        if rest:
            yield from values_at(child, rest)
        else:
            yield child
