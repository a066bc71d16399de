"""Teams routes: rescue teams, their readiness reports and the readiness board."""

from __future__ import annotations

from . import command, listing, read, write

ROUTES = (
    listing("list_teams", "/teams", "teams", "list_teams", "Rescue teams"),
    command("register_team", "/teams", "teams", "register_team", "Register a rescue team",
            write("commander")),
    read("get_team", "/teams/<team_id>", "teams", "get_team", "One team with its latest readiness"),
    read("get_readiness", "/teams/<team_id>/readiness", "teams", "get_readiness",
         "A team's latest readiness"),
    command("report_readiness", "/teams/<team_id>/readiness", "teams", "report_readiness",
            "Report a team's readiness", write("commander", "team_leader", scope="team_id")),
    listing("readiness_board", "/readiness", "teams", "readiness_board", "The readiness board"),
)
