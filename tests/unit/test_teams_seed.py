"""The district's forces, townships and information officers' posts as seeded from the plan."""

from __future__ import annotations

from typing import Any

import pytest

from services.seed import seed_file
from services.teams.domain.posts import RegisterDutyPost
from services.teams.domain.registry import RegisterTeam
from services.teams.domain.townships import RegisterTownship
from shared.decider import parse

TEAMS: list[dict[str, Any]] = seed_file("teams")
TOWNSHIPS: list[dict[str, Any]] = seed_file("townships")["townships"]
POSTS: list[dict[str, Any]] = seed_file("duty_posts")["duty_posts"]


@pytest.mark.parametrize("entry", TEAMS, ids=lambda entry: str(entry["team_id"]))
def test_every_seed_team_is_a_valid_registration_with_capabilities_and_a_b_duty_posts(
    entry: dict[str, Any],
) -> None:
    team = parse(RegisterTeam, entry)
    assert team.capabilities and team.duty is not None


def test_seed_teams_have_distinct_ids() -> None:
    ids = [entry["team_id"] for entry in TEAMS]
    assert len(ids) == len(set(ids))


def test_seed_forces_match_the_district_plan() -> None:
    forces = {entry["team_id"]: (entry["units"], entry["members"]) for entry in TEAMS}
    assert forces["township-flood-teams"] == (22, 1262)
    assert forces["forest-fire-professional"] == (1, 23)
    assert forces["forest-fire-semi-professional"] == (16, 362)
    assert forces["mass-forest-fire-teams"] == (19, 174)
    assert forces["construction-flood-teams"] == (8, 310)
    assert forces["longma-sanitation-rescue"] == (1, 18)


def test_the_contracted_construction_teams_carry_their_machines_on_call() -> None:
    construction = next(entry for entry in TEAMS if entry["team_id"] == "construction-flood-teams")
    assert construction["team_type"] == "enterprise_agreement"
    assert {line["item_id"]: line["quantity"] for line in construction["equipment"]} == {
        "excavator": 45, "bulldozer": 8, "loader": 8, "truck": 68, "lifting-equipment": 2,
        "drainage-equipment": 28}


def test_no_seed_contact_is_a_personal_name_or_phone() -> None:
    contacts = [entry["leader"] for entry in TEAMS] + [
        contact for entry in TEAMS for contact in entry["duty"].values()] + [
        contact for post in POSTS for contact in post["contacts"].values()]
    assert all("phone" not in contact for contact in contacts)
    assert all(any(word in contact["post"] for word in ("leader", "post")) for contact in contacts)


@pytest.mark.parametrize("entry", TOWNSHIPS, ids=lambda entry: str(entry["township_id"]))
def test_every_seed_township_is_valid_and_lies_in_jin_an(entry: dict[str, Any]) -> None:
    township = parse(RegisterTownship, entry)
    assert 31.3 < township.location.lat < 32.1 and 116.3 < township.location.lon < 116.9


def test_the_district_has_22_township_level_units_with_distinct_ids() -> None:
    assert len({entry["township_id"] for entry in TOWNSHIPS}) == 22
    kinds = [entry["kind"] for entry in TOWNSHIPS]
    assert (kinds.count("subdistrict"), kinds.count("town"), kinds.count("township")) == (5, 11, 6)


def test_the_354_information_officers_are_on_record_with_a_and_b_posts() -> None:
    [officers] = [parse(RegisterDutyPost, post) for post in POSTS]
    assert officers.officers == 354
    assert officers.levels == ["district", "township", "village"]
