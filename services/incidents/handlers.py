"""Incidents command handlers: load → decide → append, through the Application.

A command that depends on another aggregate gets it as a fact: a request or an admission
needs its incident to be live (its status, folded from the incident's own stream), and an
incident closes only when none of its requests is still open (from the requests read model,
which every command of this service has brought up to date).
"""

from __future__ import annotations

from shared.application import CLOCK_SKEW, Application, CommandContext, Outcome
from shared.envelope import now
from shared.errors import InvalidCommand

from .domain import incidents, request, sites
from .domain.incidents import Incident
from .domain.lifecycle import CloseIncident, IncidentCommand, ReportIncident
from .domain.request import RequestCommand
from .domain.request_commands import ApproveRequest, RaiseRequest
from .domain.request_state import Request
from .domain.sites import AdmitEvacuees, Site, SiteCommand
from .read_keys import OPEN_REQUEST_STATUSES, REQUESTS, incident_prefix


def report_incident(app: Application, command: ReportIncident, context: CommandContext) -> Outcome[Incident]:
    """`context.occurred_at` is when the report was made (`reported_at`)."""
    if context.occurred_at > now() + CLOCK_SKEW:  # the kernel would blame `occurred_at`
        raise InvalidCommand("must not be in the future", field="reported_at")
    facts = incidents.Facts(at=context.occurred_at)
    return app.execute(incidents.stream_id(command.incident_id), incidents.deciding(facts), command, context)


def run_incident_command(
    app: Application, command: IncidentCommand, context: CommandContext
) -> Outcome[Incident]:
    open_requests: tuple[str, ...] = ()
    if isinstance(command, CloseIncident):
        requests = app.views.list(REQUESTS, incident_prefix(command.incident_id))
        open_requests = tuple(doc["request_id"] for doc in requests if doc["status"] in OPEN_REQUEST_STATUSES)
    facts = incidents.Facts(at=context.occurred_at, open_requests=open_requests)
    return app.execute(incidents.stream_id(command.incident_id), incidents.deciding(facts), command, context)


def incident_status(app: Application, incident_id: str) -> str | None:
    """The incident's status now, folded from its stream (None: never reported)."""
    return app.load(incidents.stream_id(incident_id), incidents.incidents)[0].status


def run_request_command(
    app: Application, command: RequestCommand, context: CommandContext
) -> Outcome[Request]:
    facts = request.Facts()
    if isinstance(command, RaiseRequest | ApproveRequest):
        facts = request.Facts(incident_status=incident_status(app, command.incident_id))
    stream = request.stream_id(command.incident_id, command.request_id)
    return app.execute(stream, request.deciding(facts), command, context)


def run_site_command(app: Application, command: SiteCommand, context: CommandContext) -> Outcome[Site]:
    facts = sites.Facts()
    if isinstance(command, AdmitEvacuees):
        facts = sites.Facts(incident_status=incident_status(app, command.incident_id))
    return app.execute(sites.stream_id(command.site_id), sites.deciding(facts), command, context)
