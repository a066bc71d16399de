"""How the seed is loaded through the public API: a token-bearing client, sections of records,
and a report of what was new and what was already there, by kind.

Each record is looked up first, so the report can say what was new and what was already
there; every write still carries an `Idempotency-Key` derived from what it is, so even
two loaders racing each other record nothing twice. A write refused as
`already_registered` (another loader got there first) counts as already there.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

Record = dict[str, Any]


def seed_file(name: str) -> Any:
    return json.loads(resources.files("services.seed").joinpath(f"{name}.json").read_text("utf-8"))


@dataclass
class SeedReport:
    accepted: int = 0
    already_there: int = 0
    problems: list[str] = field(default_factory=list)
    new_by_kind: Counter[str] = field(default_factory=Counter)
    existing_by_kind: Counter[str] = field(default_factory=Counter)

    def new(self, kind: str) -> None:
        self.accepted += 1
        self.new_by_kind[kind] += 1

    def existing(self, kind: str) -> None:
        self.already_there += 1
        self.existing_by_kind[kind] += 1

    def message(self) -> str:
        """What was new and what was already there, by kind: one line for people."""
        def listed(counts: Counter[str]) -> str:
            return ", ".join(f"{kind} {count}" for kind, count in counts.items() if count) or "nothing"

        return f"seed: new: {listed(self.new_by_kind)}; already there: {listed(self.existing_by_kind)}"


@dataclass(frozen=True)
class Api:
    """The gateway at `base_url`, called with an admin `token`."""

    base_url: str
    token: str

    def _request(self, method: str, path: str, body: Record | None = None,
                 headers: dict[str, str] | None = None) -> urllib.request.Request:
        return urllib.request.Request(
            f"{self.base_url}/api/v1{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     **(headers or {})})

    def get(self, path: str, query: dict[str, str] | None = None) -> Any | None:
        """The JSON at `path`, or None when it is a 404."""
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        try:
            with urllib.request.urlopen(self._request("GET", path + suffix), timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def write(self, method: str, path: str, body: Record, key: str) -> tuple[int, Record]:
        """Send a command under `Idempotency-Key: seed:<key>`: its status and JSON answer."""
        request = self._request(method, path, body, {"Idempotency-Key": f"seed:{key}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


@dataclass(frozen=True)
class Section:
    """How one kind of seed record is listed, named, found and written."""

    kind: str
    records: Callable[[], list[Record]]
    key: Callable[[Record], str]
    there: Callable[[Api, Record], bool]
    path: Callable[[Record], str]
    body: Callable[[Record], Record] = lambda record: record
    method: Literal["POST", "PUT"] = "POST"


def exists(path: Callable[[Record], str]) -> Callable[[Api, Record], bool]:
    """A record is there when the path its id names answers."""
    return lambda api, record: api.get(path(record)) is not None


def load_section(api: Api, section: Section, report: SeedReport) -> None:
    for record in section.records():
        key = section.key(record)
        if section.there(api, record):
            report.existing(section.kind)
            continue
        status, answer = api.write(section.method, section.path(record), section.body(record), key)
        if status < 300:
            report.new(section.kind)
        elif status == 409 and answer.get("code") == "already_registered":
            report.existing(section.kind)
        else:
            report.problems.append(f"{section.method} {section.path(record)} {key}: {status} {answer}")
