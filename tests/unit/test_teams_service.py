from __future__ import annotations

import pytest
from nameko.testing.services import worker_factory

from services.teams.projections import PROJECTIONS
from services.teams.service import TeamsService
from shared.errors import InvalidCommand, NotFound
from shared.testing import in_memory_application

LONGMA = {"team_id": "longma-sanitation-rescue", "name": "Lu'an Longma sanitation rescue team",
          "name_zh": "六安龙马环卫抢险队", "team_type": "enterprise", "members": 18}


@pytest.fixture
def service() -> TeamsService:
    return worker_factory(TeamsService, es=in_memory_application(PROJECTIONS))  # type: ignore[no-any-return]


def test_a_registered_team_can_be_read_back_and_listed(service: TeamsService) -> None:
    team = service.register_team(LONGMA, {"actor": "admin"})
    assert team["team_id"] == "longma-sanitation-rescue"
    assert service.get_team("longma-sanitation-rescue") == team
    assert service.list_teams() == {"items": [team], "next": None}


def test_reporting_readiness_returns_the_report_and_puts_it_on_the_board(service: TeamsService) -> None:
    service.register_team(LONGMA)
    report = service.report_readiness(
        {"team_id": "longma-sanitation-rescue", "status": "ready", "people_available": 18},
        {"actor": "leader-li"},
    )
    assert (report["status"], report["reported_by"]) == ("ready", "leader-li")
    line = service.get_readiness("longma-sanitation-rescue")
    assert line == {**line, **report} and line["name_zh"] == "六安龙马环卫抢险队"
    assert service.readiness_board() == {"items": [line], "next": None}
    assert service.verify()["ok"] is True


def test_an_unknown_team_is_not_found(service: TeamsService) -> None:
    with pytest.raises(NotFound) as raised:
        service.get_readiness("no-such-team")
    assert raised.value.field == "team_id"


def test_a_malformed_payload_is_rejected_naming_the_field(service: TeamsService) -> None:
    with pytest.raises(InvalidCommand) as raised:
        service.register_team({**LONGMA, "members": "many"})
    assert raised.value.field == "members"
