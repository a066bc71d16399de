"""Helpers for tests of the incidents service over real processes: a live incident, a request
carried out, and waiting for the dispatch process manager (which acts in the background)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from typing import Any

#: What the dispatch leaves a request in once it has nothing more to do.
SETTLED = ("fulfilled", "partly_fulfilled", "failed", "rejected", "cancelled")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def flood_report(incident_id: str, **overrides: Any) -> dict[str, Any]:
    return {"incident_id": incident_id, "title": "Pi river embankment breach at Zhangxi",
            "incident_type": "flood", "category": "natural_disaster", "township": "sanshipu",
            "village": "Zhangxi", "reported_by": "information officer Zhou (A post)",
            "affected_people": 1200, **overrides}


def live_flood(rpc: Any, incident_id: str, level: str = "III") -> None:
    """Reported, verified and with a response active, as the command centre would have it."""
    rpc.incidents.report_incident(flood_report(incident_id), {"actor": "officer-zhou"})
    rpc.incidents.verify_incident({"incident_id": incident_id, "assessment": "breach confirmed on site"},
                                  {"actor": "commander-li"})
    rpc.incidents.activate_response({"incident_id": incident_id, "level": level,
                                     "basis": {"people_relocated": 800, "reason": "embankment breach"}},
                                    {"actor": "commander-li"})


def ready_team(rpc: Any, team_id: str, people: int, capability: str = "flood_water_rescue",
               township: str | None = None) -> None:
    team = {"team_id": team_id, "name": f"Test team {team_id}", "name_zh": "测试队伍", "team_type": "social",
            "capabilities": [capability], "members": people}
    if township is not None:
        team["township"] = township
    rpc.teams.register_team(team)
    rpc.teams.report_readiness({"team_id": team_id, "status": "ready", "people_available": people})


def wait_for_request(rpc: Any, incident_id: str, request_id: str, statuses: tuple[str, ...] = SETTLED,
                     timeout_s: float = 60) -> dict[str, Any]:
    """The request once its status is one of `statuses` (the dispatch works in the background)."""
    deadline = time.monotonic() + timeout_s
    while True:
        request: dict[str, Any] = rpc.incidents.get_request(incident_id, request_id)
        if request["status"] in statuses:
            return request
        if time.monotonic() > deadline:
            raise AssertionError(f"request {request_id} is still {request['status']} after {timeout_s}s: "
                                 f"{request}")
        time.sleep(0.2)


def wait_for(condition: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s}s for {what}")
        time.sleep(0.2)
    return value


def kill(platform: Any, name: str) -> None:
    """SIGKILL one service process: no chance to finish anything."""
    process = platform.processes[name]
    process.send_signal(signal.SIGKILL)
    process.wait(30)


def restart(platform: Any, name: str) -> None:
    """Start a service process again, as the launcher does, logging to the same file."""
    with open(platform.log_path(name), "ab") as log:
        platform.processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"], env=platform.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)


def stocked_items(rpc: Any, warehouse_id: str, count: int, quantity: int) -> list[str]:
    """A warehouse (with coordinates) holding `quantity` of each of `count` new items."""
    rpc.inventory.register_warehouse({"warehouse_id": warehouse_id, "name": warehouse_id,
                                      "name_zh": "测试仓库", "kind": "township", "latitude": 31.71,
                                      "longitude": 116.51})
    items = [f"{warehouse_id}-item-{n:02d}" for n in range(count)]
    for item in items:
        rpc.inventory.register_item({"item_id": item, "name": item, "name_zh": "测试物资", "unit": "件",
                                     "category_code": "2999999"})
        rpc.inventory.record_movement({"kind": "receipt", "warehouse_id": warehouse_id, "item_id": item,
                                       "quantity": quantity})
    return items


def issued(rpc: Any, warehouse_id: str, item_id: str) -> list[int]:
    """The quantity of every issue of the item in the warehouse's ledger."""
    movements = rpc.inventory.list_movements(warehouse_id, {"item_id": item_id, "limit": 1000})["items"]
    return [-movement["quantity"] for movement in movements if movement["type"] == "StockIssued"]
