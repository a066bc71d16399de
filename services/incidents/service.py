"""The incidents service's nameko entrypoints: parse, call the handler, dump. Nothing more."""

from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from shared.decider import parse
from shared.errors import NotFound
from shared.nameko_kit import command_context, event_sourcing

from . import handlers
from .domain.incidents import ReportIncident
from .projections import INCIDENTS, PROJECTIONS

Json = dict[str, Any]


class IncidentsService:
    name = "incidents"
    es = event_sourcing(PROJECTIONS)

    @rpc
    def ping(self) -> str:
        return "pong"

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
        doc = self.es.views.get(INCIDENTS, incident_id)
        if doc is None:
            raise NotFound(f"no incident {incident_id}", field="incident_id")
        return doc

    @rpc
    def list_incidents(self) -> list[Json]:
        return self.es.views.list(INCIDENTS)

    @rpc
    def verify(self) -> Json:
        """Prove the read model equals a rebuild from the log and every hash chain holds."""
        return self.es.runner.verify().model_dump(mode="json")
