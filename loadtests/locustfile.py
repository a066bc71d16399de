"""A flood day's peak at the district command platform, as locust users over HTTP.

    ANBEI_TOKEN=anb.… locust -f loadtests/locustfile.py --headless -u 120 -r 10 -t 2m \
        --host http://127.0.0.1:8000

Runs against a platform loaded with the district's seed (`./scripts/run` loads it), so the
warehouses, stock lines and teams below exist. Every user sends a bearer token: `ANBEI_TOKEN`
for all of them (the admin token `./scripts/run` prints passes every role rule), or one per
role, issued with `python -m services.gateway tokens issue`:
`ANBEI_KEEPER_TOKEN` (warehouse_keeper of both seeded warehouses), `ANBEI_LEADER_TOKEN`
(team_leader of the seeded teams), `ANBEI_COMMANDER_TOKEN`, `ANBEI_OBSERVER_TOKEN` (the
dashboard and the feed). Every write carries a fresh `Idempotency-Key`.

Who and how many (the district's 14th Five-Year plan, as the seed in services/seed/ records it):

- **Warehouse keepers**, weight 24: the 2 district warehouses and the 22 township depots the plan
  has every township build, one keeper each on shift. At a flood's peak a keeper loading trucks
  records a movement every 20-60 s: receipts (sandbag deliveries), issues to the embankments,
  transfers out to a depot and their receipt at the other end.
- **Team leaders**, weight 70: the seeded forces count 70 units (22 township flood teams with
  their 1,262 members, 16 semi-professional and 19 mass forest-fire teams, 8 contracted companies
  and 5 single teams); each unit's leader reports who is ready (人员/装备在岗) every 1-3 minutes
  during the peak, and reads the team's page now and then.
- **Commanders**, fixed 2: the 24-hour duty desk of the command centre on a flood day. Each runs
  incident flows back to back: a first report phoned in by one of the 354 information officers
  (at the peak perhaps a tenth of them report within the hour: one report every ~100 s for the
  desk), verification, a level III response, a request for sandbags and life jackets, its
  approval, waiting for the dispatch to be fulfilled, relief, containment, recovery, closure.
  5-15 s pass between steps (a phone call, a decision).
- **Dashboards**, fixed 3: the command centre's wall screen, the duty desk and the bureau
  leader's office, each polling `/overview` every 15 s (the dashboard's own refresh timer).
- **External systems**, fixed 3: the provincial emergency information platform, a neighbouring
  district and the early-warning broadcast system, each following one service's event feed
  (`/feed/<service>?after=`) every 5 s.

Keepers and leaders scale with `-u`; the command centre and the external systems do not (they
are the same few desks and systems whatever the flood). Those 8 start first and locust hands
the rest out by weight (a leader, then a keeper, then leaders), so every class runs from `-u 10`.
`ANBEI_SPEEDUP` (default 1) divides every think time: 10 plays ten minutes of
the peak in one.

Outcome rules: a 2xx is a success; a 409 from a movement or a transfer is the domain saying no
(stock taken by another keeper first) and is counted as a success under its own name `… (409 refused)`;
anything else, above all any 5xx, is a failure, so locust exits 1 (its rule: any failure).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

API = "/api/v1"
SPEEDUP = float(os.environ.get("ANBEI_SPEEDUP", "1"))
RESERVE, FOREST = "jinan-flood-reserve", "jinan-forest-fire-depot"
#: the seeded stock lines keepers move: big enough that a flood day never empties them
LINES = [(RESERVE, "woven-sandbags", 50, 500), (RESERVE, "life-jackets", 1, 20)]
#: the seeded teams, with how many people each can report ready (members, or a modest guess)
TEAMS = {"longma-sanitation-rescue": 18, "township-flood-teams": 1262, "forest-fire-professional": 23,
         "forest-fire-semi-professional": 362, "mass-forest-fire-teams": 174,
         "construction-flood-teams": 310, "fire-rescue-brigade": 40, "militia-reserve": 60,
         "blue-sky-rescue": 30}
TOWNSHIPS = ["sanshipu", "muchang", "dongqiao", "zhangdian", "pidong"]  # seeded township ids
SERVICES = ("inventory", "teams", "incidents")
FIVE_XX: list[str] = []


def think(low_s: float, high_s: float) -> Any:
    return between(low_s / SPEEDUP, high_s / SPEEDUP)


def token(role_variable: str) -> str:
    value = os.environ.get(role_variable) or os.environ.get("ANBEI_TOKEN")
    if not value:
        raise RuntimeError(f"set ANBEI_TOKEN (or {role_variable}) to a token of the running platform")
    return value


class AnbeiUser(HttpUser):
    """A user with a bearer token; `call` applies the outcome rules in the module docstring."""

    abstract = True
    token_variable = "ANBEI_TOKEN"

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {token(self.token_variable)}"

    def call(self, method: str, path: str, name: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None, refusals: tuple[int, ...] = ()) -> Any:
        headers = {"Idempotency-Key": f"load-{uuid.uuid4()}"} if method != "GET" else {}
        with self.client.request(method, API + path, name=name, json=body, params=params, headers=headers,
                                 catch_response=True) as response:
            if response.status_code >= 500:
                FIVE_XX.append(f"{method} {name}: {response.status_code}")
            if 200 <= response.status_code < 300:
                response.success()
                return response.json()
            if response.status_code in refusals:
                response.success()
                response.request_meta["name"] = f"{name} ({response.status_code} refused)"
                return None
            response.failure(f"{response.status_code}: {response.text[:200]}")
            return None


class WarehouseKeeper(AnbeiUser):
    weight = 24
    wait_time = think(20, 60)
    token_variable = "ANBEI_KEEPER_TOKEN"

    def movement(self, kind: str, **fields: Any) -> None:
        warehouse, item, low, high = random.choice(LINES)
        self.call("POST", f"/warehouses/{warehouse}/movements", f"movement: {kind}", {
            "kind": kind, "item_id": item, "quantity": random.randint(low, high), **fields},
            refusals=(409,))

    @task(4)
    def receipt(self) -> None:
        self.movement("receipt", source="purchase", reference=f"delivery {random.randint(1, 9999)}")

    @task(3)
    def issue(self) -> None:
        self.movement("issue", destination=f"{random.choice(TOWNSHIPS)} embankment")

    @task(1)
    def transfer(self) -> None:
        quantity = random.randint(10, 100)
        transfer_id = f"load-{uuid.uuid4().hex[:12]}"
        sent = self.call("POST", "/transfers", "transfer: dispatch", {
            "transfer_id": transfer_id, "warehouse_id": RESERVE, "to_warehouse_id": FOREST,
            "item_id": "woven-sandbags", "quantity": quantity}, refusals=(409,))
        if sent is not None:
            self.call("POST", f"/transfers/{transfer_id}/receipt", "transfer: receipt",
                      {"warehouse_id": FOREST, "received": quantity})

    @task(2)
    def read_stock(self) -> None:
        self.call("GET", f"/warehouses/{RESERVE}/stock", "warehouse stock")


class TeamLeader(AnbeiUser):
    weight = 70
    wait_time = think(60, 180)
    token_variable = "ANBEI_LEADER_TOKEN"

    @task(4)
    def report_readiness(self) -> None:
        team, members = random.choice(list(TEAMS.items()))
        self.call("POST", f"/teams/{team}/readiness", "readiness: report", {
            "status": random.choice(["ready", "ready", "ready", "partially_ready"]),
            "people_available": random.randint(members // 2, members)})

    @task(1)
    def read_team(self) -> None:
        self.call("GET", f"/teams/{random.choice(list(TEAMS))}", "team")


class Commander(AnbeiUser):
    fixed_count = 2
    wait_time = think(60, 120)  # between flows: the next report arrives (~100 s for the desk)
    token_variable = "ANBEI_COMMANDER_TOKEN"

    def step(self) -> None:
        time.sleep(random.uniform(5, 15) / SPEEDUP)

    @task
    def incident_flow(self) -> None:
        incident = f"load-{uuid.uuid4().hex[:12]}"
        happened = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=40)
        path = f"/incidents/{incident}"
        if self.call("POST", "/incidents", "incident: first report", {
                "incident_id": incident, "title": "Embankment seepage", "incident_type": "flood",
                "category": "natural_disaster", "township": random.choice(TOWNSHIPS), "village": "load test",
                "reported_by": "information officer (A post)", "affected_people": 300, "people_relocated": 60,
                "occurred_at": happened.isoformat(),
                "reported_at": (happened + timedelta(minutes=20)).isoformat()}) is None:
            return
        steps: tuple[tuple[str, str, dict[str, Any]], ...] = (
                ("incident: verification", "/verification", {"assessment": "confirmed by the township"}),
                ("incident: response level", "/response",
                 {"level": "III", "basis": {"people_relocated": 60}}),
                ("incident: request", "/requests", {
                    "request_id": "r1", "priority": "urgent", "destination": "village flood HQ",
                    "materials": [{"item_id": "woven-sandbags", "quantity": 200},
                                  {"item_id": "life-jackets", "quantity": 2}]}),
                ("incident: approval", "/requests/r1/approval", {}))
        for name, suffix, body in steps:
            self.step()
            if self.call("POST", path + suffix, name, body) is None:
                return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the dispatch runs in the background: follow it
            request = self.call("GET", f"{path}/requests/r1", "incident: request status")
            if request is None or request["status"] in ("fulfilled", "partly_fulfilled", "failed"):
                break
            time.sleep(1)
        self.call("GET", path, "incident: view")
        closing: tuple[tuple[str, str, dict[str, Any]], ...] = (
                ("incident: relief", "/relief", {"people": 60, "provided": "meals and water"}),
                ("incident: containment", "/containment", {}),
                ("incident: recovery", "/recovery", {}),
                ("incident: closure", "/closure", {}))
        for name, suffix, body in closing:
            self.step()
            if self.call("POST", path + suffix, name, body) is None:
                return


class Dashboard(AnbeiUser):
    fixed_count = 3
    wait_time = think(15, 15)
    token_variable = "ANBEI_OBSERVER_TOKEN"

    @task
    def overview(self) -> None:
        self.call("GET", "/overview", "overview")


class FeedFollower(AnbeiUser):
    """Another system reading one service's events from where it left off (README: the feed)."""

    fixed_count = 3
    wait_time = think(5, 5)
    token_variable = "ANBEI_OBSERVER_TOKEN"

    def on_start(self) -> None:
        super().on_start()
        self.service = SERVICES[FeedFollower.started % len(SERVICES)]
        FeedFollower.started += 1
        self.after = 0

    started = 0

    @task
    def follow(self) -> None:
        while True:  # a follower drains what is new, a page at a time
            page = self.call("GET", f"/feed/{self.service}", f"feed: {self.service}",
                             params={"after": self.after, "limit": 500})
            if page is None or not page["items"]:
                return
            self.after = page["next"]


@events.quitting.add_listener
def _fail_on_5xx(environment: Environment, **_: Any) -> None:
    """Any 5xx fails the run, whatever else locust decides."""
    if FIVE_XX:
        print(f"{len(FIVE_XX)} responses were 5xx, e.g. {FIVE_XX[:3]}")
        environment.process_exit_code = 1
