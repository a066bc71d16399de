"""A request that should succeed for every route of the table, for the tests generated from it.

A new route needs an entry here, or the role-matrix test fails: that is how a row
without a working example (and so without a tested rule) cannot slip in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.api_client import Api


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class World:
    """Objects the examples act on; a keeper keeps `warehouse`, a leader leads `team`."""

    admin: Api
    warehouse: str
    item: str
    team: str
    incident: str
    other_warehouse: str
    other_team: str
    township: str

    @classmethod
    def create(cls, admin: Api) -> World:
        world = cls(admin, unique("depot"), unique("rope"), unique("team"), unique("flood"),
                    unique("depot"), unique("team"), unique("town"))
        for warehouse in (world.warehouse, world.other_warehouse):
            expect(admin.post("/warehouses", {"warehouse_id": warehouse, "name": "Depot", "name_zh": "物资库",
                                              "kind": "township"}))
        expect(admin.post("/items", item_body(world.item)))
        expect(admin.post("/townships", township_body(world.township)))
        for team in (world.team, world.other_team):
            expect(admin.post("/teams", team_body(team, world.township)))
        expect(admin.post("/incidents", incident_body(world.incident)))
        return world

    def ready_team(self, team: str | None = None) -> str:
        """A team that reported ready and is not deployed: `team` (released first), or a new one."""
        if team is None:
            team = unique("team")
            expect(self.admin.post("/teams", team_body(team, self.township)))
        self.admin.post(f"/teams/{team}/release", {"incident_id": self.incident})  # 409 when not deployed
        expect(self.admin.post(f"/teams/{team}/readiness", {"status": "ready", "people_available": 18}))
        return team

    def deployed_team(self, team: str | None = None) -> str:
        """A team deployed to the world's incident and not yet on scene."""
        team = self.ready_team(team)
        expect(self.admin.post(f"/teams/{team}/deployments", {"incident_id": self.incident}))
        return team

    def member(self) -> str:
        """A new member on the roster of `team`."""
        member = unique("member")
        expect(self.admin.post(f"/teams/{self.team}/members", member_body(member)))
        return member

    def scope_of(self, role: str) -> dict[str, Any]:
        return {"warehouse_keeper": {"warehouses": (self.warehouse,)},
                "team_leader": {"teams": (self.team,)}}.get(role, {})

    def foreign(self, field_name: str) -> str:
        """An id for `field_name` outside the scoped roles' scope."""
        return self.other_team if "team" in field_name else self.other_warehouse


def expect(response: Any) -> None:
    assert response.status_code == 201, response.text


def item_body(item_id: str) -> dict[str, Any]:
    return {"item_id": item_id, "name": "rescue rope", "name_zh": "救援绳", "unit": "coil",
            "category_code": "2999999"}


def team_body(team_id: str, township: str | None = None) -> dict[str, Any]:
    return {"team_id": team_id, "name": "Test flood team", "name_zh": "测试防汛队", "team_type": "township",
            "capabilities": ["flood_water_rescue"], "township": township, "members": 20,
            "equipment": [{"item_id": "pump", "name": "portable pump", "name_zh": "移动泵", "quantity": 2}]}


def township_body(township_id: str) -> dict[str, Any]:
    return {"township_id": township_id, "name": "Test town", "name_zh": "测试镇", "kind": "town",
            "location": {"lat": 31.7, "lon": 116.5}}


def member_body(member_id: str) -> dict[str, Any]:
    return {"member_id": member_id, "name": "Zhang Wei", "role": "boat operator", "special_operations": True}


def duty_post_body(post_id: str) -> dict[str, Any]:
    return {"post_id": post_id, "name": "Test town officers", "levels": ["township"],
            "contacts": {"a": {"post": "duty post A"}, "b": {"post": "duty post B"}}}


def incident_body(incident_id: str) -> dict[str, Any]:
    return {"incident_id": incident_id, "title": "Embankment seepage", "incident_type": "flood",
            "category": "natural_disaster", "township": "Dongqiao", "reported_by": "duty officer"}


@dataclass(frozen=True)
class Call:
    path_values: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    query: dict[str, Any] | None = None


EXAMPLES: dict[str, Callable[[World], Call]] = {
    "list_items": lambda w: Call(query={"limit": 5}),
    "register_item": lambda w: Call(body=item_body(unique("item"))),
    "get_item": lambda w: Call({"item_id": w.item}),
    "list_warehouses": lambda w: Call(),
    "register_warehouse": lambda w: Call(body={"warehouse_id": unique("depot"), "name": "New depot",
                                               "name_zh": "新物资库", "kind": "township"}),
    "get_warehouse": lambda w: Call({"warehouse_id": w.warehouse}),
    "get_stock": lambda w: Call({"warehouse_id": w.warehouse}),
    "list_movements": lambda w: Call({"warehouse_id": w.warehouse}),
    "record_movement": lambda w: Call({"warehouse_id": w.warehouse},
                                      {"kind": "receipt", "item_id": w.item, "quantity": 1}),
    "list_teams": lambda w: Call(),
    "register_team": lambda w: Call(body=team_body(unique("team"))),
    "get_team": lambda w: Call({"team_id": w.team}),
    "get_readiness": lambda w: Call({"team_id": w.team}),
    "report_readiness": lambda w: Call({"team_id": w.team}, {"status": "ready", "people_available": 18}),
    "report_equipment_status": lambda w: Call({"team_id": w.team}, {"item_id": "pump", "ready": 1,
                                                                    "maintenance": 1}),
    "list_deployments": lambda w: Call({"team_id": w.team}),
    "deploy_team": lambda w: Call({"team_id": w.ready_team()}, {"incident_id": w.incident}),
    "record_arrival": lambda w: Call({"team_id": w.deployed_team(w.team)}, {"incident_id": w.incident}),
    "release_team": lambda w: Call({"team_id": w.deployed_team()}, {"incident_id": w.incident}),
    "team_timeline": lambda w: Call({"team_id": w.team}),
    "list_members": lambda w: Call({"team_id": w.team}),
    "add_member": lambda w: Call({"team_id": w.team}, member_body(unique("member"))),
    "remove_member": lambda w: Call({"team_id": w.team, "member_id": w.member()},
                                    {"reason": unique("moved")}),
    "record_certificate": lambda w: Call({"team_id": w.team, "member_id": w.member()}, {
        "certificate_id": "boat-licence", "kind": "boat licence", "number": unique("no"),
        "expires_on": "2027-06-30"}),
    "expiring_certificates": lambda w: Call(query={"within_days": 3650}),
    "readiness_board": lambda w: Call(query={"capability": "flood_water_rescue"}),
    "capacity": lambda w: Call(),
    "candidate_teams": lambda w: Call(query={"capability": "flood_water_rescue", "township": w.township}),
    "list_townships": lambda w: Call(),
    "register_township": lambda w: Call(body=township_body(unique("town"))),
    "get_township": lambda w: Call({"township_id": w.township}),
    "list_duty_posts": lambda w: Call(),
    "register_duty_post": lambda w: Call(body=duty_post_body(unique("post"))),
    "list_incidents": lambda w: Call(),
    "report_incident": lambda w: Call(body=incident_body(unique("flood"))),
    "get_incident": lambda w: Call({"incident_id": w.incident}),
    "whoami": lambda w: Call(),
    "feed": lambda w: Call({"service": "inventory"}, query={"after": 0, "limit": 5}),
    "overview": lambda w: Call(),
    "district_stock": lambda w: Call(query={"limit": 5}),
    "item_stock": lambda w: Call({"item_id": w.item}),
    "picture": lambda w: Call(),
}
