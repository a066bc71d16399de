"""Incidents routes: reports and their follow-through, requests and their dispatch, relief,
resettlement sites, and the district's incident statistics.

Who may write: the command centre (`commander`, and `admin`). Township information officers
do not hold tokens: their first reports and follow-ups reach the 24-hour duty desk by phone
or radio (their A/B duty posts), and the duty operator records them in their name
(`reported_by`); the recorded `actor` is the operator. Pledges from neighbouring districts
and companies are recorded the same way. Every role reads, `observer` (other systems) included.
"""

from __future__ import annotations

from typing import Any

from services.incidents.domain.lifecycle import (
    ActivateResponse,
    BeginRecovery,
    ChangeResponseLevel,
    CloseIncident,
    DeclareContained,
    DismissIncident,
    FileFollowUp,
    RecordRelief,
    ReportIncident,
    VerifyIncident,
)
from services.incidents.domain.request_commands import (
    ApproveRequest,
    CancelRequest,
    PledgeMaterials,
    RaiseRequest,
    RejectRequest,
)
from services.incidents.domain.sites import AdmitEvacuees, DischargeEvacuees, RegisterSite
from services.incidents.queries import OpenQuery, StatisticsQuery
from services.incidents.schemas import (
    IncidentAnswer,
    IncidentNow,
    OpenIncidents,
    Reported,
    Request,
    RequestAnswer,
    Site,
    SiteAnswer,
    Statistics,
    TimelineEntry,
)

from .. import schemas, views
from . import READ, Route, command, listing, read, view, write

COMMAND_CENTRE = write("commander")
INC = "/incidents/<incident_id>"
R = f"{INC}/requests/<request_id>"
S = "/sites/<site_id>"


def _step(name: str, path: str, rpc: str, summary: str, request: Any) -> Route:
    return command(name, path, "incidents", rpc, summary, COMMAND_CENTRE, request=request,
                   response=IncidentAnswer)


def _request_step(name: str, path: str, rpc: str, summary: str, request: Any) -> Route:
    return command(name, path, "incidents", rpc, summary, COMMAND_CENTRE, request=request,
                   response=RequestAnswer)


ROUTES = (
    listing("list_incidents", "/incidents", "incidents", "list_incidents",
            "Incidents, each with its relief clock now", READ, response=IncidentNow),
    command("report_incident", "/incidents", "incidents", "report_incident",
            "Record a first report (初报): when it occurred and when it was reported; late after 1 hour",
            COMMAND_CENTRE, request=ReportIncident, response=Reported),
    view("get_incident", INC, views.incident_view,
         "An incident's full view: status, response, figures, requests and what they dispatched (teams "
         "with their readiness, materials with their warehouses), relief clock, timeline, summary once "
         "closed",
         READ, response=schemas.IncidentView),
    read("open_incidents", "/open-incidents", "incidents", "open_incidents",
         "Incidents neither closed nor dismissed, counted by response level and type", READ,
         query=OpenQuery, response=OpenIncidents),
    read("incident_statistics", "/incident-statistics", "incidents", "incident_statistics",
         "Incidents per month and type, the relief-target hit rate and report timeliness", READ,
         query=StatisticsQuery, response=Statistics),
    listing("incident_timeline", f"{INC}/timeline", "incidents", "incident_timeline",
            "Everything recorded about an incident, its requests and evacuees, in order", READ,
            response=TimelineEntry),
    _step("file_follow_up", f"{INC}/follow-ups", "file_follow_up",
          "A follow-up report (灾情续报): the figures as they stand now", FileFollowUp),
    _step("verify_incident", f"{INC}/verification", "verify_incident",
          "Confirm the report after assessment (会商研判); the grade", VerifyIncident),
    _step("dismiss_incident", f"{INC}/dismissal", "dismiss_incident",
          "Dismiss a false report: its requests are cancelled, reservations released, teams stood down",
          DismissIncident),
    _step("activate_response", f"{INC}/response", "activate_response",
          "Activate a level I-IV response, with its basis", ActivateResponse),
    _step("change_response_level", f"{INC}/response-level", "change_response_level",
          "Raise or lower the response level, with its basis", ChangeResponseLevel),
    _step("declare_contained", f"{INC}/containment", "declare_contained", "Declare the incident contained",
          DeclareContained),
    _step("begin_recovery", f"{INC}/recovery", "begin_recovery", "Begin recovery", BeginRecovery),
    _step("close_incident", f"{INC}/closure", "close_incident",
          "Close the incident (its requests settled); the after-action summary follows", CloseIncident),
    _step("record_relief", f"{INC}/relief", "record_relief",
          "Basic relief delivered to affected people: the first stops the 8-hour clock", RecordRelief),
    listing("list_requests", f"{INC}/requests", "incidents", "list_requests",
            "The incident's requests for materials and teams, with their dispatch", READ, response=Request),
    _request_step("raise_request", f"{INC}/requests", "raise_request",
                  "Request materials (item, quantity) and teams (by name, or a capability and people)",
                  RaiseRequest),
    read("get_request", R, "incidents", "get_request",
         "A request: lines asked, approved, reserved, issued, missing; teams; plan; who changed its status",
         READ, response=Request),
    _request_step("approve_request", f"{R}/approval", "approve_request",
                  "Approve a request, perhaps for other quantities: its dispatch starts", ApproveRequest),
    _request_step("reject_request", f"{R}/rejection", "reject_request", "Reject a request", RejectRequest),
    _request_step("cancel_request", f"{R}/cancellation", "cancel_request",
                  "Cancel a request: reservations released, call-offs closed, teams stood down",
                  CancelRequest),
    _request_step("pledge_materials", f"{R}/pledges", "pledge_materials",
                  "Record materials a neighbouring district, company or organisation pledges",
                  PledgeMaterials),
    listing("list_sites", "/sites", "incidents", "list_sites",
            "Resettlement sites (安置点) with capacity and occupancy", READ, response=Site),
    command("register_site", "/sites", "incidents", "register_site", "Register a resettlement site",
            COMMAND_CENTRE, request=RegisterSite, response=SiteAnswer),
    read("get_site", S, "incidents", "get_site", "A resettlement site: capacity, occupancy per incident",
         READ, response=Site),
    command("admit_evacuees", f"{S}/admissions", "incidents", "admit_evacuees",
            "Evacuees of an incident admitted to a site (never beyond its capacity)", COMMAND_CENTRE,
            request=AdmitEvacuees, response=SiteAnswer),
    command("discharge_evacuees", f"{S}/discharges", "incidents", "discharge_evacuees",
            "Evacuees of an incident who left a site", COMMAND_CENTRE, request=DischargeEvacuees,
            response=SiteAnswer),
)
