"""Incidents routes: reports and their follow-through."""

from __future__ import annotations

from services.incidents.domain.incidents import ReportIncident
from services.incidents.schemas import Incident

from .. import schemas, views
from . import READ, command, listing, view, write

ROUTES = (
    listing("list_incidents", "/incidents", "incidents", "list_incidents", "Incidents", READ,
            response=Incident),
    command("report_incident", "/incidents", "incidents", "report_incident", "Report an incident",
            write("commander"), request=ReportIncident, response=Incident),
    view("get_incident", "/incidents/<incident_id>", views.incident_view,
         "One incident with its timeline, dispatched teams and materials, and its relief clock", READ,
         response=schemas.IncidentView),
)
