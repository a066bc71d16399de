"""Teams routes: rescue teams, their readiness reports and the readiness board."""

from __future__ import annotations

from services.teams.domain.teams import RegisterTeam, ReportReadiness
from services.teams.schemas import ReadinessLine, ReadinessRecorded, Team

from . import READ, command, listing, read, write

ROUTES = (
    listing("list_teams", "/teams", "teams", "list_teams", "Rescue teams", READ, response=Team),
    command("register_team", "/teams", "teams", "register_team", "Register a rescue team",
            write("commander"), request=RegisterTeam, response=Team),
    read("get_team", "/teams/<team_id>", "teams", "get_team", "One team with its latest readiness", READ,
         response=Team),
    read("get_readiness", "/teams/<team_id>/readiness", "teams", "get_readiness",
         "A team's latest readiness", READ, response=ReadinessLine),
    command("report_readiness", "/teams/<team_id>/readiness", "teams", "report_readiness",
            "Report a team's readiness", write("commander", "team_leader", scope="team_id"),
            request=ReportReadiness, response=ReadinessRecorded),
    listing("readiness_board", "/readiness", "teams", "readiness_board", "The readiness board", READ,
            response=ReadinessLine),
)
