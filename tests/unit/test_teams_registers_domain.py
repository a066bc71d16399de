"""Given/when/then for rosters and certificates, townships and information officers' duty posts."""

from __future__ import annotations

from typing import Any

import pytest

from services.teams.domain import posts, roster, townships
from services.teams.domain.posts import DutyPostRegistered, RegisterDutyPost
from services.teams.domain.roster import (
    AddMember,
    CertificateRecorded,
    MemberAdded,
    MemberRemoved,
    RecordCertificate,
    RemoveMember,
)
from services.teams.domain.townships import RegisterTownship, TownshipRegistered
from shared.decider import Event, parse
from shared.errors import Conflict, InvalidCommand, NotFound

TEAM = "forest-fire-professional"


def add(**overrides: Any) -> AddMember:
    return parse(AddMember, {"team_id": TEAM, "member_id": "chainsaw-operator-1",
                             "name": "chainsaw operator 1", "role": "chainsaw operator",
                             "special_operations": True, **overrides})


def certificate(**overrides: Any) -> RecordCertificate:
    return parse(RecordCertificate, {"team_id": TEAM, "member_id": "chainsaw-operator-1",
                                     "certificate_id": "special-ops",
                                     "kind": "special operations certificate",
                                     "issued_on": "2022-03-01", "expires_on": "2028-03-01", **overrides})


def added(**overrides: Any) -> MemberAdded:
    return MemberAdded(**add(**overrides).model_dump(exclude={"occurred_at"}))


def roster_of(*events: Event) -> roster.Roster:
    return roster.rosters.fold(events)


def test_a_member_is_added_to_the_roster_with_role_and_special_operations_flag() -> None:
    [event] = roster.decide(add(), roster_of())
    assert isinstance(event, MemberAdded) and (event.role, event.special_operations) == (
        "chainsaw operator", True)


def test_a_member_id_is_never_reused_even_after_removal() -> None:
    removed = MemberRemoved(team_id=TEAM, member_id="chainsaw-operator-1", reason=None)
    for history in ((added(),), (added(), removed)):
        with pytest.raises(Conflict) as raised:
            roster.decide(add(), roster_of(*history))
        assert (raised.value.code, raised.value.field) == ("already_registered", "member_id")


def test_a_certificate_is_recorded_for_a_member_with_its_expiry() -> None:
    [event] = roster.decide(certificate(), roster_of(added()))
    assert isinstance(event, CertificateRecorded) and event.expires_on.isoformat() == "2028-03-01"


REMOVE = parse(RemoveMember, {"team_id": TEAM, "member_id": "chainsaw-operator-1"})


@pytest.mark.parametrize("command", [certificate(), REMOVE])
def test_certificates_and_removal_need_a_member_on_the_roster(command: Any) -> None:
    removed = MemberRemoved(team_id=TEAM, member_id="chainsaw-operator-1", reason=None)
    for history in ((), (added(), removed)):
        with pytest.raises(NotFound) as raised:
            roster.decide(command, roster_of(*history))
        assert raised.value.field == "member_id"


@pytest.mark.parametrize(("overrides", "where"), [
    ({"expires_on": "2021-01-01"}, "body"),
    ({"expires_on": "someday"}, "expires_on"),
    ({"certificate_id": "Special Ops"}, "certificate_id"),
])
def test_a_bad_certificate_is_rejected_naming_the_field(overrides: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        certificate(**overrides)
    assert raised.value.field == where


def test_a_removed_member_leaves_the_roster() -> None:
    [event] = roster.decide(parse(RemoveMember, {"team_id": TEAM, "member_id": "chainsaw-operator-1",
                                                 "reason": "retired"}), roster_of(added()))
    assert roster.rosters.fold([event], roster_of(added())).members == frozenset()


def township(**overrides: Any) -> RegisterTownship:
    return parse(RegisterTownship, {"township_id": "maotanchang", "name": "Maotanchang",
                                    "name_zh": "毛坦厂镇", "kind": "town",
                                    "location": {"lat": 31.43, "lon": 116.58}, **overrides})


def test_a_township_is_registered_once_with_its_seat() -> None:
    [event] = townships.decide(township(), townships.Township())
    assert isinstance(event, TownshipRegistered)
    with pytest.raises(Conflict) as raised:
        townships.decide(township(), townships.townships.fold([event]))
    assert raised.value.code == "already_registered"


def test_a_township_needs_its_coordinates() -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse(RegisterTownship, {**township().model_dump(mode="json"), "location": None})
    assert raised.value.field == "location"


def post(**overrides: Any) -> RegisterDutyPost:
    return parse(RegisterDutyPost, {"post_id": "district-information-officers", "name": "officers",
                                    "levels": ["district", "township", "village"], "officers": 354,
                                    "contacts": {"a": {"post": "information officer, post A"},
                                                 "b": {"post": "information officer, post B"}},
                                    **overrides})


def test_a_duty_post_is_registered_with_its_a_and_b_contacts_once() -> None:
    [event] = posts.decide(post(), posts.DutyPost())
    assert isinstance(event, DutyPostRegistered) and event.officers == 354
    with pytest.raises(Conflict):
        posts.decide(post(), posts.duty_posts.fold([event]))


@pytest.mark.parametrize(("overrides", "where"), [
    ({"levels": []}, "levels"),
    ({"levels": ["province"]}, "levels.0"),
    ({"contacts": {"a": {"post": "A"}, "b": {"post": "A"}}}, "contacts"),
])
def test_a_bad_duty_post_is_rejected_naming_the_field(overrides: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        post(**overrides)
    assert raised.value.field == where
