"""Sending a team to an incident: deployed, arrived on scene, released or stood down.

The contract the incidents service's dispatch relies on: a team is deployed to one
incident at a time, only when its latest readiness is ready or partially ready; each
deployment of a team has a number (1, 2, …) so "deployment 3 of team X" names it.
Arrival and release name the incident, so a late or misdirected call is refused
instead of ending someone else's deployment.
"""

from __future__ import annotations

from typing import Literal

from shared.decider import Command, Event
from shared.ids import Note, PositiveCount, Slug
from shared.timestamps import Timestamp

ReleaseOutcome = Literal["released", "stood_down"]


class DeployTeam(Command):
    team_id: Slug
    incident_id: Slug
    #: How many people go; at most the people available in the latest report. None: the team.
    people: PositiveCount | None = None
    note: Note | None = None
    occurred_at: Timestamp | None = None


class RecordArrival(Command):
    team_id: Slug
    incident_id: Slug
    note: Note | None = None
    occurred_at: Timestamp | None = None


class ReleaseTeam(Command):
    team_id: Slug
    incident_id: Slug
    #: `released`: the work is done; `stood_down`: called off before or without the work.
    outcome: ReleaseOutcome = "released"
    note: Note | None = None
    occurred_at: Timestamp | None = None


class TeamDeployed(Event):
    """A rescue team was deployed to an incident."""

    meaning_zh = "救援队伍调派至突发事件。"

    team_id: str
    incident_id: str
    deployment: int
    people: int | None
    note: str | None


class TeamArrived(Event):
    """A deployed team arrived on scene."""

    meaning_zh = "调派的队伍到达现场。"

    team_id: str
    incident_id: str
    deployment: int
    note: str | None


class TeamReleased(Event):
    """A deployed team was released when its work was done, or stood down without it."""

    meaning_zh = "调派的队伍完成任务后撤离，或未执行任务即取消调派。"

    team_id: str
    incident_id: str
    deployment: int
    outcome: ReleaseOutcome
    note: str | None
