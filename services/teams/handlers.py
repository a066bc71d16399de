"""Teams command handlers: load → decide → append, through the Application.

A command that names another aggregate (a team's home township, a roster's team)
checks that it exists first, so nothing refers to what was never registered.
"""

from __future__ import annotations

from shared.application import Application, CommandContext, Outcome
from shared.errors import NotFound

from .domain import posts, roster, teams, townships
from .domain.posts import DutyPost, RegisterDutyPost
from .domain.registry import RegisterTeam
from .domain.roster import Roster, RosterCommand
from .domain.teams import Team, TeamCommand
from .domain.townships import RegisterTownship, Township


def register_team(app: Application, command: RegisterTeam, context: CommandContext) -> Outcome[Team]:
    if command.township is not None:
        _require_township(app, command.township)
    return app.execute(teams.stream_id(command.team_id), teams.teams, command, context)


def run_team_command(app: Application, command: TeamCommand, context: CommandContext) -> Outcome[Team]:
    """Readiness, equipment status, deploy, arrive, release: the team's own decider rules them."""
    return app.execute(teams.stream_id(command.team_id), teams.teams, command, context)


def run_roster_command(
    app: Application, command: RosterCommand, context: CommandContext
) -> Outcome[Roster]:
    _require(app, teams.stream_id(command.team_id), f"no team {command.team_id}", "team_id")
    return app.execute(roster.stream_id(command.team_id), roster.rosters, command, context)


def register_township(
    app: Application, command: RegisterTownship, context: CommandContext
) -> Outcome[Township]:
    return app.execute(townships.stream_id(command.township_id), townships.townships, command, context)


def register_duty_post(
    app: Application, command: RegisterDutyPost, context: CommandContext
) -> Outcome[DutyPost]:
    if command.township is not None:
        _require_township(app, command.township)
    return app.execute(posts.stream_id(command.post_id), posts.duty_posts, command, context)


def _require_township(app: Application, township_id: str) -> None:
    _require(app, townships.stream_id(township_id),
             f"no township {township_id}; register it under /townships first", "township")


def _require(app: Application, stream_id: str, message: str, field: str) -> None:
    if app.store.stream_version(stream_id) == 0:
        raise NotFound(message, field=field)
