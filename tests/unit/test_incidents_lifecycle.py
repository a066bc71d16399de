"""The incident's state machine, given events / when a command / then events or a refusal:
every command from every status, legal or not, and what each legal step records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.incidents.domain.lifecycle import (
    ActivateResponse,
    BeginRecovery,
    ChangeResponseLevel,
    CloseIncident,
    DeclareContained,
    DismissIncident,
    FileFollowUp,
    FollowUpReported,
    IncidentClosed,
    IncidentCommand,
    IncidentDismissed,
    IncidentVerified,
    RecordRelief,
    ReliefDelivered,
    ResponseActivated,
    ResponseBasis,
    ResponseLevelLowered,
    ResponseLevelRaised,
    VerifyIncident,
)
from shared.decider import parse
from shared.errors import Conflict, InvalidCommand, NotFound
from tests.unit.incidents_factories import (
    BASIS,
    INCIDENT,
    OCCURRED,
    crash,
    decide,
    given,
    history,
    incident_in,
    reported,
)

STATUSES = ("reported", "verified", "dismissed", "response_active", "contained", "recovering", "closed")
COMMANDS: dict[str, IncidentCommand] = {
    "verify": VerifyIncident(incident_id=INCIDENT),
    "dismiss": DismissIncident(incident_id=INCIDENT, reason="false report: the embankment held"),
    "activate": parse(ActivateResponse, {"incident_id": INCIDENT, "level": "III", "basis": BASIS}),
    "raise": parse(ChangeResponseLevel, {"incident_id": INCIDENT, "level": "II", "basis": {"deaths": 3}}),
    "lower": parse(ChangeResponseLevel, {"incident_id": INCIDENT, "level": "IV",
                                         "basis": {"reason": "receding"}}),
    "contain": DeclareContained(incident_id=INCIDENT),
    "recover": BeginRecovery(incident_id=INCIDENT),
    "close": CloseIncident(incident_id=INCIDENT),
    "follow_up": FileFollowUp(incident_id=INCIDENT, reported_by="officer Zhou", deaths=1),
    "relief": RecordRelief(incident_id=INCIDENT, people=300, provided="instant noodles, water, quilts"),
}
#: Written out by hand, not derived from the code: from which statuses each command is legal.
LEGAL = {
    "verify": {"reported"},
    "dismiss": {"reported", "verified", "response_active"},
    "activate": {"verified"},
    "raise": {"response_active", "contained"},
    "lower": {"response_active", "contained"},
    "contain": {"response_active"},
    "recover": {"contained"},
    "close": {"recovering"},
    "follow_up": {"reported", "verified", "response_active", "contained", "recovering"},
    "relief": {"verified", "response_active", "contained", "recovering"},
}
STATUS_AFTER = {"verify": "verified", "dismiss": "dismissed", "activate": "response_active",
                "contain": "contained", "recover": "recovering", "close": "closed"}
CASES = [(name, status) for name in COMMANDS for status in STATUSES]


@pytest.mark.parametrize(("name", "status"), [case for case in CASES if case[1] in LEGAL[case[0]]])
def test_a_legal_step_is_recorded_and_moves_the_incident_on(name: str, status: str) -> None:
    before = given(*incident_in(status))
    events = decide(COMMANDS[name], before)
    assert len(events) == 1
    assert given(*incident_in(status), *events).status == STATUS_AFTER.get(name, status)


@pytest.mark.parametrize(("name", "status"), [case for case in CASES if case[1] not in LEGAL[case[0]]])
def test_an_illegal_step_is_refused_saying_where_the_incident_is(name: str, status: str) -> None:
    with pytest.raises(Conflict) as raised:
        decide(COMMANDS[name], given(*incident_in(status)))
    assert (raised.value.code, raised.value.field) == ("illegal_transition", "status")
    assert f"incident {INCIDENT} is {status}:" in raised.value.message


@pytest.mark.parametrize("name", COMMANDS)
def test_no_step_is_taken_on_an_incident_never_reported(name: str) -> None:
    with pytest.raises(NotFound) as raised:
        decide(COMMANDS[name], given())
    assert raised.value.field == "incident_id"


def test_the_whole_lifecycle_in_order() -> None:
    events = history(*(COMMANDS[name] for name in ("verify", "activate", "raise", "lower", "contain",
                                                   "recover", "close")))
    assert [type(event).__name__ for event in events] == [
        "IncidentReported", "IncidentVerified", "ResponseActivated", "ResponseLevelRaised",
        "ResponseLevelLowered", "IncidentContained", "RecoveryBegun", "IncidentClosed"]
    assert (given(*events).status, given(*events).level) == ("closed", "IV")


def test_activating_a_response_records_its_level_and_basis() -> None:
    assert decide(COMMANDS["activate"], given(*incident_in("verified"))) == [
        ResponseActivated(incident_id=INCIDENT, level="III", basis=ResponseBasis(people_relocated=800))]


def test_a_level_change_says_from_which_level_and_whether_it_was_raised_or_lowered() -> None:
    active = incident_in("response_active")
    assert decide(COMMANDS["raise"], given(*active)) == [ResponseLevelRaised(
        incident_id=INCIDENT, from_level="III", level="II", basis=ResponseBasis(deaths=3))]
    assert decide(COMMANDS["lower"], given(*active)) == [ResponseLevelLowered(
        incident_id=INCIDENT, from_level="III", level="IV", basis=ResponseBasis(reason="receding"))]


def test_changing_to_the_level_already_active_is_refused() -> None:
    same = parse(ChangeResponseLevel, {"incident_id": INCIDENT, "level": "III", "basis": {"deaths": 0}})
    with pytest.raises(Conflict) as raised:
        decide(same, given(*incident_in("response_active")))
    assert (raised.value.code, raised.value.field) == ("same_level", "level")


@pytest.mark.parametrize("basis", [{}, {"reason": "   "}, {"deaths": -1}, {"wind": 12}])
def test_a_level_needs_a_basis_of_figures_or_a_reason(basis: dict[str, Any]) -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse(ActivateResponse, {"incident_id": INCIDENT, "level": "III", "basis": basis})
    assert raised.value.field is not None and raised.value.field.startswith("basis")


def test_a_level_outside_i_to_iv_is_refused() -> None:
    with pytest.raises(InvalidCommand) as raised:
        parse(ActivateResponse, {"incident_id": INCIDENT, "level": "V", "basis": BASIS})
    assert raised.value.field == "level"


def test_verifying_an_accident_takes_the_suggested_grade_unless_the_assessment_sets_one() -> None:
    accident = crash(deaths=3)
    [event] = decide(accident, given())
    verify = VerifyIncident(incident_id="g312-tanker-crash")
    assert decide(verify, given(event)) == [IncidentVerified(
        incident_id="g312-tanker-crash", grade="III", grade_basis="Decree 493 grade III: 3 deaths >= 3",
        assessment=None)]
    regraded = VerifyIncident(incident_id="g312-tanker-crash", grade="II", assessment="toxic cargo")
    assert decide(regraded, given(event)) == [IncidentVerified(
        incident_id="g312-tanker-crash", grade="II", assessment="toxic cargo",
        grade_basis="grade II set by the command centre's assessment (Decree 493 suggests III)")]


def test_a_dismissal_records_the_reason_and_the_status_it_ended() -> None:
    assert decide(COMMANDS["dismiss"], given(*incident_in("response_active"))) == [IncidentDismissed(
        incident_id=INCIDENT, reason="false report: the embankment held", was="response_active")]


def test_a_follow_up_records_what_changed_numbered_and_regrades_an_accident() -> None:
    [first] = decide(crash(deaths=2, injured=4), given())
    update = FileFollowUp(incident_id="g312-tanker-crash", reported_by="traffic police", deaths=3, injured=4)
    [second] = decide(update, given(first))
    assert second == FollowUpReported(incident_id="g312-tanker-crash", number=1, reported_by="traffic police",
                                      changes={"deaths": 3}, description=None, suggested_grade="III",
                                      grade_basis="Decree 493 grade III: 3 deaths >= 3")
    [third] = decide(update.model_copy(update={"deaths": 3}), given(first, second))
    assert isinstance(third, FollowUpReported) and (third.number, third.changes) == (2, {})
    assert given(first, second).figures["deaths"] == 3


def test_a_follow_up_may_not_make_the_seriously_injured_outnumber_the_injured() -> None:
    [first] = decide(crash(injured=4), given())
    with pytest.raises(InvalidCommand) as raised:
        follow_up = FileFollowUp(incident_id="g312-tanker-crash", reported_by="x", seriously_injured=5)
        decide(follow_up, given(first))
    assert raised.value.field == "seriously_injured"


def test_relief_deliveries_are_numbered() -> None:
    events = history(*(COMMANDS[n] for n in ("verify", "relief", "relief")))
    reliefs = [event for event in events if isinstance(event, ReliefDelivered)]
    assert [(r.number, r.people, r.provided) for r in reliefs] == [
        (1, 300, "instant noodles, water, quilts"), (2, 300, "instant noodles, water, quilts")]


def test_an_incident_with_requests_still_open_does_not_close() -> None:
    recovering = given(*incident_in("recovering"))
    with pytest.raises(Conflict) as raised:
        decide(COMMANDS["close"], recovering, open_requests=("r1", "r2"))
    assert raised.value.code == "requests_open" and "r1, r2" in raised.value.message
    assert decide(COMMANDS["close"], recovering) == [IncidentClosed(incident_id=INCIDENT, note=None)]


def test_nothing_is_recorded_as_happening_before_the_incident_occurred() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(COMMANDS["relief"], given(*incident_in("verified")), at=OCCURRED - timedelta(minutes=1))
    assert raised.value.field == "occurred_at"
    assert decide(COMMANDS["relief"], given(*incident_in("verified")), at=OCCURRED)


def test_a_report_recorded_before_the_time_it_occurred_was_asked_has_no_such_bound() -> None:
    legacy = reported().model_copy(update={"occurred_at": None})
    assert decide(COMMANDS["verify"], given(legacy), at=OCCURRED - timedelta(days=1))
