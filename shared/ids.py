"""Field rules shared by every service's commands: identifiers, text, counts.

Counts are strict integers (JSON `true` is not 1, `"5"` is not 5); text refuses
control characters such as NUL, which no form or report has a use for.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

#: Lower-case slugs such as `jinan-district-reserve`: readable, URL-safe, stable.
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
                            description="lower-case letters, digits and hyphens")]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if (found := pattern.search(value)) is not None:
            raise ValueError(f"must not contain {what} (found U+{ord(found.group()):04X})")
        return value

    return AfterValidator(check)


#: One line of text: a name, a place, a reference.
Name = Annotated[str, Field(min_length=1, max_length=200),
                 _refuse(_CONTROL, "control characters")]
#: Free text that may span lines (tabs and line breaks allowed, other control characters not).
Note = Annotated[str, Field(max_length=2000),
                 _refuse(_CONTROL_BUT_LAYOUT, "control characters other than tab and line breaks")]

#: Counts of things or people. Bounded so every store can hold them (BSON has 64-bit ints).
MAX_COUNT = 1_000_000_000
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
PositiveCount = Annotated[int, Field(gt=0, le=MAX_COUNT, strict=True)]
#: A measurement such as an area or an amount of money: a finite number, never JSON `true`.
Amount = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
