from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from services.incidents.domain.lifecycle import ReportIncident
from shared.decider import parse


def test_every_seed_incident_is_a_valid_report() -> None:
    entries: list[dict[str, Any]] = json.loads(
        (files("services") / "seed" / "incidents.json").read_text())
    assert isinstance(entries, list)
    for entry in entries:
        parse(ReportIncident, entry)
