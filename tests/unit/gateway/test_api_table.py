"""The README's API table is the one the route table generates, and says who may call what."""

from __future__ import annotations

from pathlib import Path

from services.gateway import api_table
from services.gateway.routes import READ, all_routes, reader, write

README = Path(__file__).resolve().parents[3] / "README.md"
START = "<!-- api-table: generated from services/gateway/routes by services.gateway.api_table -->\n"
END = "<!-- /api-table -->"


def test_the_readme_holds_exactly_the_table_the_routes_generate() -> None:
    readme = README.read_text("utf-8")
    table = readme[readme.index(START) + len(START):readme.index(END)]
    assert table == api_table.markdown(), "regenerate it: .venv/bin/python -m services.gateway.api_table"
    assert readme.count("| method and path |") == 1  # one table of routes


def test_every_route_has_its_row_with_method_path_and_rule() -> None:
    rows = api_table.markdown().splitlines()
    for route in all_routes():
        row = f"| `{route.method} {api_table.path(route)}` | "
        [found] = [line for line in rows if line.startswith(row)]
        assert found.endswith(f" | {api_table.who(route.access)} |")


def test_who_may_names_the_roles_and_holds_scoped_ones_to_their_own() -> None:
    assert api_table.who(READ) == "every role"
    assert api_table.who(reader("commander", "observer")) == "commander, observer"
    assert api_table.who(write("commander", "warehouse_keeper", scope="warehouse_id")) == (
        "commander, warehouse_keeper (its warehouses, by `warehouse_id`)")
    assert api_table.who(write()) == "admin only"
