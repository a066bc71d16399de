from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from services.incidents import handlers
from services.incidents.domain.incidents import ReportIncident
from services.incidents.projections import INCIDENTS, PROJECTIONS
from shared.application import Application, CommandContext
from shared.decider import parse
from shared.testing import in_memory_application

HAPPENED_AT = datetime(2024, 7, 2, 3, 15, tzinfo=UTC)


@pytest.fixture
def app() -> Application:
    return in_memory_application(PROJECTIONS)


def report(app: Application, **overrides: Any) -> None:
    command = parse(ReportIncident, {
        "incident_id": "dongqiao-gas-leak", "title": "Gas leak at a restaurant",
        "incident_type": "gas", "category": "accident", "township": "Dongqiao",
        "reported_by": "township duty officer", "injured": 4, **overrides,
    })
    handlers.report_incident(app, command, CommandContext(
        command_id=str(uuid.uuid4()), actor="operator-chen", occurred_at=HAPPENED_AT))


def test_a_reported_incident_is_readable_with_its_status_grade_and_timeline(app: Application) -> None:
    report(app)
    doc = app.views.get(INCIDENTS, "dongqiao-gas-leak")
    assert doc is not None
    recorded_at = doc.pop("recorded_at")
    assert datetime.fromisoformat(recorded_at) >= HAPPENED_AT
    assert doc == {
        "incident_id": "dongqiao-gas-leak", "title": "Gas leak at a restaurant",
        "incident_type": "gas", "category": "accident", "township": "Dongqiao", "location": None,
        "description": None, "reported_by": "township duty officer", "deaths": 0, "injured": 4,
        "seriously_injured": None, "missing": 0, "affected_people": 0, "direct_loss_yuan": None,
        "suggested_grade": "IV",
        "grade_basis": "Decree 493 grade IV: below every grade III threshold "
                       "(3 deaths, 10 seriously injured, 10,000,000 yuan)",
        "status": "reported", "reported_at": HAPPENED_AT.isoformat(),
        "timeline": [{"type": "IncidentReported", "occurred_at": HAPPENED_AT.isoformat(),
                      "recorded_at": recorded_at, "actor": "operator-chen"}],
    }


def test_incidents_are_listed_by_id(app: Application) -> None:
    report(app)
    report(app, incident_id="anbei-flood-2024", title="Pi River flood", incident_type="flood",
           category="natural_disaster")
    assert [doc["incident_id"] for doc in app.views.list(INCIDENTS)] == [
        "anbei-flood-2024", "dongqiao-gas-leak"]


def test_the_read_model_equals_a_rebuild_from_the_log(app: Application) -> None:
    report(app)
    report(app, incident_id="second-incident")
    assert app.runner.verify().ok
