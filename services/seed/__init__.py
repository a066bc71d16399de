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


@dataclass(frozen=True)
class Api:
    base_url: str
    token: str


def _post(api: Api, path: str, body: dict[str, Any], key: str, report: SeedReport) -> None:
    request = urllib.request.Request(
        f"{api.base_url}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": f"seed:{key}",
                 "Authorization": f"Bearer {api.token}"},
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


def load_seed(base_url: str, token: str) -> SeedReport:
    """Post every seed record to the gateway at `base_url` with an admin `token`; safe to run
    any number of times (idempotency keys are per user: use the same user each time)."""
    api, report = Api(base_url, token), SeedReport()
    inventory = seed_file("inventory")
    for item in inventory["items"]:
        _post(api, "/items", item, f"item:{item['item_id']}", report)
    for warehouse in inventory["warehouses"]:
        _post(api, "/warehouses", warehouse, f"warehouse:{warehouse['warehouse_id']}", report)
    for receipt in inventory["receipts"]:
        path = f"/warehouses/{receipt['warehouse_id']}/movements"
        _post(api, path, receipt, f"opening:{receipt['warehouse_id']}:{receipt['item_id']}", report)
    _load_teams(api, report)
    for incident in seed_file("incidents"):
        _post(api, "/incidents", incident, f"incident:{incident['incident_id']}", report)
    return report


def _load_teams(api: Api, report: SeedReport) -> None:
    """Townships first: teams and duty posts name their township."""
    for township in seed_file("townships")["townships"]:
        _post(api, "/townships", township, f"township:{township['township_id']}", report)
    for team in seed_file("teams"):
        _post(api, "/teams", team, f"team:{team['team_id']}", report)
    for post in seed_file("duty_posts")["duty_posts"]:
        _post(api, "/duty-posts", post, f"duty-post:{post['post_id']}", report)
