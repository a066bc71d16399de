"""The query parameters of the teams reads, and paging for lists that filter or rank.

Query values arrive as text from a URL (`?deployed=false&people=12`), so numbers and
booleans here are read leniently; anything unknown or malformed is a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.decider import parse
from shared.errors import InvalidCommand
from shared.ids import MAX_COUNT, Slug
from shared.paging import PageRequest, decode_cursor, page
from shared.timestamps import Timestamp
from shared.views import ViewStore

from .domain.registry import Capability, TeamType

Doc = dict[str, Any]
BoardStatus = Literal["ready", "partially_ready", "not_ready", "unknown"]
HowMany = Annotated[int, Field(gt=0, le=MAX_COUNT)]


class BoardQuery(PageRequest):
    capability: Capability | None = None
    team_type: TeamType | None = None
    township: Slug | None = None
    status: BoardStatus | None = None
    deployed: bool | None = None
    stale: bool | None = None


class CandidatesQuery(PageRequest):
    capability: Capability
    people: HowMany = 1
    township: Slug | None = None
    #: Teams whose latest report is over 24 hours old are left out unless asked for.
    include_stale: bool = False


class AsOfQuery(BaseModel):
    """`as_of`: a past moment (ISO 8601; without an offset it is China Standard Time)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: Timestamp | None = None


class ExpiringQuery(PageRequest):
    within_days: Annotated[int, Field(ge=0, le=3650)] = 30
    team_id: Slug | None = None


def parse_query(model: type[BaseModel], raw: dict[str, Any] | None) -> Any:
    """The query as `model` reads it; an unknown or malformed parameter is a 400 naming it."""
    return parse(model, raw or {})


def filtered_page(views: ViewStore, collection: str, prefix: str, request: PageRequest,
                  keep: Callable[[Doc], bool], key_of: Callable[[Doc], str],
                  until: Callable[[Doc], bool] | None = None) -> Doc:
    """One page of the documents `keep` accepts, in key order, the cursor naming the last one
    returned; the walk ends early at the first document `until` accepts (keys sorted by it)."""
    items: list[Doc] = []
    after = request.after_key()
    while True:
        batch, next_key = views.page(collection, prefix, after, request.limit)
        for doc in batch:
            if until is not None and until(doc):
                return page(items, None)
            if keep(doc):
                items.append(doc)
                if len(items) == request.limit:
                    more = doc is not batch[-1] or next_key is not None
                    return page(items, key_of(doc) if more else None)
        if next_key is None:
            return page(items, None)
        after = next_key


def ranked_page(ranked: list[Doc], request: PageRequest) -> Doc:
    """One page of a list ordered by something other than its key: the cursor is an offset."""
    start = 0
    if request.after is not None:
        text = decode_cursor(request.after)
        if not text.isdigit():
            raise InvalidCommand("is not a cursor this list gave out", field="after")
        start = int(text)
    end = start + request.limit
    return page(ranked[start:end], str(end) if end < len(ranked) else None)
