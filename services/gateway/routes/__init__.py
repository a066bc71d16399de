"""The public API, declared once: every route is one row of this table.

A `Route` says everything about one endpoint: method and path (under `/api/v1`), the
service and RPC it calls, its request, query and response models, who may call it,
and its status. The router (`services.gateway.service`), the OpenAPI document
(`services.gateway.openapi`) and the role-matrix test are all generated from this
table: a new endpoint is a new row, never a new hand-written function.

How a route calls its RPC, by `kind`:
- `command` (POST/PUT/DELETE): `rpc(body, meta)`; the path's ids are put into the body
  (`with_path_id`: an id in the body that differs from the path's is a 400), `meta` says
  who asks (`actor`) and under which command id (the caller's `Idempotency-Key`).
- `read` (GET one thing): `rpc(*path_values)`, or `rpc(*path_values, query)` when the
  route declares `query` (a model of its query parameters, e.g. `as_of`).
- `list` (GET a list): `rpc(*path_values, query)`; `query` holds `limit` and `after`
  (`shared.paging`) and any filters; the answer is `{"items": [...], "next": cursor}`.
- `view` (GET, answered by the gateway itself): `handler(gateway, *path_values, query)`
  gathers from several services (`services.gateway.views`).

Who may call it is the row's `Access`: a set of roles (admin always), and for the scoped
roles the fields that name their objects. A `warehouse_keeper` may act only when every
warehouse id in those fields, in the path *and* the body, is one of its warehouses; a
`team_leader` likewise for its team.

Bodies and answers are JSON unless a row says otherwise: `body="csv"` takes a `text/csv`
request body (UTF-8, within the body-size limit) and sends the command
`{"csv": text, **query}` (its other fields, such as `import_id`, travel in the query);
`answer="csv"` expects the RPC to return `{"csv": text, "filename": name}` and answers
with that text as `text/csv`, to be saved under that name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..domain.tokens import ROLES, Role

Kind = Literal["command", "read", "list", "view"]
Format = Literal["json", "csv"]
_PATH_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")
#: The roles whose tokens name their objects, and what those objects are.
SCOPED_ROLES: dict[Role, str] = {"warehouse_keeper": "warehouses", "team_leader": "teams"}

__all__ = [
    "READ",
    "ROLES",
    "SCOPED_ROLES",
    "Access",
    "Role",
    "Route",
    "all_routes",
    "command",
    "listing",
    "read",
    "reader",
    "view",
    "write",
]


@dataclass(frozen=True)
class Access:
    """Who may call a route. `admin` always may. A scoped role may act only on its own
    objects: `scope` lists the fields (path variables or body fields; `a[].b` reaches
    into a list of objects) that hold the ids checked against its token."""

    roles: frozenset[Role]
    scope: tuple[str, ...] = ()

    def allows(self, role: Role) -> bool:
        return role in self.roles


#: Every authenticated caller may read.
READ = Access(frozenset(ROLES))


def write(*roles: Role, scope: str | tuple[str, ...] = ()) -> Access:
    """Open to `roles` (and admin); `scope` names the id fields a scoped role is held to."""
    return Access(frozenset(("admin", *roles)), (scope,) if isinstance(scope, str) else scope)


def reader(*roles: Role) -> Access:
    """A read open to `roles` only (and admin)."""
    return Access(frozenset(("admin", *roles)))


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
    handler: Callable[..., Any] | None = None
    #: Answers `{"items": [...], "next": cursor}` of `response`, paged by `limit` and `after`.
    paged: bool = False
    #: `csv`: a `text/csv` request body (commands) or answer (reads); see the module docstring.
    body: Format = "json"
    answer: Format = "json"

    @property
    def url(self) -> str:
        return f"/api/v1{self.path}"

    @property
    def path_fields(self) -> list[str]:
        """The names of the path's variables, in the order they appear."""
        return _PATH_VARIABLE.findall(self.path)


def command(name: str, path: str, service: str, rpc: str, summary: str, access: Access, *,
            request: Any = None, response: Any = None, method: Literal["POST", "PUT", "DELETE"] = "POST",
            status: int = 201, body: Format = "json") -> Route:
    return Route(name, method, path, service, rpc, summary, access, "command", request, response,
                 None, status, body=body)


def read(name: str, path: str, service: str, rpc: str, summary: str, access: Access, *,
         response: Any = None, query: Any = None, answer: Format = "json") -> Route:
    return Route(name, "GET", path, service, rpc, summary, access, "read", None, response, query,
                 answer=answer)


def listing(name: str, path: str, service: str, rpc: str, summary: str, access: Access, *,
            response: Any = None, query: Any = None) -> Route:
    return Route(name, "GET", path, service, rpc, summary, access, "list", None, response, query,
                 paged=True)


def view(name: str, path: str, handler: Callable[..., Any], summary: str, access: Access, *,
         response: Any = None, query: Any = None, paged: bool = False) -> Route:
    return Route(name, "GET", path, "gateway", handler.__name__, summary, access, "view", None,
                 response, query, handler=handler, paged=paged)


def check_table(routes: tuple[Route, ...]) -> None:
    """Refuse a table the router cannot serve safely: duplicate names, two rows for one method
    and path (one would shadow the other), a route open to a scoped role that names no field
    to hold that role to, or a CSV body or answer where the pipeline does not read or send one."""
    names = [route.name for route in routes]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"route names must be unique: {sorted(duplicates)}")
    endpoints = [f"{route.method} {route.path}" for route in routes]
    shadowed = {endpoint for endpoint in endpoints if endpoints.count(endpoint) > 1}
    if shadowed:
        raise ValueError(f"one row per method and path: {sorted(shadowed)}")
    for route in routes:
        scoped = route.access.roles & SCOPED_ROLES.keys()
        if route.kind == "command" and scoped and not route.access.scope:
            raise ValueError(f"{route.name} is open to {sorted(scoped)} but names no scope field")
        csv_body_elsewhere = route.body == "csv" and route.kind != "command"
        if csv_body_elsewhere or (route.answer == "csv" and route.kind != "read"):
            raise ValueError(f"{route.name}: a CSV body is for commands, a CSV answer for reads")


def all_routes() -> tuple[Route, ...]:
    from . import gateway, incidents, inventory, teams

    routes = (*inventory.ROUTES, *teams.ROUTES, *incidents.ROUTES, *gateway.ROUTES)
    check_table(routes)
    return routes
