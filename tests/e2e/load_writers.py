"""Client processes that write through the gateway until a deadline, noting each acknowledged write.

Each write carries a fresh `Idempotency-Key`, so its first event's id is known from the key alone:
`first_event_id(user, key)` (keys are scoped to the token's user). `sent` and
`acked` are `time.monotonic()` readings, which on Linux compare across processes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.gateway.http import idempotent_command_id
from shared.envelope import event_id_for
from tests.gateway_client import post, session


def first_event_id(user: str, key: str) -> str:
    """The id of the first event a write by `user` under `key` records, known from the key alone."""
    return str(event_id_for(idempotent_command_id(user, key), 0))

Request = tuple[str, dict[str, Any]]


def _receipt(target: str, n: int) -> Request:
    warehouse, item = target.split("/")
    return (f"/warehouses/{warehouse}/movements",
            {"kind": "receipt", "item_id": item, "quantity": 1, "reference": f"load {n}"})


def _readiness(team: str, n: int) -> Request:
    return f"/teams/{team}/readiness", {"status": "ready", "people_available": 10 + n % 8}


def _incident(prefix: str, n: int) -> Request:
    return "/incidents", {
        "incident_id": f"{prefix}-{n}", "title": "Waterlogging on a village road", "incident_type": "flood",
        "category": "natural_disaster", "township": "Dongqiao", "reported_by": "duty officer Wang",
        "affected_people": n}


#: what a writer sends, by name (a name crosses to a spawned process; a function would not)
COMMANDS: dict[str, tuple[str, Callable[[str, int], Request]]] = {
    "receipt": ("inventory", _receipt),
    "readiness": ("teams", _readiness),
    "incident": ("incidents", _incident),
}


def write_until(base_url: str, token: str, command: str, target: str, deadline: float, out: str) -> None:
    """Send `command`s about `target` one after another until `deadline`; one JSON line each."""
    service, make = COMMANDS[command]
    http = session(token)
    with Path(out).open("w") as log:
        number = 0
        while time.monotonic() < deadline:
            path, body = make(target, number)
            key, sent = f"load-{uuid.uuid4().hex}", time.monotonic()
            try:
                status = post(http, base_url, path, body, key).status_code
            except OSError:
                status = 0
            log.write(json.dumps({"service": service, "key": key, "status": status, "sent": sent,
                                  "acked": time.monotonic()}) + "\n")
            number += 1
