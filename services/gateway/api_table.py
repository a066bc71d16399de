"""The README's API table, generated from the route table so that it stays literally true.

`python -m services.gateway.api_table` prints it; a unit test holds README.md to it. Each
row is one route: its method and path (under `/api/v1`), its summary, and who may call
it, as the role-matrix test proves (admin always may, so it is not repeated).
"""

from __future__ import annotations

from .routes import ROLES, SCOPED_ROLES, Access, Route, all_routes

HEADER = ("| method and path | what | who may |", "|---|---|---|")
#: The endpoints outside the route table: open to anyone, they carry no data.
OPEN = ("| `GET /healthz`, `GET /readyz` (at the root, not under `/api/v1`) | the process is alive; "
        "every service answers RPC | anyone (no token) |",
        "| `GET /openapi.json`, `GET /asyncapi.json`; `GET /` (the dashboard, at the root) | the OpenAPI "
        "3.1 document; the AsyncAPI 3 document of the published events; the operator dashboard | anyone "
        "(no data in any) |")
_OWN = {"warehouse_keeper": "its warehouses", "team_leader": "its teams"}


def who(access: Access) -> str:
    roles = [role for role in ROLES if role in access.roles and role != "admin"]
    if len(roles) == len(ROLES) - 1:
        return "every role"
    if not roles:
        return "admin only"
    scope = ", ".join(f"`{field}`" for field in access.scope)
    return ", ".join(f"{role} ({_OWN[role]}, by {scope})" if role in SCOPED_ROLES else role for role in roles)


def path(route: Route) -> str:
    text = route.path
    for field in route.path_fields:
        text = text.replace(f"<{field}>", f"{{{field}}}")
    return text


def what(route: Route) -> str:
    paged = "; paged" if route.paged else ""
    status = f" (answers {route.status})" if route.kind == "command" and route.status != 201 else ""
    return f"{route.summary}{paged}{status}".replace("|", "\\|")


def row(route: Route) -> str:
    return f"| `{route.method} {path(route)}` | {what(route)} | {who(route.access)} |"


def markdown() -> str:
    return "\n".join((*HEADER, *OPEN, *(row(route) for route in all_routes()))) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
