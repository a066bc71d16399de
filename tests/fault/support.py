"""What the fault tests over the whole platform share: the records their clients write about, the
id a write's first event gets, and the checks they end with (every service's read models verify,
each relay has published everything its store holds)."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy

import shared.nameko_kit  # noqa: F401 - kernel errors arrive as themselves
from services.gateway.http import idempotent_command_id
from shared.envelope import EventEnvelope
from shared.outbox import RELAY_CHECKPOINT
from shared.projections import iter_all
from shared.store.sqlite import SQLiteEventStore
from tests.api_client import Api
from tests.e2e import load_writers
from tests.private_rabbit import wait_until

#: The user the fault tests' tokens speak for: their Idempotency-Keys are scoped to it.
USER = "fault-tests"
#: What each stock line holds before the clients start, so that issues are never refused.
OPENING_STOCK = 100_000


def command_id(key: str) -> str:
    """The command id the gateway makes of an `Idempotency-Key` sent by `USER`."""
    return idempotent_command_id(USER, key)


def first_event_id(key: str) -> str:
    """The id of the first event a write under `key` records, known from the key alone."""
    return load_writers.first_event_id(USER, key)


@dataclass(frozen=True)
class World:
    """One warehouse with its stock lines, and teams: what the clients write about."""

    warehouse: str
    items: tuple[str, ...]
    teams: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"warehouse": self.warehouse, "items": list(self.items), "teams": list(self.teams)}


def register_world(api: Api, items: int = 3, teams: int = 3) -> World:
    """Register a warehouse holding `OPENING_STOCK` of each of `items` new items, and `teams` teams."""
    run = uuid.uuid4().hex[:6]
    world = World(f"depot-{run}", tuple(f"sandbags-{run}-{n}" for n in range(items)),
                  tuple(f"flood-team-{run}-{n}" for n in range(teams)))
    created = [api.post("/warehouses", {"warehouse_id": world.warehouse, "name": "Sanshipu depot",
                                        "name_zh": "三十铺镇物资库", "kind": "township", "area_m2": 60})]
    for item in world.items:
        created.append(api.post("/items", {"item_id": item, "name": "woven sandbags", "name_zh": "编织袋",
                                           "unit": "bag", "category_code": "3999999"}))
        created.append(api.post(f"/warehouses/{world.warehouse}/movements", {
            "kind": "receipt", "item_id": item, "quantity": OPENING_STOCK, "source": "opening_balance"}))
    for team in world.teams:
        created.append(api.post("/teams", {"team_id": team, "name": f"Flood team {team}",
                                           "name_zh": "防汛应急队", "team_type": "township", "members": 57}))
    assert all(response.status_code == 201 for response in created), [r.text for r in created]
    return world


def on_hand(api: Api, world: World, item: str) -> int:
    """What the warehouse's stock line of `item` holds, as the gateway reads it."""
    response = api.get(f"/warehouses/{world.warehouse}/stock/{item}")
    assert response.status_code == 200, response.text
    return int(response.json()["on_hand"])


def store_path(data_dir: Path, service: str) -> Path:
    return data_dir / f"{service}-events.db"


def committed(data_dir: Path, service: str) -> list[EventEnvelope]:
    """Every event in `service`'s store, read from its file."""
    store = SQLiteEventStore(store_path(data_dir, service))
    try:
        return list(iter_all(store))
    finally:
        store.close()


def _relay_caught_up(store: SQLiteEventStore) -> bool:
    return store.get_checkpoint(RELAY_CHECKPOINT) == store.head_position()


def wait_for_relays(data_dir: Path, services: tuple[str, ...], timeout_s: float) -> None:
    """Until each service's relay has the broker's confirm for every event in its store."""
    for service in services:
        store = SQLiteEventStore(store_path(data_dir, service))
        try:
            wait_until(functools.partial(_relay_caught_up, store), timeout_s,
                       f"the {service} relay to publish everything", interval_s=0.2)
        finally:
            store.close()


def assert_every_service_verifies(amqp_uri: str) -> None:
    """Each service's `verify`: read models equal a rebuild, invariants hold, hashes and seals hold."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        for service in ("inventory", "teams", "incidents"):
            report = getattr(rpc, service).verify()
            assert report["ok"], (service, report)
