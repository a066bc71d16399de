"""The incidents service's nameko entrypoints: parse, call the handler, dump. Nothing more.

Commands answer with what their `Outcome` says (`answers.py`); reads come from the read
models, with the relief clock finished from the injected clock. Approved requests are carried
out by the dispatch process manager (`dispatch/`), which runs in this service's reactor.
"""

from __future__ import annotations

from typing import Any

from shared.blocking import offload
from shared.clock import clock
from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_handler, event_sourcing, rpc
from shared.paging import list_page

from . import answers, handlers, queries, team_reports
from .dispatch import REACTIONS
from .domain.lifecycle import (
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
from .domain.request_commands import (
    ApproveRequest,
    CancelRequest,
    PledgeMaterials,
    RaiseRequest,
    RejectRequest,
)
from .domain.sites import AdmitEvacuees, DischargeEvacuees, RegisterSite
from .gauges import register_gauges
from .projections import PROJECTIONS
from .read_keys import INCIDENTS, REQUESTS, SITES, TIMELINE, incident_prefix, request_key
from .upcasters import UPCASTERS


class IncidentsService(EventSourcedService):
    name = "incidents"
    es = event_sourcing(PROJECTIONS, UPCASTERS, gauges=register_gauges, reactions=REACTIONS)
    clock = clock()

    # --- the lifecycle --------------------------------------------------------------------

    @rpc
    def report_incident(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a first report (初报); returns the incident with the grade Decree 493 suggests."""
        command = parse(ReportIncident, payload)
        outcome = handlers.report_incident(self.es, command, command_context(meta, command.reported_at))
        return answers.reported(outcome)

    def _step(self, model: Any, payload: Json, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.run_incident_command(self.es, command, command_context(meta, command.occurred_at))
        return answers.incident_answer(command.incident_id, outcome)

    @rpc
    def file_follow_up(self, payload: Json, meta: Json | None = None) -> Json:
        """A follow-up report (灾情续报): the figures as they stand now."""
        return self._step(FileFollowUp, payload, meta)

    @rpc
    def verify_incident(self, payload: Json, meta: Json | None = None) -> Json:
        return self._step(VerifyIncident, payload, meta)

    @rpc
    def dismiss_incident(self, payload: Json, meta: Json | None = None) -> Json:
        """A false report: its requests are cancelled, reservations released, teams stood down."""
        return self._step(DismissIncident, payload, meta)

    @rpc
    def activate_response(self, payload: Json, meta: Json | None = None) -> Json:
        return self._step(ActivateResponse, payload, meta)

    @rpc
    def change_response_level(self, payload: Json, meta: Json | None = None) -> Json:
        return self._step(ChangeResponseLevel, payload, meta)

    @rpc
    def declare_contained(self, payload: Json, meta: Json | None = None) -> Json:
        return self._step(DeclareContained, payload, meta)

    @rpc
    def begin_recovery(self, payload: Json, meta: Json | None = None) -> Json:
        return self._step(BeginRecovery, payload, meta)

    @rpc
    def close_incident(self, payload: Json, meta: Json | None = None) -> Json:
        """Close a recovering incident whose requests are settled; its summary is in its view."""
        return self._step(CloseIncident, payload, meta)

    @rpc
    def record_relief(self, payload: Json, meta: Json | None = None) -> Json:
        """Basic relief delivered: the first delivery stops the 8-hour relief clock."""
        return self._step(RecordRelief, payload, meta)

    # --- what the teams service records of the teams we sent ---------------------------------

    @event_handler("teams", "TeamArrived")
    def on_team_arrived(self, payload: Json) -> None:
        offload(team_reports.note_team_report, self.es, payload)

    @event_handler("teams", "TeamReleased")
    def on_team_released(self, payload: Json) -> None:
        offload(team_reports.note_team_report, self.es, payload)

    # --- incident reads ---------------------------------------------------------------------

    @rpc
    def get_incident(self, incident_id: str) -> Json:
        """The incident, its relief clock now, its requests and its timeline."""
        return queries.incident_view(self.es.views, incident_id, self.clock.now())

    @rpc
    def list_incidents(self, query: Json | None = None) -> Json:
        result = list_page(self.es.views, INCIDENTS, "", query)
        now = self.clock.now()
        return {**result, "items": [queries.with_clock(doc, now) for doc in result["items"]]}

    @rpc
    def open_incidents(self, query: Json | None = None) -> Json:
        """Incidents not closed or dismissed, counted by response level and type."""
        return queries.open_incidents(self.es.views, query, self.clock.now())

    @rpc
    def incident_timeline(self, incident_id: str, query: Json | None = None) -> Json:
        self.es.views.require(INCIDENTS, incident_id, f"no incident {incident_id}", "incident_id")
        return list_page(self.es.views, TIMELINE, incident_prefix(incident_id), query)

    @rpc
    def incident_statistics(self, query: Json | None = None) -> Json:
        """Incidents per type and month, the relief-target hit rate, report timeliness."""
        return queries.district_statistics(self.es.views, query, self.clock.now())

    # --- requests and their dispatch --------------------------------------------------------

    def _request(self, model: Any, payload: Json, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.run_request_command(self.es, command, command_context(meta, command.occurred_at))
        return answers.request_answer(command.incident_id, command.request_id, outcome)

    @rpc
    def raise_request(self, payload: Json, meta: Json | None = None) -> Json:
        """Ask for materials and teams; once approved, the dispatch carries it out."""
        return self._request(RaiseRequest, payload, meta)

    @rpc
    def approve_request(self, payload: Json, meta: Json | None = None) -> Json:
        return self._request(ApproveRequest, payload, meta)

    @rpc
    def reject_request(self, payload: Json, meta: Json | None = None) -> Json:
        return self._request(RejectRequest, payload, meta)

    @rpc
    def cancel_request(self, payload: Json, meta: Json | None = None) -> Json:
        """Releases reservations, closes call-offs and stands teams down (in the background)."""
        return self._request(CancelRequest, payload, meta)

    @rpc
    def pledge_materials(self, payload: Json, meta: Json | None = None) -> Json:
        return self._request(PledgeMaterials, payload, meta)

    @rpc
    def get_request(self, incident_id: str, request_id: str) -> Json:
        return self.es.views.require(REQUESTS, request_key(incident_id, request_id),
                                     f"no request {request_id} for incident {incident_id}", "request_id")

    @rpc
    def list_requests(self, incident_id: str, query: Json | None = None) -> Json:
        self.es.views.require(INCIDENTS, incident_id, f"no incident {incident_id}", "incident_id")
        return list_page(self.es.views, REQUESTS, incident_prefix(incident_id), query)

    # --- resettlement sites -----------------------------------------------------------------

    def _site(self, model: Any, payload: Json, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.run_site_command(self.es, command, command_context(meta, command.occurred_at))
        return answers.site_answer(command.site_id, outcome)

    @rpc
    def register_site(self, payload: Json, meta: Json | None = None) -> Json:
        return self._site(RegisterSite, payload, meta)

    @rpc
    def admit_evacuees(self, payload: Json, meta: Json | None = None) -> Json:
        return self._site(AdmitEvacuees, payload, meta)

    @rpc
    def discharge_evacuees(self, payload: Json, meta: Json | None = None) -> Json:
        return self._site(DischargeEvacuees, payload, meta)

    @rpc
    def get_site(self, site_id: str) -> Json:
        return self.es.views.require(SITES, site_id, f"no resettlement site {site_id}", "site_id")

    @rpc
    def list_sites(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, SITES, "", query)
