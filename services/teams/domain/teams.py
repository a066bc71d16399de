"""One rescue team's stream: its registration, readiness, equipment status and deployments.

All of a team's facts that a decision needs live in one stream, so deploying a team
checks its latest readiness and its current deployment under one optimistic-concurrency
version: two dispatchers racing to deploy it get exactly one deployment.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from shared.decider import Decider, Event
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.streams import stream_id as _stream_id

from .deployments import (
    DeployTeam,
    RecordArrival,
    ReleaseTeam,
    TeamArrived,
    TeamDeployed,
    TeamReleased,
)
from .readiness import (
    EquipmentStatusReported,
    ReadinessReported,
    ReadinessStatus,
    ReportEquipmentStatus,
    ReportReadiness,
)
from .registry import RegisterTeam, TeamRegistered

TeamCommand = (RegisterTeam | ReportReadiness | ReportEquipmentStatus | DeployTeam | RecordArrival
               | ReleaseTeam)
DEPLOYABLE: tuple[ReadinessStatus, ...] = ("ready", "partially_ready")


@dataclass(frozen=True)
class OnDeployment:
    number: int
    incident_id: str
    arrived: bool = False

    def describe(self) -> str:
        where = "on scene at" if self.arrived else "deployed to"
        return f"{where} incident {self.incident_id} (deployment {self.number})"


@dataclass(frozen=True)
class Team:
    registered: bool = False
    members: int | None = None
    #: Registered quantity per equipment item.
    items: dict[str, int] = field(default_factory=dict)
    status: ReadinessStatus | None = None
    people_available: int | None = None
    deployment: OnDeployment | None = None
    deployments: int = 0


def decide(command: TeamCommand, state: Team) -> list[Event]:
    if isinstance(command, RegisterTeam):
        return _register(command, state)
    if not state.registered:
        raise NotFound(f"no team {command.team_id}", field="team_id")
    if isinstance(command, ReportReadiness):
        return _report_readiness(command, state)
    if isinstance(command, ReportEquipmentStatus):
        return _report_equipment(command, state)
    if isinstance(command, DeployTeam):
        return _deploy(command, state)
    current = _current_deployment_for(command, state)
    if isinstance(command, RecordArrival):
        if current.arrived:
            raise Conflict(f"team {command.team_id} is already {current.describe()}",
                           field="incident_id", code="already_on_scene")
        return [TeamArrived(team_id=command.team_id, incident_id=command.incident_id,
                            deployment=current.number, note=command.note)]
    return [TeamReleased(team_id=command.team_id, incident_id=command.incident_id,
                         deployment=current.number, outcome=command.outcome, note=command.note)]


def _register(command: RegisterTeam, state: Team) -> list[Event]:
    if state.registered:
        raise Conflict(f"team {command.team_id} is already registered", field="team_id",
                       code="already_registered")
    return [TeamRegistered(**command.model_dump(exclude={"occurred_at"}))]


def _report_readiness(command: ReportReadiness, state: Team) -> list[Event]:
    if state.members is not None and command.people_available > state.members:
        raise InvalidCommand(
            f"{command.people_available} people available but the team has only "
            f"{state.members} members",
            field="people_available",
        )
    for index, line in enumerate(command.equipment_available or ()):
        where = f"equipment_available.{index}"
        _check_quantity(state, line.item_id, line.quantity, f"{where}.item_id", f"{where}.quantity")
    return [ReadinessReported(**command.model_dump(exclude={"occurred_at"}))]


def _report_equipment(command: ReportEquipmentStatus, state: Team) -> list[Event]:
    counts = command.counts()
    registered = _check_quantity(state, command.item_id, counts.total(), "item_id", "ready")
    if counts.total() != registered:
        raise InvalidCommand(
            f"ready, in use, maintenance and damaged add up to {counts.total()}, but the team "
            f"has {registered} of {command.item_id}",
            field="ready",
        )
    return [EquipmentStatusReported(team_id=command.team_id, item_id=command.item_id, counts=counts,
                                    quantity=registered, note=command.note)]


def _check_quantity(state: Team, item_id: str, quantity: int, item_field: str, quantity_field: str) -> int:
    """The item's registered quantity; a 400 when the team has no such item or fewer units."""
    registered = state.items.get(item_id)
    if registered is None:
        known = ", ".join(sorted(state.items)) or "none"
        raise InvalidCommand(f"the team has no item {item_id} (its items: {known})", field=item_field)
    if quantity > registered:
        raise InvalidCommand(f"{quantity} of {item_id} but the team has only {registered}",
                             field=quantity_field)
    return registered


def _deploy(command: DeployTeam, state: Team) -> list[Event]:
    if state.deployment is not None:
        raise Conflict(f"team {command.team_id} is already {state.deployment.describe()}",
                       field="team_id", code="already_deployed")
    if state.status not in DEPLOYABLE:
        said = f"its latest readiness is {state.status}" if state.status else "it has not reported readiness"
        raise Conflict(f"team {command.team_id} cannot be deployed: {said}", field="team_id",
                       code="team_not_available")
    available = state.people_available or 0
    if command.people is not None and command.people > available:
        raise Conflict(f"{command.people} people asked but team {command.team_id} reported only "
                       f"{available} available", field="people", code="not_enough_people")
    return [TeamDeployed(team_id=command.team_id, incident_id=command.incident_id,
                         deployment=state.deployments + 1, people=command.people, note=command.note)]


def _current_deployment_for(command: RecordArrival | ReleaseTeam, state: Team) -> OnDeployment:
    current = state.deployment
    if current is None:
        raise Conflict(f"team {command.team_id} is not deployed", field="incident_id",
                       code="not_deployed")
    if current.incident_id != command.incident_id:
        raise Conflict(f"team {command.team_id} is {current.describe()}, not to incident "
                       f"{command.incident_id}", field="incident_id", code="deployed_elsewhere")
    return current


def evolve(state: Team, event: Event) -> Team:
    if isinstance(event, TeamRegistered):
        return Team(registered=True, members=event.members,
                    items={line.item_id: line.quantity for line in event.equipment})
    if isinstance(event, ReadinessReported):
        return replace(state, status=event.status, people_available=event.people_available)
    if isinstance(event, TeamDeployed):
        return replace(state, deployment=OnDeployment(event.deployment, event.incident_id),
                       deployments=event.deployment)
    if isinstance(event, TeamArrived) and state.deployment is not None:
        return replace(state, deployment=replace(state.deployment, arrived=True))
    if isinstance(event, TeamReleased):
        return replace(state, deployment=None)
    return state


def stream_id(team_id: str) -> str:
    return _stream_id("team", team_id)


EVENT_TYPES: tuple[type[Event], ...] = (
    TeamRegistered, ReadinessReported, EquipmentStatusReported, TeamDeployed, TeamArrived, TeamReleased,
)
teams = Decider[TeamCommand, Team](decide, evolve, Team(), EVENT_TYPES, state_version=2)
