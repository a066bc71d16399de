"""The README's table of published events is the one the event models generate."""

from __future__ import annotations

from pathlib import Path

from services.contracts.catalogue import published_events
from services.contracts.readme import markdown

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- events-table: generated from the event models by services.contracts -->\n"
END = "<!-- /events-table -->"


def test_the_readme_holds_exactly_the_table_the_event_models_generate() -> None:
    readme = README.read_text("utf-8")
    table = readme[readme.index(START) + len(START):readme.index(END)]
    assert table == markdown(published_events()), "regenerate: .venv/bin/python -m services.contracts table"


def test_each_row_names_the_exchange_routing_key_version_and_both_meanings() -> None:
    rows = markdown(published_events()).splitlines()
    assert ("| `teams.events` | `TeamRegistered` | 2 | A rescue team was registered, with its type, "
            "capabilities, equipment and duty contacts. | "
            "救援队伍登记在册，含队伍类型、能力、装备和值班联系人。 |"
            in rows)
    assert len(rows) == 2 + len(published_events())
