"""The district's seed figures (from the 14th Five-Year plan), loaded through the public API.

Every write carries an `Idempotency-Key` derived from what it is, so loading twice
changes nothing: a replayed command returns its original result. A record that
already exists under another key (409 already_registered) counts as loaded too.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal


def seed_file(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8"))


@dataclass
class SeedReport:
    accepted: int = 0
    already_there: int = 0
    problems: list[str] = field(default_factory=list)
    new_by_kind: Counter[str] = field(default_factory=Counter)
    existing_by_kind: Counter[str] = field(default_factory=Counter)

    def new(self, kind: str, key: str) -> None:
        self.accepted += 1
        self.new_by_kind[kind] += 1

    def existing(self, kind: str, key: str) -> None:
        self.already_there += 1
        self.existing_by_kind[kind] += 1

    def message(self) -> str:
        """What was new and what was already there, by kind: one line for people."""
        def listed(counts: Counter[str]) -> str:
            return ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "nothing"

        return (f"seed: new: {listed(self.new_by_kind)}; "
                f"already there: {listed(self.existing_by_kind)}")


def post(base_url: str, path: str, body: dict[str, Any], key: str, report: SeedReport,
         kind: str = "records", method: Literal["POST", "PUT"] = "POST") -> None:
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}", data=json.dumps(body).encode(), method=method,
        headers={"Content-Type": "application/json", "Idempotency-Key": f"seed:{key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30):
            report.new(kind, key)
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}")
        if error.code == 409 and detail.get("code") == "already_registered":
            report.existing(kind, key)
        else:
            report.problems.append(f"{method} {path} {key}: {error.code} {detail}")


_post = post


def load_seed(base_url: str) -> SeedReport:
    """Post every seed record to the gateway at `base_url`; safe to run any number of times."""
    from .inventory import load_inventory  # here: it uses SeedReport and post from this module

    report = SeedReport()
    load_inventory(base_url, report)
    for team in seed_file("teams"):
        _post(base_url, "/teams", team, f"team:{team['team_id']}", report)
    for incident in seed_file("incidents"):
        _post(base_url, "/incidents", incident, f"incident:{incident['incident_id']}", report)
    return report
