"""Stream ids: two different aggregate keys never share a stream, whatever characters they hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.incidents.domain import incidents
from services.inventory.domain import items, stock, warehouses
from services.teams.domain import teams
from shared.streams import parse_stream_id, stream_id

keys = st.lists(st.text(), min_size=1, max_size=4)
kinds = st.text(min_size=1)


@given(kinds, keys, kinds, keys)
def test_two_different_keys_never_share_a_stream_id(
    kind_a: str, keys_a: list[str], kind_b: str, keys_b: list[str]
) -> None:
    same_key = (kind_a, keys_a) == (kind_b, keys_b)
    assert (stream_id(kind_a, *keys_a) == stream_id(kind_b, *keys_b)) == same_key


@given(kinds, keys)
def test_a_stream_id_gives_back_the_kind_and_keys_it_was_made_from(kind: str, parts: list[str]) -> None:
    assert parse_stream_id(stream_id(kind, *parts)) == (kind, tuple(parts))


@given(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
       st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True))
def test_stock_lines_with_hyphenated_ids_never_share_a_stream(w1: str, i1: str, w2: str, i2: str) -> None:
    assert (stock.stream_id(w1, i1) == stock.stream_id(w2, i2)) == ((w1, i1) == (w2, i2))


def test_the_reported_collision_is_two_streams() -> None:
    assert stock.stream_id("jinan-flood", "reserve-pumps") != stock.stream_id("jinan", "flood-reserve-pumps")


def test_every_aggregate_kind_has_its_own_namespace() -> None:
    ids = {items.stream_id("x"), warehouses.stream_id("x"), teams.stream_id("x"),
           incidents.stream_id("x"), stock.stream_id("x", "x")}
    assert len(ids) == 5
