"""Incidents routes: reports and their follow-through."""

from __future__ import annotations

from . import command, listing, read, write

ROUTES = (
    listing("list_incidents", "/incidents", "incidents", "list_incidents", "Incidents"),
    command("report_incident", "/incidents", "incidents", "report_incident", "Report an incident",
            write("commander")),
    read("get_incident", "/incidents/<incident_id>", "incidents", "get_incident", "One incident"),
)
