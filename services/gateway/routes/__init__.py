"""The public API, declared once: every route is one row of this table.

A `Route` says everything about one endpoint: method and path (under `/api/v1`), the
service and RPC it calls, its request and response models, who may call it, and
its status. The router (`services.gateway.service`) is generated from this table,
and so are the OpenAPI document and the role matrix test: a new endpoint is a new
row, never a new hand-written function.

How a route calls its RPC, by `kind`:
- `command` (POST/PUT/DELETE): `rpc(body, meta)`; the path's ids are put into the body
  (`with_path_id`: an id in the body that differs from the path's is a 400), `meta` says
  who asks and under which command id (`Idempotency-Key`).
- `read` (GET one thing): `rpc(*path_values)`, or `rpc(*path_values, query)` when the
  route declares `query` (a model of its query parameters, e.g. `as_of`).
- `list` (GET a list): `rpc(*path_values, query)`; `query` holds `limit` and `after`
  (`shared.paging`) and any filters; the answer is `{"items": [...], "next": cursor}`.

Bodies and answers are JSON unless a route says otherwise: `body="csv"` takes a
`text/csv` request body (UTF-8) and sends it to the RPC as `{"csv": text, **query}`;
`answer="csv"` expects the RPC to return `{"csv": text, "filename": name}` and answers
with that text as `text/csv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["admin", "commander", "warehouse_keeper", "team_leader", "observer"]
ROLES: tuple[Role, ...] = ("admin", "commander", "warehouse_keeper", "team_leader", "observer")
Kind = Literal["command", "read", "list"]
Format = Literal["json", "csv"]


@dataclass(frozen=True)
class Access:
    """Who may call a route. `admin` always may. A scoped role (`warehouse_keeper`,
    `team_leader`) may only act on its own objects: `scope` names the id field (from the
    path or the body) checked against the token's scope."""

    roles: frozenset[Role]
    scope: str | None = None


#: Every authenticated caller may read.
READ = Access(frozenset(ROLES))


def write(*roles: Role, scope: str | None = None) -> Access:
    """A write open to `roles` (and admin)."""
    return Access(frozenset(("admin", *roles)), scope)


@dataclass(frozen=True)
class Route:
    name: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    service: str
    rpc: str
    summary: str
    access: Access
    kind: Kind
    request: Any = None
    response: Any = None
    query: Any = None
    status: int = 200
    body: Format = "json"
    answer: Format = "json"

    @property
    def url(self) -> str:
        return f"/api/v1{self.path}"


def command(name: str, path: str, service: str, rpc: str, summary: str, access: Access, *,
            request: Any = None, response: Any = None, method: Literal["POST", "PUT", "DELETE"] = "POST",
            status: int = 201, body: Format = "json") -> Route:
    return Route(name, method, path, service, rpc, summary, access, "command", request, response,
                 None, status, body=body)


def read(name: str, path: str, service: str, rpc: str, summary: str, *, response: Any = None,
         query: Any = None, access: Access = READ, answer: Format = "json") -> Route:
    return Route(name, "GET", path, service, rpc, summary, access, "read", None, response, query,
                 answer=answer)


def listing(name: str, path: str, service: str, rpc: str, summary: str, *, response: Any = None,
            query: Any = None, access: Access = READ) -> Route:
    return Route(name, "GET", path, service, rpc, summary, access, "list", None, response, query)


def all_routes() -> tuple[Route, ...]:
    from . import incidents, inventory, teams

    routes = (*inventory.ROUTES, *teams.ROUTES, *incidents.ROUTES)
    names = [route.name for route in routes]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"route names must be unique: {sorted(duplicates)}")
    return routes
