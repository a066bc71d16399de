"""The objects the route examples act on, made through the API, and the bodies that make them.

A warehouse keeper keeps `warehouse`, a team leader leads `team`; `other_warehouse` and
`other_team` are outside their scope. Both warehouses hold stock of `item`, so issues,
reservations and transfers (either way) can run. Census imports, which receive in the
background, go to a warehouse of their own (`census_warehouse`), so that no test reading
the other two sees stock arrive while it looks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.api_client import Api

OPENING_STOCK = 10_000


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def expect(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass(frozen=True)
class Call:
    """One request: path values, a JSON body or a CSV body (`csv`), query parameters."""

    path_values: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    query: dict[str, Any] | None = None
    csv: str | None = None


@dataclass(frozen=True)
class World:
    admin: Api
    warehouse: str
    item: str
    team: str
    incident: str
    other_warehouse: str
    other_team: str
    township: str
    agreement: str
    transfer: str
    census_warehouse: str
    census: str

    @classmethod
    def create(cls, admin: Api) -> World:
        world = cls(admin, warehouse=unique("depot"), item=unique("rope"), team=unique("team"),
                    incident=unique("flood"), other_warehouse=unique("depot"), other_team=unique("team"),
                    township=unique("town"), agreement=unique("agreement"), transfer=unique("transfer"),
                    census_warehouse=unique("depot"), census="")
        world._stock_and_agreement()
        expect(admin.post("/townships", township_body(world.township)))
        for team in (world.team, world.other_team):
            expect(admin.post("/teams", team_body(team, world.township)))
        expect(admin.post("/incidents", incident_body(world.incident)))
        census = expect(admin.request("POST", "/stock/imports", data=world.census_csv().encode(),
                                      headers={"Content-Type": "text/csv"}), 202)
        return replace(world, census=census["import_id"])

    def _stock_and_agreement(self) -> None:
        for warehouse in (self.warehouse, self.other_warehouse, self.census_warehouse):
            expect(self.admin.post("/warehouses", warehouse_body(warehouse)))
        expect(self.admin.post("/items", item_body(self.item)))
        for warehouse in (self.warehouse, self.other_warehouse):
            expect(self.admin.post(f"/warehouses/{warehouse}/movements", {
                "kind": "receipt", "item_id": self.item, "quantity": OPENING_STOCK, "lot": "L1",
                "expires_on": (date.today() + timedelta(days=20)).isoformat()}))
        expect(self.admin.post(f"/warehouses/{self.warehouse}/stocktakes",
                               {"item_id": self.item, "counted": OPENING_STOCK}))
        transfer = transfer_body(self.transfer, self.warehouse, self.other_warehouse, self.item)
        expect(self.admin.post("/transfers", transfer))
        expect(self.admin.post("/agreements", agreement_body(self.agreement, self.item)))

    def census_csv(self) -> str:
        """A one-row census of `item` in `census_warehouse`: a new file (and import) every time."""
        return (f"warehouse_id,item_id,quantity,reference\n"
                f"{self.census_warehouse},{self.item},1,{unique('census')}\n")

    def line(self) -> dict[str, str]:
        return {"warehouse_id": self.warehouse, "item_id": self.item}

    def on_hand(self) -> int:
        line = expect(self.admin.get(f"/warehouses/{self.warehouse}/stock/{self.item}"), 200)
        return int(line["on_hand"])

    def receipt_version(self) -> int:
        """The line version of a new receipt of one unit in `warehouse`."""
        answer = expect(self.admin.post(f"/warehouses/{self.warehouse}/movements",
                                        {"kind": "receipt", "item_id": self.item, "quantity": 1}))
        return int(answer["events"][0]["version"])

    def reservation(self) -> str:
        body = reservation_body(self)
        expect(self.admin.post(f"/warehouses/{self.warehouse}/reservations", body))
        return str(body["reservation_id"])

    def inbound_transfer(self) -> str:
        """A transfer of one unit from `other_warehouse` to `warehouse`, in transit."""
        transfer = unique("transfer")
        expect(self.admin.post("/transfers", transfer_body(transfer, self.other_warehouse, self.warehouse,
                                                           self.item)))
        return transfer

    def call_off(self) -> str:
        call_off = unique("call-off")
        expect(self.admin.post(f"/agreements/{self.agreement}/call-offs", call_off_body(call_off, self.item)))
        return call_off

    def new_agreement(self) -> str:
        agreement = unique("agreement")
        expect(self.admin.post("/agreements", agreement_body(agreement, self.item)))
        return agreement

    def new_warehouse(self) -> str:
        warehouse = unique("depot")
        expect(self.admin.post("/warehouses", warehouse_body(warehouse)))
        return warehouse

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

    def new_incident(self, status: str = "reported") -> str:
        """A new incident taken through the lifecycle to `status` (reported … recovering)."""
        incident = unique("flood")
        expect(self.admin.post("/incidents", incident_body(incident)))
        for step, body in LIFECYCLE[:LIFECYCLE_STATUSES.index(status)]:
            expect(self.admin.post(f"/incidents/{incident}/{step}", body))
        return incident

    def raised_request(self) -> dict[str, str]:
        """A request raised on a new incident with a response active, not yet approved. It asks
        for an item no warehouse holds, so that approving it touches nobody's stock."""
        incident, request = self.new_incident("response_active"), unique("request")
        expect(self.admin.post(f"/incidents/{incident}/requests", request_body(request)))
        return {"incident_id": incident, "request_id": request}

    def new_site(self) -> str:
        site = unique("site")
        expect(self.admin.post("/sites", site_body(site)))
        return site

    def sheltering(self) -> tuple[str, str]:
        """A new site sheltering 10 evacuees of a new incident with a response active."""
        site, incident = self.new_site(), self.new_incident("response_active")
        expect(self.admin.post(f"/sites/{site}/admissions", {"incident_id": incident, "people": 10}))
        return site, incident

    def scope_of(self, role: str) -> dict[str, Any]:
        return {"warehouse_keeper": {"warehouses": (self.warehouse,)},
                "team_leader": {"teams": (self.team,)}}.get(role, {})

    def foreign(self, field_name: str) -> str:
        """An id for `field_name` outside the scoped roles' scope."""
        return self.other_team if "team" in field_name else self.other_warehouse


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def warehouse_body(warehouse_id: str) -> dict[str, Any]:
    return {"warehouse_id": warehouse_id, "name": "Depot", "name_zh": "物资库", "kind": "township",
            "latitude": 31.74, "longitude": 116.52, "keeper": "keeper on duty"}


