"""The teams service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from nameko.rpc import rpc

from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing

from . import handlers
from .domain.teams import RegisterTeam, ReportReadiness
from .projections import PROJECTIONS, READINESS, TEAMS


class TeamsService(EventSourcedService):
    name = "teams"
    es = event_sourcing(PROJECTIONS)

    @rpc
    def register_team(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterTeam, payload)
        handlers.register_team(self.es, command, command_context(meta, command.occurred_at))
        return self._team(command.team_id)

    @rpc
    def get_team(self, team_id: str) -> Json:
        return self._team(team_id)

    def _team(self, team_id: str) -> Json:
        return self.es.views.require(TEAMS, team_id, f"no team {team_id}", "team_id")

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
        return self.es.views.require(READINESS, team_id, f"no team {team_id}", "team_id")

    @rpc
    def readiness_board(self) -> list[Json]:
        return self.es.views.list(READINESS)

