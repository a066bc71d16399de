"""The README's table of published events, generated so that it stays literally true.

`python -m services.contracts table` prints it; a unit test holds README.md to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .catalogue import PublishedEvent

HEADER = ("| exchange | routing key (type) | `schema_version` | meaning | 含义 |", "|---|---|---|---|---|")


def markdown(events: Iterable[PublishedEvent]) -> str:
    rows = [f"| `{event.exchange}` | `{event.type}` | {event.schema_version} | {event.meaning.en} | "
            f"{event.meaning.zh} |" for event in events]
    return "\n".join((*HEADER, *rows)) + "\n"
