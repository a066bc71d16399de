"""Teams routes: the registry, readiness, equipment, deployments, rosters, townships, duty posts."""

from __future__ import annotations

from services.teams.domain.deployments import DeployTeam, RecordArrival, ReleaseTeam
from services.teams.domain.posts import RegisterDutyPost
from services.teams.domain.readiness import ReportEquipmentStatus, ReportReadiness
from services.teams.domain.registry import RegisterTeam
from services.teams.domain.roster import AddMember, RecordCertificate, RemoveMember
from services.teams.domain.townships import RegisterTownship
from services.teams.queries import AsOfQuery, BoardQuery, CandidatesQuery, ExpiringQuery
from services.teams.schemas import (
    BoardLine,
    Candidate,
    Capacity,
    Certificate,
    Deployment,
    DeploymentChange,
    DutyPost,
    EquipmentStatusRecorded,
    ExpiringCertificate,
    Member,
    MemberRemoved,
    ReadinessAsOf,
    ReadinessRecorded,
    Team,
    TeamNow,
    TeamTimelineEntry,
    Township,
)

from . import READ, command, listing, read, write

TEAM_WRITE = write("commander", "team_leader", scope="team_id")
T = "/teams/<team_id>"

ROUTES = (
    listing("list_teams", "/teams", "teams", "list_teams", "Rescue teams", READ,
            response=Team),
    command("register_team", "/teams", "teams", "register_team", "Register a rescue team",
            write("commander"), request=RegisterTeam, response=Team),
    read("get_team", T, "teams", "get_team",
         "One team: its record, latest readiness, equipment status and current deployment", READ,
         response=TeamNow),
    read("get_readiness", f"{T}/readiness", "teams", "get_readiness",
         "A team's latest readiness, or with ?as_of= its readiness at that moment", READ, query=AsOfQuery,
         response=BoardLine | ReadinessAsOf),
    command("report_readiness", f"{T}/readiness", "teams", "report_readiness",
            "Report a team's readiness", TEAM_WRITE, request=ReportReadiness, response=ReadinessRecorded),
    command("report_equipment_status", f"{T}/equipment-status", "teams", "report_equipment_status",
            "Report how many units of an item are ready, in use, in maintenance or damaged", TEAM_WRITE,
            request=ReportEquipmentStatus, response=EquipmentStatusRecorded),
    listing("list_deployments", f"{T}/deployments", "teams", "list_deployments",
            "Every deployment of a team, oldest first", READ, response=Deployment),
    command("deploy_team", f"{T}/deployments", "teams", "deploy_team",
            "Deploy a ready or partially ready team to an incident", write("commander"), request=DeployTeam,
            response=DeploymentChange),
    command("record_arrival", f"{T}/arrival", "teams", "record_arrival",
            "Record that a deployed team arrived on scene", TEAM_WRITE, request=RecordArrival,
            response=DeploymentChange),
    command("release_team", f"{T}/release", "teams", "release_team",
            "Release a deployed team or stand it down", write("commander"), request=ReleaseTeam,
            response=DeploymentChange),
    listing("team_timeline", f"{T}/timeline", "teams", "team_timeline",
            "Everything recorded about a team, in order", READ, response=TeamTimelineEntry),
    listing("list_members", f"{T}/members", "teams", "list_members", "A team's roster", READ,
            response=Member),
    command("add_member", f"{T}/members", "teams", "add_member", "Add a member to a team's roster",
            TEAM_WRITE, request=AddMember, response=Member),
    command("remove_member", f"{T}/members/<member_id>", "teams", "remove_member",
            "Remove a member from a team's roster", TEAM_WRITE, request=RemoveMember, response=MemberRemoved,
            method="DELETE", status=200),
    command("record_certificate", f"{T}/members/<member_id>/certificates", "teams", "record_certificate",
            "Record or renew a member's certificate", TEAM_WRITE, request=RecordCertificate,
            response=Certificate),
    listing("expiring_certificates", "/certificates/expiring", "teams", "expiring_certificates",
            "Certificates expired or expiring within ?within_days= (default 30), soonest first", READ,
            query=ExpiringQuery, response=ExpiringCertificate),
    listing("readiness_board", "/readiness", "teams", "readiness_board",
            "The readiness board, filtered by capability, team_type, township, status, deployed, stale",
            READ, query=BoardQuery, response=BoardLine),
    read("capacity", "/capacity", "teams", "capacity",
         "People and machines available now per capability; teams by status, stale and deployed", READ,
         response=Capacity),
    listing("candidate_teams", "/candidates", "teams", "candidate_teams",
            "Teams able to answer a request (?capability=&people=&township=), nearest first", READ,
            query=CandidatesQuery, response=Candidate),
    listing("list_townships", "/townships", "teams", "list_townships", "Townships and their seats", READ,
            response=Township),
    command("register_township", "/townships", "teams", "register_township", "Register a township",
            write("commander"), request=RegisterTownship, response=Township),
    read("get_township", "/townships/<township_id>", "teams", "get_township", "One township", READ,
         response=Township),
    listing("list_duty_posts", "/duty-posts", "teams", "list_duty_posts",
            "Disaster information officers' A/B duty posts", READ, response=DutyPost),
    command("register_duty_post", "/duty-posts", "teams", "register_duty_post",
            "Register an information officers' duty post with its A and B contacts", write("commander"),
            request=RegisterDutyPost, response=DutyPost),
)
