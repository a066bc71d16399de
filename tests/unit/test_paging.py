"""Paging: every list page by page covers each document exactly once, even while writes continue."""

from __future__ import annotations

import random

import pytest

from shared.errors import InvalidCommand
from shared.paging import list_page
from shared.views import ViewStore


def filled(keys: list[str]) -> ViewStore:
    views = ViewStore(":memory:")
    with views.transaction() as tx:
        for key in keys:
            tx.put("things", key, {"key": key})
    return views


def read_all_pages(views: ViewStore, prefix: str, limit: int, between_pages: list[str]) -> list[str]:
    seen: list[str] = []
    query: dict[str, object] = {"limit": limit}
    while True:
        page = list_page(views, "things", prefix, query)
        seen += [doc["key"] for doc in page["items"]]
        if between_pages:  # a writer adds a document after every page
            with views.transaction() as tx:
                key = between_pages.pop()
                tx.put("things", key, {"key": key})
        if page["next"] is None:
            return seen
        query = {"limit": limit, "after": page["next"]}


def test_pages_cover_a_prefix_once_in_key_order_with_no_gaps_or_repeats() -> None:
    keys = [f"w1/{n:04d}" for n in range(53)]
    views = filled([*keys, "w0/0001", "w2/0001", "w1"])
    assert read_all_pages(views, "w1/", 10, []) == keys


def test_documents_added_while_paging_are_seen_once_if_after_the_cursor_and_never_twice() -> None:
    keys = [f"w1/{n:04d}" for n in range(0, 100, 2)]
    views = filled(keys)
    later = [f"w1/{n:04d}" for n in range(1, 100, 2)]
    random.Random(7).shuffle(later)
    added = list(later)
    seen = read_all_pages(views, "w1/", 7, later)
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    assert set(keys) <= set(seen) <= set(keys) | set(added)


@pytest.mark.parametrize(("query", "field"), [({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                                              ({"limit": "many"}, "limit"), ({"after": "%%%"}, "after"),
                                              ({"colour": "red"}, "colour")])
def test_a_bad_limit_or_cursor_is_refused_naming_it(query: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidCommand) as error:
        list_page(filled([]), "things", "", query)
    assert error.value.field == field
