"""Fakes of the inventory and teams services as the dispatch calls them (`Effects.call`).

They keep the contracts the dispatch relies on: every command is idempotent by
`meta["command_id"]` (the same id answers the first answer again and changes nothing; a
refused command records nothing, so a retry is decided again), refusals are the kernel's
typed errors with the real codes, and reads answer in the real documents' shapes.
`crash_after` makes one method succeed and then raise as if the process died before the
answer came back, which is what a retry after a SIGKILL meets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from shared.errors import Conflict, NotFound

Json = dict[str, Any]
LINE_KEYS = ("warehouse_id", "item_id", "reservation_id", "quantity")


class Crashed(ConnectionError):
    """The answer never came back: the reactor must offer the event again."""


@dataclass
class FakeInventory:
    warehouses: dict[str, Json] = field(default_factory=dict)
    on_hand: Counter[tuple[str, str]] = field(default_factory=Counter)
    reservations: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    agreements: dict[str, Json] = field(default_factory=dict)
    call_offs: dict[str, Json] = field(default_factory=dict)
    issued: list[tuple[str, str, int]] = field(default_factory=list)

    def add_warehouse(self, warehouse_id: str, lat: float | None = None, lon: float | None = None) -> None:
        self.warehouses[warehouse_id] = {"warehouse_id": warehouse_id, "latitude": lat, "longitude": lon,
                                         "status": "open"}

    def items(self) -> set[str]:
        contracted = {item for agreement in self.agreements.values() for item in agreement["lines"]}
        return {item for _, item in self.on_hand} | contracted

    def available(self, warehouse_id: str, item_id: str) -> int:
        held = sum(q for w, i, q in self.reservations.values() if (w, i) == (warehouse_id, item_id))
        return self.on_hand[(warehouse_id, item_id)] - held

    def get_item_stock(self, item_id: str) -> Json:
        if item_id not in self.items():
            raise NotFound(f"no item {item_id}", field="item_id")
        by = {w: {"available": self.available(w, i), "on_hand": self.on_hand[(w, i)]}
              for (w, i) in self.on_hand if i == item_id}
        return {"item_id": item_id, "by_warehouse": by}

    def get_warehouse(self, warehouse_id: str) -> Json:
        return self.warehouses[warehouse_id]

    def on_site_within(self, query: Json) -> Json:
        lines = [{"item_id": item, "by_agreement": [
            {"agreement_id": a_id, "quantity": a["lines"][item] - self._called(a_id, item),
             "lead_time_hours": a["lead_time_hours"]}
            for a_id, a in sorted(self.agreements.items())
            if item in a["lines"] and a["lead_time_hours"] <= query["within_hours"]]}
            for item in sorted(self.items())]
        return {"items": lines, "next": None}

    def _called(self, agreement_id: str, item_id: str) -> int:
        return sum(c["quantity"] for c in self.call_offs.values()
                   if c["agreement_id"] == agreement_id and c["item_id"] == item_id and c["open"])

    def reserve_stock(self, payload: Json, meta: Json) -> Json:
        w, i, ref, quantity = (payload[key] for key in LINE_KEYS)
        if ref in self.reservations:
            raise Conflict(f"reservation {ref} already holds", field="reservation_id",
                           code="reservation_exists")
        if quantity > (available := self.available(w, i)):
            raise Conflict(f"only {available} {i} available in {w}", field="quantity",
                           code="insufficient_stock")
        self.reservations[ref] = (w, i, quantity)
        return {"warehouse_id": w, "item_id": i, "available": self.available(w, i)}

    def issue_stock(self, payload: Json, meta: Json) -> Json:
        w, i, ref, quantity = (payload[key] for key in LINE_KEYS)
        if ref not in self.reservations:
            raise NotFound(f"no open reservation {ref}", field="reservation_id")
        self.reservations.pop(ref)
        self.on_hand[(w, i)] -= quantity
        self.issued.append((w, i, quantity))
        return {"warehouse_id": w, "item_id": i, "on_hand": self.on_hand[(w, i)]}

    def get_stock_line(self, warehouse_id: str, item_id: str) -> Json:
        return {"warehouse_id": warehouse_id, "item_id": item_id,
                "reservations": {ref: {"quantity": q} for ref, (w, i, q) in self.reservations.items()
                                 if (w, i) == (warehouse_id, item_id)}}

    def list_call_offs(self, agreement_id: str, query: Json) -> Json:
        return {"items": [{"call_off_id": ref, **call} for ref, call in sorted(self.call_offs.items())
                          if call["agreement_id"] == agreement_id], "next": None}

    def release_reservation(self, payload: Json, meta: Json) -> Json:
        if self.reservations.pop(payload["reservation_id"], None) is None:
            raise NotFound(f"no open reservation {payload['reservation_id']}", field="reservation_id")
        return {"warehouse_id": payload["warehouse_id"], "item_id": payload["item_id"]}

    def request_call_off(self, payload: Json, meta: Json) -> Json:
        [line] = payload["lines"]
        agreement = self.agreements[payload["agreement_id"]]
        called = self._called(payload["agreement_id"], line["item_id"])
        left = agreement["lines"].get(line["item_id"], 0) - called
        if line["quantity"] > left:
            raise Conflict(f"only {left} can still be called off", field="lines.0.quantity",
                           code="insufficient_stock")
        self.call_offs[payload["call_off_id"]] = {"agreement_id": payload["agreement_id"], "open": True,
                                                  **line}
        return {"call_off_id": payload["call_off_id"], "status": "open"}

    def close_call_off(self, payload: Json, meta: Json) -> Json:
        call = self.call_offs.get(payload["call_off_id"])
        if call is None or not call["open"]:
            raise NotFound(f"no open call-off {payload['call_off_id']}", field="call_off_id")
        call["open"] = False
        return {"call_off_id": payload["call_off_id"], "status": "closed"}


@dataclass
class FakeTeams:
    teams: dict[str, Json] = field(default_factory=dict)
    townships: dict[str, Json] = field(default_factory=dict)
    deployments: list[Json] = field(default_factory=list)
    candidate_queries: list[Json] = field(default_factory=list)

    def add_team(self, team_id: str, people: int | None,
                 capabilities: tuple[str, ...] = ("flood_water_rescue",), distance_km: float | None = None,
                 status: str = "ready") -> None:
        self.teams[team_id] = {"team_id": team_id, "people_available": people, "capabilities": capabilities,
                               "distance_km": distance_km, "status": status, "deployment": None,
                               "deployments": 0}

    def get_township(self, township_id: str) -> Json:
        if township_id not in self.townships:
            raise NotFound(f"no township {township_id}", field="township_id")
        return self.townships[township_id]

    def list_townships(self, query: Json) -> Json:
        return {"items": list(self.townships.values()), "next": None}

    def get_readiness(self, team_id: str) -> Json:
        if team_id not in self.teams:
            raise NotFound(f"no team {team_id}", field="team_id")
        return self.teams[team_id]

    def candidate_teams(self, query: Json) -> Json:
        self.candidate_queries.append(query)
        found = [t for t in self.teams.values() if query["capability"] in t["capabilities"]
                 and t["status"] == "ready" and t["deployment"] is None and t["people_available"]]
        found.sort(key=lambda t: (t["distance_km"] is None, t["distance_km"] or 0.0, t["team_id"]))
        return {"items": found, "next": None}

    def deploy_team(self, payload: Json, meta: Json) -> Json:
        team = self.get_readiness(payload["team_id"])
        if team["deployment"] is not None:
            raise Conflict(f"team {payload['team_id']} is deployed to {team['deployment']}", field="team_id",
                           code="already_deployed")
        if team["status"] != "ready":
            raise Conflict(f"team {payload['team_id']} is {team['status']}", field="team_id",
                           code="team_not_available")
        people = payload.get("people")
        if people is not None and people > (team["people_available"] or 0):
            raise Conflict(f"only {team['people_available']} people available", field="people",
                           code="not_enough_people")
        team["deployments"] += 1
        team["deployment"] = payload["incident_id"]
        self.deployments.append({"team_id": team["team_id"], "deployment": team["deployments"],
                                 "incident_id": payload["incident_id"], "note": payload.get("note")})
        return {"team_id": team["team_id"], "incident_id": payload["incident_id"],
                "deployment": team["deployments"], "status": "deployed", "people": people}

    def list_deployments(self, team_id: str, query: Json) -> Json:
        return {"items": [d for d in self.deployments if d["team_id"] == team_id], "next": None}

    def release_team(self, payload: Json, meta: Json) -> Json:
        team = self.get_readiness(payload["team_id"])
        if team["deployment"] != payload["incident_id"]:
            raise Conflict(f"team {payload['team_id']} is not deployed to {payload['incident_id']}",
                           field="incident_id", code="not_deployed")
        team["deployment"] = None
        return {"team_id": team["team_id"], "status": payload["outcome"]}


@dataclass
class FakeDistrict:
    """Both services behind one `call(service, method, *args)`, idempotent by command id."""

    inventory: FakeInventory = field(default_factory=FakeInventory)
    teams: FakeTeams = field(default_factory=FakeTeams)
    answers: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    crash_after: set[str] = field(default_factory=set)
    down: bool = False
    #: called with the method's name after each command succeeds (e.g. to cancel mid-dispatch)
    after_command: Any = None

    def call(self, service: str, method: str, *args: Any) -> Any:
        if self.down:
            raise ConnectionError(f"{service} does not answer")
        self.calls.append((service, method))
        is_command = len(args) == 2 and isinstance(args[-1], dict) and "command_id" in args[-1]
        meta = args[-1] if is_command else None
        if meta is not None and meta["command_id"] in self.answers:
            return self.answers[meta["command_id"]]
        answer = getattr(getattr(self, service), method)(*args)
        if meta is not None:
            self.answers[meta["command_id"]] = answer
            if self.after_command is not None:
                self.after_command(method)
        if method in self.crash_after:
            self.crash_after.discard(method)
            raise Crashed(f"the process died before {method} answered")
        return answer

    def commands(self, method: str) -> int:
        """How many times `method` was called (retries included)."""
        return sum(1 for _, called in self.calls if called == method)
