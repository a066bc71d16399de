"""Reading a census CSV and staging it as an import: accepted whole or rejected whole, with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from services.inventory.domain import imports
from services.inventory.domain.census import Catalogue, read, summary
from services.inventory.domain.imports import (
    FinishImport,
    ImportCompleted,
    ImportRejected,
    ImportRowsStaged,
    ImportStarted,
    StageImport,
)
from shared.decider import Event
from shared.errors import Conflict

CATALOGUE = Catalogue(open_warehouses=frozenset({"flood-reserve", "mayan-depot"}),
                      shelf_life={"life-jackets": None, "drinking-water": 365})
HEADER = "warehouse_id,item_id,quantity,lot,expires_on,produced_on,reference\n"


def test_a_good_file_is_read_row_by_row() -> None:
    census = read("\ufeff" + HEADER + "flood-reserve,life-jackets,2253,,,,opening\n"
                  "mayan-depot,drinking-water,40,W1,,2024-05-01,\n\n", CATALOGUE)
    assert census.rejected == ()
    assert census.total_rows == 2
    first, second = census.rows
    assert (first.line, first.quantity, first.reference) == (2, 2253, "opening")
    assert (second.lot, second.expires_on) == ("W1", date(2025, 5, 1))


@pytest.mark.parametrize(("row", "field", "reason"), [
    ("flood-reserve,life-jackets,-5,,,,", "quantity", "whole number"),
    ("flood-reserve,life-jackets,0,,,,", "quantity", "greater than 0"),
    ("flood-reserve,life-jackets,lots,,,,", "quantity", "whole number"),
    ("Flood Reserve,life-jackets,5,,,,", "warehouse_id", "pattern"),
    ("closed-depot,life-jackets,5,,,,", "warehouse_id", "no open warehouse"),
    ("flood-reserve,ropes,5,,,,", "item_id", "no item"),
    ("flood-reserve,drinking-water,5,,,,", "expires_on", "keeps 365 days"),
    ("flood-reserve,life-jackets,5,,2025-13-01,,", "expires_on", "date"),
    ("flood-reserve,life-jackets,5,,,yesterday,", "produced_on", "date"),
    ("flood-reserve,life-jackets,5,a/b,,,", "lot", "pattern"),
    ("flood-reserve,life-jackets,5,,,", "csv", "fewer cells"),
])
def test_a_bad_row_is_rejected_with_its_line_field_and_reason(row: str, field: str, reason: str) -> None:
    census = read(HEADER + "flood-reserve,life-jackets,1,,,,\n" + row + "\n", CATALOGUE)
    [rejected] = census.rejected
    assert (rejected.line, rejected.field) == (3, field)
    assert reason in rejected.reason


def test_a_repeated_line_is_rejected_naming_the_first() -> None:
    census = read(HEADER + "flood-reserve,life-jackets,1,,,,\nflood-reserve,life-jackets,2,,,,\n", CATALOGUE)
    [rejected] = census.rejected
    assert (rejected.line, rejected.reason) == (3, "repeats line 2 (same warehouse, item and lot)")


@pytest.mark.parametrize(("header", "reason"), [
    ("warehouse_id,item_id\n", "missing column(s) quantity"),
    ("warehouse_id,item_id,quantity,colour\n", "unknown column(s) colour"),
    ("warehouse_id,item_id,quantity,quantity\n", "repeated column(s) quantity"),
])
def test_a_bad_header_rejects_the_file(header: str, reason: str) -> None:
    [rejected] = read(header + "flood-reserve,life-jackets,1\n", CATALOGUE).rejected
    assert (rejected.line, rejected.field) == (1, "header")
    assert reason in rejected.reason


def test_a_file_the_csv_module_cannot_read_is_rejected_not_a_crash() -> None:
    [rejected] = read(HEADER + "flood-reserve,life-jackets,1,,,," + "x" * 200_000 + "\n", CATALOGUE).rejected
    assert (rejected.line, rejected.field) == (2, "csv")
    assert "not readable CSV" in rejected.reason
    [control] = read(HEADER + "flood-reserve,life-jackets,1,,,,PO\x0017\n", CATALOGUE).rejected
    assert control.field == "reference"


def test_an_empty_file_is_rejected() -> None:
    assert read(HEADER, CATALOGUE).rejected[0].reason == "the file has no rows"
    assert read("", CATALOGUE).rejected[0].field == "header"


def test_the_summary_names_the_first_reasons_and_counts_the_rest() -> None:
    body = "".join(f"flood-reserve,life-jackets,x{n},,,,\n" for n in range(25))
    census = read(HEADER + body, CATALOGUE)
    message = summary(census.rejected, census.total_rows)
    assert message.startswith("25 of 25 rows rejected, nothing was imported: line 2 quantity 'x0'")
    assert message.endswith("; and 5 more")


def stage(text: str, state: imports.Import | None = None) -> list[Event]:
    return imports.decide(StageImport(import_id="census-1", csv=text), state or imports.Import(), CATALOGUE)


def test_a_bad_file_is_recorded_as_rejected_and_stages_no_rows() -> None:
    [event] = stage(HEADER + "flood-reserve,life-jackets,1,,,,\nflood-reserve,ropes,1,,,,\n")
    assert isinstance(event, ImportRejected)
    assert (event.total_rows, [r.line for r in event.rejected]) == (2, [3])


def test_a_good_file_is_staged_in_chunks_and_staging_it_again_changes_nothing() -> None:
    body = "".join(f"flood-reserve,life-jackets,{n + 1},L{n},,,\n" for n in range(2500))
    events = stage(HEADER + body)
    assert [type(e) for e in events] == [ImportStarted, ImportRowsStaged, ImportRowsStaged, ImportRowsStaged]
    state = imports.imports.fold(events)
    assert (state.status, len(state.rows)) == ("running", 2500)
    assert stage(HEADER + body, state) == []
    with pytest.raises(Conflict) as raised:
        stage(HEADER + "flood-reserve,life-jackets,1,,,,\n", state)
    assert raised.value.code == "import_exists"


def test_an_import_is_completed_once() -> None:
    state = imports.imports.fold(stage(HEADER + "flood-reserve,life-jackets,1,,,,\n"))
    finish = FinishImport(import_id="census-1", imported=1)
    [event] = imports.decide(finish, state, None)
    assert isinstance(event, ImportCompleted)
    assert imports.decide(finish, imports.imports.fold([event], state), None) == []
