"""The incidents service on the in-memory store with its dispatch reactor, over fake inventory and
teams services: a small district with a live flood to dispatch to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.testing.services import worker_factory

from services.incidents.dispatch import REACTIONS
from services.incidents.projections import PROJECTIONS
from services.incidents.service import IncidentsService
from services.incidents.upcasters import UPCASTERS
from shared.application import Application
from shared.clock import FixedClock
from shared.reactors import ReactorRunner
from shared.testing import in_memory_application
from tests.unit.incidents_fakes import FakeDistrict

INCIDENT = "pi-river-flood"
#: A flood an hour ago (the store refuses times in the future, so tests live in the present).
OCCURRED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
COMMANDER = {"actor": "commander-li"}


def flood(**overrides: Any) -> dict[str, Any]:
    return {"incident_id": INCIDENT, "title": "Pi river embankment breach", "incident_type": "flood",
            "category": "natural_disaster", "township": "sanshipu", "reported_by": "officer Zhou",
            "affected_people": 1200, "occurred_at": OCCURRED.isoformat(), **overrides}


def district() -> FakeDistrict:
    """Two warehouses with coordinates (near and far from Sanshipu) and one without; three teams."""
    world = FakeDistrict()
    inventory = world.inventory
    inventory.add_warehouse("sanshipu-depot", 31.71, 116.51)
    inventory.add_warehouse("jinan-flood-reserve", 31.77, 116.52)
    inventory.add_warehouse("unplaced-store")
    inventory.on_hand.update({("sanshipu-depot", "woven-sandbags"): 8000,
                              ("jinan-flood-reserve", "woven-sandbags"): 290000,
                              ("unplaced-store", "woven-sandbags"): 50000,
                              ("jinan-flood-reserve", "rubber-boats"): 32,
                              ("jinan-flood-reserve", "life-jackets"): 2253})
    world.teams.townships["sanshipu"] = {"township_id": "sanshipu", "name": "Sanshipu town",
                                         "name_zh": "三十铺镇", "location": {"lat": 31.70, "lon": 116.50}}
    world.teams.add_team("longma-sanitation-rescue", 18, ("flood_water_rescue", "drainage"), distance_km=9.0)
    world.teams.add_team("blue-sky-rescue", 25, distance_km=4.0)
    world.teams.add_team("militia-reserve", 60, distance_km=15.0)
    return world


@dataclass
class World:
    app: Application = field(default_factory=lambda: in_memory_application(PROJECTIONS, UPCASTERS))
    district: FakeDistrict = field(default_factory=district)
    clock: FixedClock = field(default_factory=lambda: FixedClock(OCCURRED + timedelta(hours=1)))

    def __post_init__(self) -> None:
        self.service: Any = worker_factory(IncidentsService, es=self.app, clock=self.clock)
        self.runner = ReactorRunner(self.app, REACTIONS, self.district.call)

    def settle(self) -> int:
        """Offer every committed event (and those the reactions commit) until none is left."""
        handled = 0
        for _ in range(50):
            if (step := self.runner.run_once()) == 0:
                return handled
            handled += step
        raise AssertionError("the reactor never settled")

    def live_flood(self, **overrides: Any) -> None:
        self.service.report_incident(flood(**overrides), {"actor": "officer-zhou"})
        self.service.verify_incident({"incident_id": INCIDENT}, COMMANDER)
        self.service.activate_response({"incident_id": INCIDENT, "level": "III",
                                        "basis": {"people_relocated": 800}}, COMMANDER)

    def request(self, request_id: str = "r1", approve: bool = True, **overrides: Any) -> None:
        body = {"incident_id": INCIDENT, "request_id": request_id, "destination": "Sanshipu flood HQ",
                "materials": [{"item_id": "woven-sandbags", "quantity": 20000},
                              {"item_id": "rubber-boats", "quantity": 4},
                              {"item_id": "life-jackets", "quantity": 40}],
                "teams": [{"team_id": "longma-sanitation-rescue"},
                          {"capability": "flood_water_rescue", "people": 30}], **overrides}
        self.service.raise_request(body, COMMANDER)
        if approve:
            self.service.approve_request({"incident_id": INCIDENT, "request_id": request_id},
                                         {"actor": "director-wang"})

    def get_request(self, request_id: str = "r1") -> dict[str, Any]:
        return self.service.get_request(INCIDENT, request_id)  # type: ignore[no-any-return]

    def line(self, line: str, request_id: str = "r1") -> dict[str, Any]:
        doc = self.get_request(request_id)
        return next(entry for entry in (*doc["materials"], *doc["teams"]) if entry["line"] == line)

    def events(self, request_id: str = "r1") -> list[str]:
        return [e.type for e in self.app.store.read_stream(f"request:{INCIDENT}:{request_id}")]
