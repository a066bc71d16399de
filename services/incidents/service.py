"""The incidents service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from nameko.rpc import rpc

from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing

from . import handlers
from .domain.incidents import ReportIncident
from .projections import INCIDENTS, PROJECTIONS


class IncidentsService(EventSourcedService):
    name = "incidents"
    es = event_sourcing(PROJECTIONS)

    @rpc
    def report_incident(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a reported incident; returns it with the grade Decree 493 suggests."""
        command = parse(ReportIncident, payload)
        handlers.report_incident(self.es, command, command_context(meta, command.occurred_at))
        return self._incident(command.incident_id)

    @rpc
    def get_incident(self, incident_id: str) -> Json:
        return self._incident(incident_id)

    def _incident(self, incident_id: str) -> Json:
        return self.es.views.require(INCIDENTS, incident_id, f"no incident {incident_id}", "incident_id")

    @rpc
    def list_incidents(self) -> list[Json]:
        return self.es.views.list(INCIDENTS)