def item_body(item_id: str) -> dict[str, Any]:
    return {"item_id": item_id, "name": "rescue rope", "name_zh": "救援绳", "unit": "coil",
            "category_code": "2999999", "inspection_interval_days": 1}


def transfer_body(transfer_id: str, source: str, destination: str, item: str) -> dict[str, Any]:
    return {"transfer_id": transfer_id, "warehouse_id": source, "to_warehouse_id": destination,
            "item_id": item, "quantity": 1}


def agreement_body(agreement_id: str, item: str) -> dict[str, Any]:
    return {"agreement_id": agreement_id, "company": "Test construction company",
            "company_zh": "测试建筑公司", "contract_reference": unique("contract"),
            "valid_from": "2024-01-01", "valid_until": "2099-12-31", "lead_time_hours": 4, "people": 40,
            "lines": [{"item_id": item, "quantity": 100_000}]}


def call_off_body(call_off_id: str, item: str) -> dict[str, Any]:
    return {"call_off_id": call_off_id, "lines": [{"item_id": item, "quantity": 1}],
            "destination": "Dongqiao"}


def reservation_body(world: World) -> dict[str, Any]:
    return {"item_id": world.item, "reservation_id": unique("reservation"), "quantity": 1,
            "incident_id": world.incident}


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


def incident_body(incident_id: str, township: str = "Dongqiao") -> dict[str, Any]:
    return {"incident_id": incident_id, "title": "Embankment seepage", "incident_type": "flood",
            "category": "natural_disaster", "township": township, "reported_by": "duty officer"}


#: The lifecycle steps from a report, and the status each leaves the incident in.
LIFECYCLE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("verification", {}), ("response", {"level": "IV", "basis": {"reason": "test"}}), ("containment", {}),
    ("recovery", {}))
LIFECYCLE_STATUSES = ("reported", "verified", "response_active", "contained", "recovering")


def request_body(request_id: str) -> dict[str, Any]:
    return {"request_id": request_id, "destination": "Dongqiao flood HQ", "priority": "urgent",
            "materials": [{"item_id": "never-stocked", "quantity": 5}]}


def site_body(site_id: str) -> dict[str, Any]:
    return {"site_id": site_id, "name": "Test school", "name_zh": "测试学校", "township": "Dongqiao",
            "capacity": 200}
