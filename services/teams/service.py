"""The teams service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing, rpc
from shared.paging import list_page

from . import handlers
from .domain.teams import RegisterTeam, ReportReadiness
from .gauges import register_gauges
from .projections import PROJECTIONS, READINESS, TEAMS, readiness_doc, team_doc


class TeamsService(EventSourcedService):
    name = "teams"
    es = event_sourcing(PROJECTIONS, gauges=register_gauges)

    @rpc
    def register_team(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterTeam, payload)
        outcome = handlers.register_team(self.es, command, command_context(meta, command.occurred_at))
        return team_doc(outcome.events[0])

    @rpc
    def get_team(self, team_id: str) -> Json:
        return self._team(team_id)

    def _team(self, team_id: str) -> Json:
        return self.es.views.require(TEAMS, team_id, f"no team {team_id}", "team_id")

    @rpc
    def list_teams(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, TEAMS, "", query)

    @rpc
    def report_readiness(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a team's readiness; returns the report as recorded."""
        command = parse(ReportReadiness, payload)
        outcome = handlers.report_readiness(self.es, command, command_context(meta, command.occurred_at))
        return {"team_id": command.team_id, **readiness_doc(outcome.events[0])}

    @rpc
    def get_readiness(self, team_id: str) -> Json:
        return self._readiness(team_id)

    def _readiness(self, team_id: str) -> Json:
        return self.es.views.require(READINESS, team_id, f"no team {team_id}", "team_id")

    @rpc
    def readiness_board(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, READINESS, "", query)

