"""The dispatch of an approved request, as the process manager records it on the request's stream.

Internal commands: the dispatch process manager (`services/incidents/dispatch/`) builds them,
no client sends them. First the plan: which warehouse gives how much of each line (nearest
first), what agreement reserves are called off, which teams go, and what cannot be covered.
Then one outcome per step (stock reserved, issued, called off, a team deployed, or the other
service's refusal), and the completion: fulfilled, partly fulfilled with what is missing, or
failed with the reasons. Undoing (a cancelled request, a dismissed or closed incident)
records each release, stand-down and closed call-off the same way.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from shared.decider import Command, Event
from shared.ids import Slug

from .kinds import Value

Step = Literal["reserve", "issue", "call_off", "deploy"]
Outcome = Literal["fulfilled", "partly_fulfilled", "failed"]
TeamEnd = Literal["stood_down", "released"]


def step_ref(kind: str, incident_id: str, request_id: str, *keys: str) -> str:
    """A stable id for what a step creates elsewhere (a reservation, a call-off): a slug the
    other service accepts, the same on every retry, different for every line and source."""
    digest = hashlib.sha256("\x1f".join((incident_id, request_id, *keys)).encode()).hexdigest()
    return f"{kind}-{digest[:24]}"


class Source(Value):
    """Stock to take from one warehouse for one line, under reservation `ref`."""

    ref: str
    line: str
    item_id: str
    warehouse_id: str
    quantity: int
    distance_km: float | None


class CallOff(Value):
    """Stock or equipment to call off from an agreement reserve, under call-off `ref`."""

    ref: str
    line: str
    item_id: str
    agreement_id: str
    quantity: int
    lead_time_hours: int


class Assignment(Value):
    """A team to deploy for one line; `people` None: the team as it is."""

    line: str
    team_id: str
    people: int | None
    distance_km: float | None = None


class Shortfall(Value):
    """What the plan could not cover for a line, and why."""

    line: str
    missing: int
    reason: str


class Refusal(Value):
    code: str
    reason: str


class PlanDispatch(Command):
    incident_id: Slug
    request_id: Slug
    sources: tuple[Source, ...] = ()
    call_offs: tuple[CallOff, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()


class RecordStep(Command):
    """One step's outcome: `ref` is the reservation, call-off or team; `refused` when the other
    service said no. A deployment says which deployment of the team it is, and how many went."""

    incident_id: Slug
    request_id: Slug
    step: Step
    ref: str
    refused: Refusal | None = None
    deployment: int | None = None
    people: int | None = None


class RecordUndo(Command):
    """A reservation released, a call-off closed or a team stood down or released (`ref`);
    `refused` when there was nothing to undo (already released, never deployed…)."""

    incident_id: Slug
    request_id: Slug
    step: Literal["release", "close_call_off", "stand_down", "release_team"]
    ref: str
    refused: Refusal | None = None


class CompleteDispatch(Command):
    incident_id: Slug
    request_id: Slug


class DispatchPlanned(Event):
    """A dispatch was planned for a request: which warehouses, agreements and teams, and any shortfall."""

    meaning_zh = "为需求制定调派方案：调用的仓库、协议储备和队伍，以及缺口。"

    incident_id: str
    request_id: str
    sources: tuple[Source, ...]
    call_offs: tuple[CallOff, ...]
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]


class MaterialsReserved(Event):
    """Stock was reserved in a warehouse for a line of a request (a dispatch step)."""

    meaning_zh = "调派步骤：在仓库为需求项预留物资。"

    incident_id: str
    request_id: str
    line: str
    ref: str
    warehouse_id: str
    item_id: str
    quantity: int


class MaterialsIssued(Event):
    """Stock was issued from a warehouse for a line of a request (a dispatch step)."""

    meaning_zh = "调派步骤：从仓库为需求项发放物资。"

    incident_id: str
    request_id: str
    line: str
    ref: str
    warehouse_id: str
    item_id: str
    quantity: int


class MaterialsCalledOff(Event):
    """Contracted materials were called off an agreement for a line of a request (a dispatch step)."""

    meaning_zh = "调派步骤：向协议企业调用需求项物资。"

    incident_id: str
    request_id: str
    line: str
    ref: str
    agreement_id: str
    item_id: str
    quantity: int
    lead_time_hours: int


class TeamDispatched(Event):
    """A team was deployed for a line of a request (a dispatch step)."""

    meaning_zh = "调派步骤：为需求项调派救援队伍。"

    incident_id: str
    request_id: str
    line: str
    team_id: str
    people: int | None
    deployment: int | None


class DispatchStepRefused(Event):
    """A dispatch step was refused by the service that owns it, with its code and reason."""

    meaning_zh = "调派步骤被相关服务拒绝，含错误代码和原因。"

    incident_id: str
    request_id: str
    step: Step
    line: str
    ref: str
    code: str
    reason: str


class ReservationReleased(Event):
    """A reservation made for a request was released, undoing its dispatch."""

    meaning_zh = "撤回调派：释放为需求预留的物资。"

    incident_id: str
    request_id: str
    ref: str
    warehouse_id: str
    item_id: str
    #: False when inventory had nothing to release (e.g. the reservation was never made).
    released: bool
    detail: str | None


class CallOffClosed(Event):
    """A call-off made for a request was closed, undoing its dispatch."""

    meaning_zh = "撤回调派：关闭为需求发出的调用单。"

    incident_id: str
    request_id: str
    ref: str
    agreement_id: str
    closed: bool
    detail: str | None


class TeamStoodDown(Event):
    """A team dispatched for a request was released or stood down, undoing its dispatch."""

    meaning_zh = "撤回调派：为需求调派的队伍撤离或取消调派。"

    incident_id: str
    request_id: str
    team_id: str
    outcome: TeamEnd
    #: False when the team was no longer deployed here (its leader had released it already).
    done: bool
    detail: str | None


class LineResult(Value):
    """What a line got: items issued or called off, or people deployed (`unit`). A named team
    asked for whole has no quantity asked: it is fulfilled when the team went."""

    line: str
    unit: Literal["items", "people"]
    asked: int | None
    approved: int | None
    delivered: int
    missing: int
    fulfilled: bool
    reasons: tuple[str, ...]


class DispatchCompleted(Event):
    """A request's dispatch finished, with the result of each line."""

    meaning_zh = "需求调派完成，含各项结果。"

    incident_id: str
    request_id: str
    outcome: Outcome
    lines: tuple[LineResult, ...]
