"""The incidents service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing, rpc
from shared.paging import list_page

from . import handlers
from .domain.incidents import ReportIncident
from .gauges import register_gauges
from .projections import INCIDENTS, PROJECTIONS, incident_doc


class IncidentsService(EventSourcedService):
    name = "incidents"
    es = event_sourcing(PROJECTIONS, gauges=register_gauges)

    @rpc
    def report_incident(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a reported incident; returns it with the grade Decree 493 suggests."""
        command = parse(ReportIncident, payload)
        outcome = handlers.report_incident(self.es, command, command_context(meta, command.occurred_at))
        return incident_doc(outcome.events[0])

    @rpc
    def get_incident(self, incident_id: str) -> Json:
        return self._incident(incident_id)

    def _incident(self, incident_id: str) -> Json:
        return self.es.views.require(INCIDENTS, incident_id, f"no incident {incident_id}", "incident_id")

    @rpc
    def list_incidents(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, INCIDENTS, "", query)
