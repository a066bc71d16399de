"""What the teams RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`projections.py`) and command responses
(`service.py`); keep them in step when a document gains or loses a field (the
schemathesis test checks live answers against them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from .domain.teams import Equipment, ReadinessStatus, TeamType


class Readiness(BaseModel):
    """A team's latest readiness; `unknown` with nulls until its first report."""

    status: ReadinessStatus | Literal["unknown"]
    people_available: int | None
    equipment_notes: str | None
    note: str | None
    reported_at: datetime | None
    recorded_at: datetime | None
    reported_by: str | None


class ReadinessRecorded(Readiness):
    team_id: str


class Team(BaseModel):
    team_id: str
    name: str
    name_zh: str
    team_type: TeamType
    agency: str | None
    township: str | None
    units: int
    members: int | None
    equipment: list[Equipment]
    registered_at: datetime
    readiness: Readiness


class ReadinessLine(Readiness):
    """One line of the readiness board: who the team is and its latest readiness."""

    team_id: str
    name: str
    name_zh: str
    team_type: TeamType
    units: int
    members: int | None
