"""Reading after one's own write on any replica: the position a caller asks each service for."""

from __future__ import annotations

import pytest

from shared.nameko_kit import read_after


@pytest.mark.parametrize(("value", "service", "position"), [
    ("inventory=123,teams=45", "inventory", 123),
    ("inventory=123, teams=45", "teams", 45),
    ("inventory=123", "incidents", 0),
    ("inventory=lots", "inventory", 0),
    ("inventory=-5", "inventory", 0),
    (None, "inventory", 0),
    (42, "inventory", 0),
])
def test_each_service_reads_its_own_position_from_the_callers_context(
    value: object, service: str, position: int
) -> None:
    assert read_after(value, service) == position
