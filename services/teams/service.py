"""The teams service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from shared.decider import parse
from shared.errors import NotFound
from shared.nameko_kit import command_context, event_sourcing

from . import handlers
from .domain.teams import RegisterTeam, ReportReadiness
from .projections import PROJECTIONS, READINESS, TEAMS

Json = dict[str, Any]


class TeamsService:
    name = "teams"
    es = event_sourcing(PROJECTIONS)

    @rpc
    def ping(self) -> str:
        return "pong"

    @rpc
    def register_team(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterTeam, payload)
        handlers.register_team(self.es, command, command_context(meta, command.occurred_at))
        return self._team(command.team_id)

    @rpc
    def get_team(self, team_id: str) -> Json:
        return self._team(team_id)

    def _team(self, team_id: str) -> Json:
        return _found(self.es.views.get(TEAMS, team_id), f"no team {team_id}", "team_id")

    @rpc
    def list_teams(self) -> list[Json]:
        return self.es.views.list(TEAMS)

    @rpc
    def report_readiness(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a team's readiness; returns its line on the readiness board."""
        command = parse(ReportReadiness, payload)
        handlers.report_readiness(self.es, command, command_context(meta, command.occurred_at))
        return self._readiness(command.team_id)

    @rpc
    def get_readiness(self, team_id: str) -> Json:
        return self._readiness(team_id)

    def _readiness(self, team_id: str) -> Json:
        return _found(self.es.views.get(READINESS, team_id), f"no team {team_id}", "team_id")

    @rpc
    def readiness_board(self) -> list[Json]:
        return self.es.views.list(READINESS)

    @rpc
    def verify(self) -> Json:
        """Prove the read models equal a rebuild from the log and every hash chain holds."""
        return self.es.runner.verify().model_dump(mode="json")


def _found(doc: Json | None, message: str, field: str) -> Json:
    if doc is None:
        raise NotFound(message, field=field)
    return doc
