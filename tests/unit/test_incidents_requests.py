"""A request's own decisions: raised on a live incident, approved (perhaps for other quantities),
rejected, cancelled, pledged against; and every transition that is refused."""

from __future__ import annotations

from typing import Any

import pytest

from services.incidents.domain import request
from services.incidents.domain.request_commands import (
    CancelRequest,
    MaterialLine,
    MaterialsPledged,
    PledgeMaterials,
    RejectRequest,
    RequestApproved,
    RequestCancelled,
    RequestRaised,
    TeamLine,
)
from shared.decider import parse
from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.incidents_factories import (
    INCIDENT,
    approve,
    decide_request,
    given_request,
    raise_request,
    request_history,
)

LINES = (MaterialLine(line="m1", item_id="woven-sandbags", quantity=20000),
         MaterialLine(line="m2", item_id="rubber-boats", quantity=4),
         MaterialLine(line="m3", item_id="life-jackets", quantity=40))
TEAMS = (TeamLine(line="t1", team_id="longma-sanitation-rescue", capability=None, people=None),
         TeamLine(line="t2", team_id=None, capability="flood_water_rescue", people=30))


def test_a_request_numbers_its_lines_in_the_order_given() -> None:
    assert decide_request(raise_request(), given_request()) == [RequestRaised(
        incident_id=INCIDENT, request_id="r1", priority="urgent",
        destination="Sanshipu flood HQ, Zhangxi village", coordinates=None, materials=LINES, teams=TEAMS,
        note=None)]


@pytest.mark.parametrize("status", ["verified", "response_active", "contained", "recovering"])
def test_requests_are_taken_while_the_incident_is_live(status: str) -> None:
    assert decide_request(raise_request(), given_request(), incident_status=status)


@pytest.mark.parametrize("status", ["reported", "dismissed", "closed"])
def test_a_request_against_an_incident_not_live_is_refused(status: str) -> None:
    with pytest.raises(Conflict) as raised:
        decide_request(raise_request(), given_request(), incident_status=status)
    assert raised.value.code == "incident_not_active" and f"is {status}" in raised.value.message


def test_a_request_against_an_unknown_incident_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        decide_request(raise_request(), given_request(), incident_status=None)
    assert raised.value.field == "incident_id"


def test_a_request_id_is_used_once() -> None:
    with pytest.raises(Conflict) as raised:
        decide_request(raise_request(), given_request(*request_history()))
    assert raised.value.code == "already_registered"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"materials": [], "teams": []}, "body"),
    ({"materials": [{"item_id": "life-jackets", "quantity": 1}, {"item_id": "life-jackets", "quantity": 2}]},
     "materials"),
    ({"materials": [{"item_id": "life-jackets", "quantity": 0}]}, "materials.0.quantity"),
    ({"teams": [{"capability": "flood_water_rescue"}]}, "teams.0"),
    ({"teams": [{"team_id": "longma", "capability": "drainage", "people": 3}]}, "teams.0"),
    ({"teams": [{"capability": "dragon_taming", "people": 3}]}, "teams.0.capability"),
    ({"teams": [{"team_id": "longma"}, {"team_id": "longma"}]}, "teams"),
    ({"priority": "whenever"}, "priority"),
    ({"destination": ""}, "destination"),
])
def test_a_malformed_request_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidCommand) as raised:
        raise_request(**overrides)
    assert raised.value.field == field


def test_an_approval_takes_the_lines_as_asked_unless_it_changes_them() -> None:
    events = request_history()
    changed = approve(changes=[{"line": "m1", "quantity": 15000}, {"line": "t1", "quantity": 12},
                               {"line": "m3", "quantity": 0}])
    assert decide_request(changed, given_request(*events)) == [RequestApproved(
        incident_id=INCIDENT, request_id="r1",
        materials=(LINES[0].model_copy(update={"quantity": 15000}), LINES[1],
                   LINES[2].model_copy(update={"quantity": 0})),
        teams=(TEAMS[0].model_copy(update={"people": 12}), TEAMS[1]), note=None)]


