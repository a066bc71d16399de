from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from services.teams.domain.teams import RegisterTeam
from shared.decider import parse


def seed() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((files("services") / "seed" / "teams.json").read_text())
    return entries


@pytest.mark.parametrize("entry", seed(), ids=lambda entry: str(entry["team_id"]))
def test_every_seed_team_is_a_valid_registration(entry: dict[str, Any]) -> None:
    parse(RegisterTeam, entry)


def test_seed_teams_have_distinct_ids() -> None:
    ids = [entry["team_id"] for entry in seed()]
    assert len(ids) == len(set(ids))


def test_seed_forces_match_the_district_plan() -> None:
    forces = {entry["team_id"]: (entry["units"], entry["members"]) for entry in seed()}
    assert forces["township-flood-teams"] == (22, 1262)
    assert forces["forest-fire-professional"] == (1, 23)
    assert forces["forest-fire-semi-professional"] == (16, 362)
    assert forces["mass-forest-fire-teams"] == (19, 174)
    assert forces["construction-flood-teams"] == (8, 310)
    assert forces["longma-sanitation-rescue"] == (1, 18)
