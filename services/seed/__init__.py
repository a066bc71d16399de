"""The district's seed figures (from the 14th Five-Year plan), loaded through the public API.

Every write carries an `Idempotency-Key` derived from what it is, so loading twice
changes nothing: a replayed command returns its original result. A record that
already exists under another key (409 already_registered) counts as loaded too.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


def seed_file(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8"))


@dataclass
class SeedReport:
    accepted: int = 0
    already_there: int = 0
    problems: list[str] = field(default_factory=list)


def _post(base_url: str, path: str, body: dict[str, Any], key: str, report: SeedReport) -> None:
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": f"seed:{key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30):
            report.accepted += 1
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}")
        if error.code == 409 and detail.get("code") == "already_registered":
            report.already_there += 1
        else:
            report.problems.append(f"POST {path} {key}: {error.code} {detail}")


def load_seed(base_url: str) -> SeedReport:
    """Post every seed record to the gateway at `base_url`; safe to run any number of times."""
    report = SeedReport()
    inventory = seed_file("inventory")
    for item in inventory["items"]:
        _post(base_url, "/items", item, f"item:{item['item_id']}", report)
    for warehouse in inventory["warehouses"]:
        _post(base_url, "/warehouses", warehouse, f"warehouse:{warehouse['warehouse_id']}", report)
    for receipt in inventory["receipts"]:
        path = f"/warehouses/{receipt['warehouse_id']}/movements"
        _post(base_url, path, receipt, f"opening:{receipt['warehouse_id']}:{receipt['item_id']}", report)
    _load_teams(base_url, report)
    for incident in seed_file("incidents"):
        _post(base_url, "/incidents", incident, f"incident:{incident['incident_id']}", report)
    return report


def _load_teams(base_url: str, report: SeedReport) -> None:
    """Townships first: teams and duty posts name their township."""
    for township in seed_file("townships")["townships"]:
        _post(base_url, "/townships", township, f"township:{township['township_id']}", report)
    for team in seed_file("teams"):
        _post(base_url, "/teams", team, f"team:{team['team_id']}", report)
    for post in seed_file("duty_posts")["duty_posts"]:
        _post(base_url, "/duty-posts", post, f"duty-post:{post['post_id']}", report)
