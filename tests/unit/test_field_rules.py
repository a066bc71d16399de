"""The field rules every command shares: times, counts, amounts and text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.decider import Command, parse
from shared.errors import InvalidCommand
from shared.ids import Amount, Count, Name, Note
from shared.timestamps import Timestamp


class Form(Command):
    when: Timestamp | None = None
    people: Count = 0
    area: Amount | None = None
    title: Name = "x"
    remarks: Note | None = None


def rejected_field(payload: dict[str, Any]) -> tuple[str | None, str]:
    with pytest.raises(InvalidCommand) as error:
        parse(Form, payload)
    return error.value.field, error.value.message


def test_a_time_without_a_zone_is_read_as_china_standard_time() -> None:
    assert parse(Form, {"when": "2024-07-01T08:00:00"}).when == datetime(2024, 7, 1, 0, 0, tzinfo=UTC)


def test_a_time_with_an_offset_is_converted_to_utc() -> None:
    assert parse(Form, {"when": "2024-07-01T08:00:00-02:00"}).when == datetime(2024, 7, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-05:00",
                                  "1899-12-31T23:00:00Z", "not a time"])
def test_a_time_that_cannot_be_represented_is_refused_naming_the_field(when: str) -> None:
    assert rejected_field({"when": when})[0] == "when"


@pytest.mark.parametrize(("field", "value"), [("people", True), ("people", 2.0), ("people", "3"),
                                              ("area", True), ("area", float("nan"))])
def test_numbers_are_strict(field: str, value: object) -> None:
    assert rejected_field({field: value})[0] == field


@pytest.mark.parametrize("text", ["a\x00b", "line\x1bescape", "del\x7f", "c1\x85 end"])
def test_control_characters_in_text_are_refused(text: str) -> None:
    field, message = rejected_field({"title": text})
    assert field == "title" and "control characters" in message
    assert rejected_field({"remarks": text})[0] == "remarks"


def test_a_note_may_hold_tabs_and_line_breaks_but_a_name_may_not() -> None:
    assert parse(Form, {"remarks": "first\tline\r\nsecond"}).remarks == "first\tline\r\nsecond"
    assert rejected_field({"title": "two\nlines"})[0] == "title"


def test_validation_messages_read_as_sentences() -> None:
    class Strict(BaseModel):
        title: Name

    with pytest.raises(ValidationError):
        Strict(title="\x00")
    assert rejected_field({"title": "\x00"})[1].startswith("must not contain")
