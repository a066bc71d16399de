"""`evolved`: `dataclasses.replace` for the frozen states a fold builds once per event."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from services.inventory.domain.stock import Stock
from shared.decider import evolved


@dataclass(frozen=True)
class Line:
    version: int = 0
    on_hand: int = 0
    lots: dict[str, int] = field(default_factory=dict)


def test_an_evolved_state_equals_the_one_replace_builds_and_leaves_the_old_one_alone() -> None:
    before = Line(3, 10, {"L1": 10})
    after = evolved(before, version=4, on_hand=7)
    assert after == replace(before, version=4, on_hand=7) == Line(4, 7, {"L1": 10})
    assert before == Line(3, 10, {"L1": 10})
    assert type(after) is Line and hash(after.version) == 4
    with pytest.raises(AttributeError):
        after.on_hand = 1  # type: ignore[misc]  # still frozen


def test_evolving_a_field_the_state_does_not_have_is_refused() -> None:
    with pytest.raises(TypeError, match="Line has no field on_hnad"):
        evolved(Line(), on_hnad=1)


def test_the_stock_state_is_a_plain_frozen_dataclass_that_evolved_can_build() -> None:
    assert not hasattr(Stock, "__post_init__") and not hasattr(Stock, "__slots__")
    assert evolved(Stock(), version=2, on_hand=5) == replace(Stock(), version=2, on_hand=5)
