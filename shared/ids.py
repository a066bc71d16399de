"""Identifier rules shared by every service's commands."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: Lower-case slugs such as `jinan-district-reserve`: readable, URL-safe, stable.
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
                            description="lower-case letters, digits and hyphens")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=2000)]
