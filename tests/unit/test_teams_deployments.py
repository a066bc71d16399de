"""Given/when/then for deploying a team, its arrival on scene and its release."""

from __future__ import annotations

import pytest

from services.teams.domain.deployments import TeamArrived, TeamDeployed, TeamReleased
from services.teams.domain.teams import OnDeployment
from shared.errors import Conflict, NotFound
from tests.unit.teams_factories import (
    TEAM,
    arrive,
    deploy,
    given,
    registered,
    release,
    reported,
    when,
)

INCIDENT = "pi-river-seepage"


def deployed(number: int = 1, incident: str = INCIDENT) -> TeamDeployed:
    return TeamDeployed(team_id=TEAM, incident_id=incident, deployment=number, people=None, note=None)


def arrived(number: int = 1, incident: str = INCIDENT) -> TeamArrived:
    return TeamArrived(team_id=TEAM, incident_id=incident, deployment=number, note=None)


def released(number: int = 1, incident: str = INCIDENT) -> TeamReleased:
    return TeamReleased(team_id=TEAM, incident_id=incident, deployment=number, outcome="released", note=None)


@pytest.mark.parametrize("status", ["ready", "partially_ready"])
def test_a_ready_or_partially_ready_team_is_deployed_as_its_first_deployment(status: str) -> None:
    assert when(deploy(people=10, note="sandbagging"), given(registered(), reported(status=status))) == [
        TeamDeployed(team_id=TEAM, incident_id=INCIDENT, deployment=1, people=10, note="sandbagging")]


def test_a_team_that_is_not_ready_cannot_be_deployed() -> None:
    with pytest.raises(Conflict) as raised:
        when(deploy(), given(registered(), reported(status="not_ready", people_available=0)))
    assert raised.value.code == "team_not_available"
    assert "not_ready" in raised.value.message


def test_a_team_that_never_reported_readiness_cannot_be_deployed() -> None:
    with pytest.raises(Conflict) as raised:
        when(deploy(), given(registered()))
    assert raised.value.code == "team_not_available"
    assert "has not reported readiness" in raised.value.message


def test_a_deployed_team_cannot_be_deployed_again_and_the_error_names_its_current_deployment() -> None:
    with pytest.raises(Conflict) as raised:
        when(deploy(incident_id="dongqiao-landslide"), given(registered(), reported(), deployed()))
    assert (raised.value.code, raised.value.field) == ("already_deployed", "team_id")
    assert f"deployed to incident {INCIDENT} (deployment 1)" in raised.value.message


def test_a_team_on_scene_names_where_it_is_when_deployed_again() -> None:
    with pytest.raises(Conflict) as raised:
        when(deploy(), given(registered(), reported(), deployed(), arrived()))
    assert f"on scene at incident {INCIDENT} (deployment 1)" in raised.value.message


def test_more_people_than_reported_available_cannot_be_sent() -> None:
    with pytest.raises(Conflict) as raised:
        when(deploy(people=17), given(registered(), reported(people_available=16)))
    assert (raised.value.code, raised.value.field) == ("not_enough_people", "people")
    assert "only 16 available" in raised.value.message


def test_deploying_an_unknown_team_is_not_found() -> None:
    with pytest.raises(NotFound):
        when(deploy(), given())


def test_arrival_on_scene_is_recorded_for_the_current_deployment() -> None:
    assert when(arrive(), given(registered(), reported(), deployed())) == [arrived()]


def test_arrival_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        when(arrive(), given(registered(), reported(), deployed(), arrived()))
    assert raised.value.code == "already_on_scene"


@pytest.mark.parametrize("command", [arrive, release])
def test_arrival_or_release_of_a_team_not_deployed_is_a_conflict(command: object) -> None:
    with pytest.raises(Conflict) as raised:
        when(command(), given(registered(), reported()))  # type: ignore[operator]
    assert raised.value.code == "not_deployed"


@pytest.mark.parametrize("command", [arrive, release])
def test_arrival_or_release_for_another_incident_is_refused_naming_the_current_one(command: object) -> None:
    with pytest.raises(Conflict) as raised:
        when(command(incident_id="elsewhere"), given(registered(), reported(), deployed()))  # type: ignore[operator]
    assert raised.value.code == "deployed_elsewhere"
    assert f"incident {INCIDENT} (deployment 1)" in raised.value.message


@pytest.mark.parametrize("outcome", ["released", "stood_down"])
def test_a_deployed_team_is_released_or_stood_down(outcome: str) -> None:
    [event] = when(release(outcome=outcome), given(registered(), reported(), deployed()))
    assert isinstance(event, TeamReleased) and (event.outcome, event.deployment) == (outcome, 1)


def test_a_released_team_can_be_deployed_again_as_its_next_deployment() -> None:
    history = given(registered(), reported(), deployed(), arrived(), released())
    assert history.deployment is None
    [event] = when(deploy(incident_id="dongqiao-landslide"), history)
    assert isinstance(event, TeamDeployed) and event.deployment == 2


def test_the_state_follows_the_deployment_through_arrival() -> None:
    assert given(registered(), reported(), deployed(), arrived()).deployment == OnDeployment(
        1, INCIDENT, arrived=True)
