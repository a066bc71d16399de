"""Every incidents RPC's real answer fits the model the gateway publishes for it (no field more,
none less), across an incident's whole life."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.incidents import schemas
from tests.unit.incidents_world import COMMANDER, INCIDENT, World, flood


def fits(model: type[BaseModel], answer: Any) -> None:
    model.model_validate(answer)


def test_every_answer_fits_its_model_from_report_to_closure() -> None:
    world = World()
    fits(schemas.Reported, world.service.report_incident(flood(), {"actor": "officer"}))
    fits(schemas.IncidentAnswer, world.service.verify_incident({"incident_id": INCIDENT}, COMMANDER))
    world.service.activate_response({"incident_id": INCIDENT, "level": "III", "basis": {"deaths": 1}})
    fits(schemas.SiteAnswer, world.service.register_site({"site_id": "school", "name": "School",
                                                          "township": "sanshipu", "capacity": 300}))
    world.service.admit_evacuees({"site_id": "school", "incident_id": INCIDENT, "people": 120})
    fits(schemas.RequestAnswer, world.service.raise_request({
        "incident_id": INCIDENT, "request_id": "r1", "destination": "HQ",
        "materials": [{"item_id": "rubber-boats", "quantity": 40}, {"item_id": "nothing", "quantity": 1}],
        "teams": [{"team_id": "longma-sanitation-rescue"},
                  {"capability": "flood_water_rescue", "people": 200}]}))
    fits(schemas.RequestAnswer, world.service.approve_request({"incident_id": INCIDENT, "request_id": "r1"}))
    world.settle()
    fits(schemas.RequestAnswer, world.service.pledge_materials({
        "incident_id": INCIDENT, "request_id": "r1", "pledge_id": "p1", "pledged_by": "Yu'an District",
        "kind": "neighbouring_district", "lines": [{"item_id": "rubber-boats", "quantity": 8}]}))
    world.service.record_relief({"incident_id": INCIDENT, "people": 120, "provided": "meals"})
    for step in ("declare_contained", "begin_recovery"):
        getattr(world.service, step)({"incident_id": INCIDENT})
    world.service.cancel_request({"incident_id": INCIDENT, "request_id": "r1", "reason": "done"})
    world.settle()
    world.service.close_incident({"incident_id": INCIDENT})
    world.service.report_incident(flood(incident_id="false-alarm"))
    world.service.dismiss_incident({"incident_id": "false-alarm", "reason": "duplicate"})
    world.settle()

    view = world.service.get_incident(INCIDENT)
    fits(schemas.IncidentView, view)
    assert view["summary"] is not None and view["requests"][0]["shortfalls"]  # the answers were not thin
    fits(schemas.IncidentView, world.service.get_incident("false-alarm"))
    for listed in world.service.list_incidents()["items"]:
        fits(schemas.IncidentNow, listed)
    fits(schemas.OpenIncidents, world.service.open_incidents())
    fits(schemas.Statistics, world.service.incident_statistics({"from": "2000-01-01T00:00:00"}))
    for entry in world.service.incident_timeline(INCIDENT)["items"]:
        fits(schemas.TimelineEntry, entry)
    fits(schemas.Request, world.service.get_request(INCIDENT, "r1"))
    fits(schemas.Site, world.service.get_site("school"))
