"""What the incidents RPCs answer, as pydantic models: the gateway's OpenAPI document uses them.

They describe the read-model documents (`projections.py`) and command responses
(`service.py`); keep them in step when a document gains or loses a field (the
schemathesis test checks live answers against them).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from .domain.grading import Category, Grade
from .domain.incidents import IncidentStatus, IncidentType


class TimelineEntry(BaseModel):
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str


class Incident(BaseModel):
    incident_id: str
    title: str
    incident_type: IncidentType
    category: Category
    township: str
    location: str | None
    description: str | None
    reported_by: str
    deaths: int
    injured: int
    seriously_injured: int | None
    missing: int
    affected_people: int
    direct_loss_yuan: float | None
    suggested_grade: Grade | None
    grade_basis: str
    status: IncidentStatus
    reported_at: datetime
    recorded_at: datetime
    timeline: list[TimelineEntry]
