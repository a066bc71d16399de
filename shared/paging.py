"""Paging for every list that can grow: a limit and an opaque cursor, the same everywhere.

A list answers `{"items": [...], "next": cursor or null}`; passing `next` back as
`after` gives the following page. Cursors name the last key returned, so a page is
never repeated or skipped while writes continue: new documents with higher keys show
on later pages, and none moves between pages already read.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import parse
from shared.errors import InvalidCommand
from shared.views import ViewStore

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class PageRequest(BaseModel):
    """`limit` (1 to 1000, default 100) and `after` (the `next` of the previous page)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    after: Annotated[str, Field(max_length=700)] | None = None

    def after_key(self) -> str | None:
        return None if self.after is None else decode_cursor(self.after)


def page_request(query: dict[str, Any] | None) -> PageRequest:
    """Parse the paging part of a list query; a bad limit or cursor is a 400 naming it."""
    return parse(PageRequest, query or {})


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCommand("is not a cursor this list gave out", field="after") from None


def page(items: list[dict[str, Any]], next_key: str | None) -> dict[str, Any]:
    return {"items": items, "next": None if next_key is None else encode_cursor(next_key)}


def list_page(
    views: ViewStore, collection: str, key_prefix: str, query: dict[str, Any] | None
) -> dict[str, Any]:
    """One page of a read-model collection, as every list RPC answers."""
    request = page_request(query)
    items, next_key = views.page(collection, key_prefix, request.after_key(), request.limit)
    return page(items, next_key)