def test_an_approval_may_grant_more_than_was_asked() -> None:
    more = approve(changes=[{"line": "m2", "quantity": 6}])
    [approved] = decide_request(more, given_request(*request_history()))
    assert isinstance(approved, RequestApproved) and approved.materials[1].quantity == 6


@pytest.mark.parametrize(("changes", "field"), [
    ([{"line": "m9", "quantity": 1}], "changes.0.line"),
    ([{"line": "m1", "quantity": 1}, {"line": "m1", "quantity": 2}], "changes.1.line"),
    ([{"line": line, "quantity": 0} for line in ("m1", "m2", "m3", "t1", "t2")], "changes"),
])
def test_an_approval_that_names_no_such_line_or_approves_nothing_is_refused(
    changes: list[dict[str, Any]], field: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide_request(approve(changes=changes), given_request(*request_history()))
    assert raised.value.field == field


def test_an_approval_on_an_incident_no_longer_live_is_refused() -> None:
    with pytest.raises(Conflict) as raised:
        decide_request(approve(), given_request(*request_history()), incident_status="dismissed")
    assert raised.value.code == "incident_not_active"


REJECT = RejectRequest(incident_id=INCIDENT, request_id="r1", reason="the township depot covers it")
CANCEL = CancelRequest(incident_id=INCIDENT, request_id="r1", reason="water receding")


@pytest.mark.parametrize("command", [approve(), REJECT])
def test_only_a_request_still_requested_is_approved_or_rejected(command: Any) -> None:
    approved = given_request(*request_history(approve()))
    with pytest.raises(Conflict) as raised:
        decide_request(command, approved)
    assert raised.value.code == "illegal_transition" and "is approved" in raised.value.message


def test_a_cancellation_records_the_status_it_ends() -> None:
    assert decide_request(CANCEL, given_request(*request_history(approve()))) == [RequestCancelled(
        incident_id=INCIDENT, request_id="r1", reason="water receding", was="approved")]


@pytest.mark.parametrize("end", [REJECT, CANCEL])
def test_a_rejected_or_cancelled_request_cannot_be_cancelled_again(end: Any) -> None:
    with pytest.raises(Conflict) as raised:
        decide_request(CANCEL, given_request(*request_history(end)))
    assert raised.value.code == "illegal_transition"


def test_a_step_on_an_unknown_request_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        decide_request(approve(), given_request())
    assert raised.value.field == "request_id"


def pledge(**overrides: Any) -> PledgeMaterials:
    return parse(PledgeMaterials, {"incident_id": INCIDENT, "request_id": "r1", "pledge_id": "yuan-1",
                                   "pledged_by": "Yu'an District Emergency Bureau",
                                   "kind": "neighbouring_district",
                                   "lines": [{"item_id": "woven-sandbags", "quantity": 5000}], **overrides})


def test_a_neighbouring_district_pledges_materials_against_a_request() -> None:
    [event] = decide_request(pledge(), given_request(*request_history()))
    assert isinstance(event, MaterialsPledged) and event.lines[0].quantity == 5000
    with pytest.raises(Conflict) as raised:
        decide_request(pledge(), given_request(*request_history(pledge())))
    assert raised.value.code == "already_registered"


def test_a_pledge_of_an_item_the_request_does_not_ask_for_is_refused() -> None:
    with pytest.raises(InvalidCommand) as raised:
        generators = pledge(lines=[{"item_id": "generators", "quantity": 2}])
        decide_request(generators, given_request(*request_history()))
    assert raised.value.field == "lines.0.item_id"


def test_nothing_is_pledged_against_a_cancelled_request() -> None:
    with pytest.raises(Conflict):
        decide_request(pledge(), given_request(*request_history(CANCEL)))


def test_a_request_lives_in_a_stream_of_its_incident_and_id() -> None:
    assert request.stream_id("pi-flood", "r1") == "request:pi-flood:r1"
