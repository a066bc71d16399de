"""The teams service's nameko entrypoints: parse, call the handler, dump. Nothing more.

Contract for the incidents service's dispatch (RPC `teams.deploy_team`,
`teams.record_arrival`, `teams.release_team`), each `method(payload, meta)` with
`meta = {"command_id", "actor", "correlation_id", "causation_id"}`:

- payloads: `{"team_id", "incident_id", "people"?, "note"?, "occurred_at"?}` to deploy;
  `{"team_id", "incident_id", "note"?, "occurred_at"?}` on arrival;
  `{"team_id", "incident_id", "outcome": "released" | "stood_down", "note"?, "occurred_at"?}`
  to release.
- answer: `{"team_id", "incident_id", "deployment", "status", "at", "people", "note",
  "event_id"}` where `status` is `deployed`, `on_scene`, `released` or `stood_down`
  and `deployment` numbers the team's deployments 1, 2, …
- the same `command_id` again returns the same answer, byte for byte, and changes
  nothing; the same `command_id` with a different payload is refused
  (`Conflict`, code `idempotency_key_reused`).
- refusals: `NotFound` (`not_found`, field `team_id`); `InvalidCommand` (`invalid`, the
  field named); `Conflict` with code `already_deployed` (the message names the current
  incident and deployment number), `team_not_available` (latest readiness is not ready
  or partially ready, or none), `not_enough_people`, `not_deployed`,
  `deployed_elsewhere` (names where it is) or `already_on_scene`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.clock import clock
from shared.decider import parse
from shared.nameko_kit import EventSourcedService, Json, command_context, event_sourcing, rpc
from shared.paging import list_page
from shared.timestamps import CHINA_STANDARD_TIME

from . import handlers, reads
from .as_of import readiness_as_of
from .domain.deployments import DeployTeam, RecordArrival, ReleaseTeam
from .domain.posts import RegisterDutyPost
from .domain.readiness import ReportEquipmentStatus, ReportReadiness
from .domain.registry import RegisterTeam
from .domain.roster import AddMember, RecordCertificate, RemoveMember
from .domain.townships import RegisterTownship
from .gauges import register_gauges
from .projections import (
    DEPLOYMENTS,
    PROJECTIONS,
    READINESS,
    TEAMS,
    TIMELINE,
    deployment_change_doc,
    equipment_change_doc,
    readiness_doc,
    team_doc,
)
from .queries import (
    AsOfQuery,
    BoardQuery,
    CandidatesQuery,
    ExpiringQuery,
    filtered_page,
    parse_query,
    ranked_page,
)
from .registers import (
    CERTIFICATES,
    MEMBERS,
    POSTS,
    TOWNSHIPS,
    certificate_doc,
    certificate_key,
    duty_post_doc,
    member_doc,
    township_doc,
)
from .upcasters import UPCASTERS

ALL = 1_000  # page size when a read folds a whole collection


class TeamsService(EventSourcedService):
    name = "teams"
    es = event_sourcing(PROJECTIONS, UPCASTERS, gauges=register_gauges)
    clock = clock()

    # --- the registry -------------------------------------------------------------------

    @rpc
    def register_team(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterTeam, payload)
        outcome = handlers.register_team(self.es, command, command_context(meta, command.occurred_at))
        return team_doc(outcome.events[0])

    @rpc
    def get_team(self, team_id: str) -> Json:
        """The team's record, with staleness and equipment time out of service up to now."""
        return reads.team_view(self._team(team_id), self.clock.now())

    def _team(self, team_id: str) -> Json:
        return self.es.views.require(TEAMS, team_id, f"no team {team_id}", "team_id")

    @rpc
    def list_teams(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, TEAMS, "", query)

    # --- readiness ----------------------------------------------------------------------

    @rpc
    def report_readiness(self, payload: Json, meta: Json | None = None) -> Json:
        """Record a team's readiness; returns the report as recorded."""
        command = parse(ReportReadiness, payload)
        outcome = handlers.run_team_command(self.es, command, command_context(meta, command.occurred_at))
        return {"team_id": command.team_id, **readiness_doc(outcome.events[0])}

    @rpc
    def get_readiness(self, team_id: str, query: Json | None = None) -> Json:
        """The team's line on the board now, or with `as_of` its readiness at that moment."""
        request: AsOfQuery = parse_query(AsOfQuery, query)
        line = self.es.views.require(READINESS, team_id, f"no team {team_id}", "team_id")
        if request.as_of is None:
            return reads.board_entry(line, self.clock.now())
        items = [item["item_id"] for item in self._team(team_id)["equipment"]]
        with self.es.views.reading() as views:
            return readiness_as_of(views, team_id, items, request.as_of)

    @rpc
    def readiness_board(self, query: Json | None = None) -> Json:
        """Every team's latest readiness, filtered by capability, type, township, status,
        deployed or stale; stale teams are flagged."""
        request: BoardQuery = parse_query(BoardQuery, query)
        now = self.clock.now()

        def keep(line: Json) -> bool:
            return ((request.capability is None or request.capability in line["capabilities"])
                    and request.team_type in (None, line["team_type"])
                    and request.township in (None, line["township"])
                    and request.status in (None, line["status"])
                    and request.deployed in (None, line["deployment"] is not None)
                    and request.stale in (None, reads.is_stale(line, now)))

        result = filtered_page(self.es.views, READINESS, "", request, keep, lambda line: line["team_id"])
        return {**result, "items": [reads.board_entry(line, now) for line in result["items"]]}

    @rpc
    def capacity(self) -> Json:
        """People and machines available now per capability, and the teams by status."""
        return reads.capacity(self._board(), self.clock.now())

    @rpc
    def candidate_teams(self, query: Json | None = None) -> Json:
        """Teams able to answer a request for a capability, nearest to a township first."""
        request: CandidatesQuery = parse_query(CandidatesQuery, query)
        homes = {doc["township_id"]: doc["location"] for doc in self._all(TOWNSHIPS)}
        origin = None
        if request.township is not None:
            origin = self.es.views.require(TOWNSHIPS, request.township, f"no township {request.township}",
                                           "township")["location"]
        ranked = reads.candidates(self._board(), request.capability, request.people, origin, homes,
                                  self.clock.now(), request.include_stale)
        return ranked_page(ranked, request)

    def _board(self) -> list[Json]:
        return self._all(READINESS)

    def _all(self, collection: str) -> list[Json]:
        docs: list[Json] = []
        after = None
        while True:
            batch, after = self.es.views.page(collection, "", after, ALL)
            docs += batch
            if after is None:
                return docs

    @rpc
    def report_equipment_status(self, payload: Json, meta: Json | None = None) -> Json:
        """How many units of one item are ready, in use, in maintenance or damaged."""
        command = parse(ReportEquipmentStatus, payload)
        outcome = handlers.run_team_command(self.es, command, command_context(meta, command.occurred_at))
        return equipment_change_doc(outcome.events[0])

    # --- deployments (the contract in the module docstring) -------------------------------

    @rpc
    def deploy_team(self, payload: Json, meta: Json | None = None) -> Json:
        return self._deployment_step(DeployTeam, payload, meta)

    @rpc
    def record_arrival(self, payload: Json, meta: Json | None = None) -> Json:
        return self._deployment_step(RecordArrival, payload, meta)

    @rpc
    def release_team(self, payload: Json, meta: Json | None = None) -> Json:
        return self._deployment_step(ReleaseTeam, payload, meta)

    def _deployment_step(self, model: Any, payload: Json, meta: Json | None) -> Json:
        command = parse(model, payload)
        outcome = handlers.run_team_command(self.es, command, command_context(meta, command.occurred_at))
        return deployment_change_doc(outcome.events[0])

    @rpc
    def list_deployments(self, team_id: str, query: Json | None = None) -> Json:
        """Every deployment of the team, oldest first, with arrival and release."""
        self._team(team_id)
        return list_page(self.es.views, DEPLOYMENTS, f"{team_id}/", query)

    @rpc
    def team_timeline(self, team_id: str, query: Json | None = None) -> Json:
        """Everything recorded about the team, in the order it was recorded."""
        self._team(team_id)
        return list_page(self.es.views, TIMELINE, f"{team_id}/", query)

    # --- rosters and certificates ---------------------------------------------------------

    @rpc
    def add_member(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(AddMember, payload)
        outcome = handlers.run_roster_command(self.es, command, command_context(meta, command.occurred_at))
        return member_doc(outcome.events[0])

    @rpc
    def record_certificate(self, payload: Json, meta: Json | None = None) -> Json:
        """Record (or renew, under the same id) a member's certificate and its expiry date."""
        command = parse(RecordCertificate, payload)
        outcome = handlers.run_roster_command(self.es, command, command_context(meta, command.occurred_at))
        return certificate_doc(outcome.events[0])

    @rpc
    def remove_member(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RemoveMember, payload)
        outcome = handlers.run_roster_command(self.es, command, command_context(meta, command.occurred_at))
        event = outcome.events[0]
        return {**event.data, "removed_at": event.occurred_at.isoformat()}

    @rpc
    def list_members(self, team_id: str, query: Json | None = None) -> Json:
        self._team(team_id)
        return list_page(self.es.views, MEMBERS, f"{team_id}/", query)

    @rpc
    def expiring_certificates(self, query: Json | None = None) -> Json:
        """Current certificates that expired or expire within `within_days` (default 30), soonest first."""
        request: ExpiringQuery = parse_query(ExpiringQuery, query)
        today = self._today()
        cutoff = (today + timedelta(days=request.within_days)).isoformat()
        result = filtered_page(
            self.es.views, CERTIFICATES, "", request,
            lambda held: held["current"] and request.team_id in (None, held["team_id"]),
            certificate_key, until=lambda held: held["expires_on"] > cutoff,
        )
        return {**result, "items": [reads.certificate_entry(held, today) for held in result["items"]]}

    def _today(self) -> Any:
        """Certificates expire on calendar days in China."""
        return self.clock.now().astimezone(CHINA_STANDARD_TIME).date()

    # --- townships and information officers' duty posts ------------------------------------

    @rpc
    def register_township(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterTownship, payload)
        outcome = handlers.register_township(self.es, command, command_context(meta, command.occurred_at))
        return township_doc(outcome.events[0])

    @rpc
    def get_township(self, township_id: str) -> Json:
        return self.es.views.require(TOWNSHIPS, township_id, f"no township {township_id}", "township_id")

    @rpc
    def list_townships(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, TOWNSHIPS, "", query)

    @rpc
    def register_duty_post(self, payload: Json, meta: Json | None = None) -> Json:
        command = parse(RegisterDutyPost, payload)
        outcome = handlers.register_duty_post(self.es, command, command_context(meta, command.occurred_at))
        return duty_post_doc(outcome.events[0])

    @rpc
    def list_duty_posts(self, query: Json | None = None) -> Json:
        return list_page(self.es.views, POSTS, "", query)
