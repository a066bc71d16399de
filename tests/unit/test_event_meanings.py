"""Every published event says what it means, in English and in Chinese, beside its model."""

from __future__ import annotations

import re

import pytest

from services.contracts.catalogue import (
    CatalogueError,
    MissingMeaning,
    domain_events,
    meaning,
    published_events,
    upcasters_of,
)
from services.inventory.domain.stock import StockReceived
from services.teams.upcasters import UPCASTERS
from shared.decider import Event

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_published_event_states_one_line_of_meaning_in_english_and_in_chinese() -> None:
    events = published_events()
    assert len(events) >= 68
    for event in events:
        assert event.meaning.en.endswith(".") and "\n" not in event.meaning.en, event.type
        assert CHINESE.search(event.meaning.zh), event.type


def test_the_meaning_is_the_docstring_first_line_and_meaning_zh() -> None:
    assert meaning(StockReceived).en == "Stock was received into a warehouse, into one lot."
    assert meaning(StockReceived).zh == StockReceived.meaning_zh


def test_an_event_without_a_docstring_or_a_chinese_meaning_is_refused() -> None:
    class Unexplained(Event):
        quantity: int

    class EnglishOnly(Event):
        """Something happened."""

    with pytest.raises(MissingMeaning, match=r"Unexplained needs a docstring .* and meaning_zh"):
        meaning(Unexplained)
    with pytest.raises(MissingMeaning, match="EnglishOnly needs meaning_zh"):
        meaning(EnglishOnly)


def test_a_meaning_is_never_inherited_from_another_event() -> None:
    class Copied(StockReceived):
        pass

    with pytest.raises(MissingMeaning):
        meaning(Copied)


def test_the_catalogue_refuses_to_publish_while_an_event_lacks_its_meaning(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(StockReceived, "meaning_zh")
    with pytest.raises(CatalogueError, match="StockReceived needs meaning_zh"):
        published_events()


def test_a_service_publishes_the_events_its_domain_package_defines() -> None:
    names = {model.type_name() for model in domain_events("inventory")}
    assert {"StockReceived", "TransferDispatched", "AgreementRegistered", "ImportStarted"} <= names
    assert "TeamDeployed" not in names


def test_a_service_reads_old_shapes_with_its_own_upcasters() -> None:
    assert upcasters_of("teams") is UPCASTERS
    assert not upcasters_of("inventory").has("StockReceived", 1)
