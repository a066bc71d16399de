"""Identifier rules shared by every service's commands."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: Lower-case slugs such as `jinan-district-reserve`: readable, URL-safe, stable.
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
                            description="lower-case letters, digits and hyphens")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=2000)]

#: Counts of things or people. Bounded so every store can hold them (BSON has 64-bit ints).
MAX_COUNT = 1_000_000_000
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(gt=0, le=MAX_COUNT)]
