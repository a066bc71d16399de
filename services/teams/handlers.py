"""Teams command handlers: load → decide → append, through the Application."""

from __future__ import annotations

from shared.application import Application, CommandContext, Outcome

from .domain import teams
from .domain.teams import RegisterTeam, ReportReadiness, Team


def register_team(app: Application, command: RegisterTeam, context: CommandContext) -> Outcome[Team]:
    return app.execute(teams.stream_id(command.team_id), teams.teams, command, context)


def report_readiness(
    app: Application, command: ReportReadiness, context: CommandContext
) -> Outcome[Team]:
    """Record a readiness report for a registered team."""
    return app.execute(teams.stream_id(command.team_id), teams.teams, command, context)
