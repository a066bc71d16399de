"""Incidents command handlers: load → decide → append, through the Application."""

from __future__ import annotations

from shared.application import Application, CommandContext, Outcome

from .domain import incidents
from .domain.incidents import Incident, ReportIncident


def report_incident(
    app: Application, command: ReportIncident, context: CommandContext
) -> Outcome[Incident]:
    stream = incidents.stream_id(command.incident_id)
    return app.execute(stream, incidents.incidents, command, context)
