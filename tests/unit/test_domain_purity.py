"""Domain code imports nothing from the outside world: stdlib, pydantic and the kernel's base types."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import services

ALLOWED = ("pydantic", "shared.decider", "shared.errors", "shared.ids", "shared.streams",
           "shared.timestamps")
DOMAIN_FILES = sorted(Path(services.__file__).parent.glob("*/domain/*.py"))


def imported_modules(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_every_service_has_a_domain_package() -> None:
    services_with_domain = {path.parent.parent.name for path in DOMAIN_FILES}
    assert services_with_domain == {"inventory", "teams", "incidents", "gateway"}


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_domain_module_imports_only_stdlib_pydantic_and_kernel_types(path: Path) -> None:
    outside = [name for name in imported_modules(path.read_text())
               if not name.startswith(ALLOWED) and name.split(".")[0] not in sys.stdlib_module_names]
    assert outside == []


def test_the_check_catches_an_outside_import() -> None:
    assert imported_modules("import pymongo\nfrom nameko.rpc import rpc\n") == ["pymongo", "nameko.rpc"]
