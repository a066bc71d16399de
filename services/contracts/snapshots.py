"""The committed record of every published shape, and the contract check against it.

`snapshots/<service>/<Type>.v<N>.json` holds the shape (`schemas.shape`) of an event's
`data` at `schema_version` N; `snapshots/envelope.json` the envelope's. Older versions
stay recorded: events of that shape remain in stored history, and a backfill from the
feed or a replay sends them again as they were written.

The check compares today's schemas with the newest recorded version of each type:
- the same version: a difference that could break a consumer (`compat`) fails;
- a raised version: a breaking difference passes only when an upcaster reads every
  version from the recorded one up (`Upcasters.has(type, version)`), so the service
  still reads its history. That holds for every older recorded version, for as long as
  it is recorded: an upcaster removed later fails the check too;
- a lowered version, a recorded type no decider publishes any more, or a breaking change
  to the envelope always fail.

Safe differences, new types and new versions pass the check and are *unrecorded* until
`python -m services.contracts update` writes them: the test command never rewrites a
snapshot, and the update refuses while anything is breaking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.upcasting import Upcasters

from .catalogue import PublishedEvent
from .compat import differences
from .schemas import envelope_schema, payload_schema, shape

Json = dict[str, Any]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
ENVELOPE = "envelope.json"


@dataclass(frozen=True)
class Record:
    """A shape to write: an event's at a version (`service`, `type`, `version`), or the envelope's."""

    shape: Json
    service: str = ""
    type: str = ""
    version: int = 0

    def relative_path(self) -> str:
        return f"{self.service}/{self.type}.v{self.version}.json" if self.service else ENVELOPE


@dataclass
class Report:
    breaking: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaking

    def lines(self) -> list[str]:
        return ([f"BREAKING {line}" for line in self.breaking]
                + [f"unrecorded {line}" for line in self.unrecorded])


class Snapshots:
    """The recorded shapes under one folder."""

    def __init__(self, root: Path = SNAPSHOTS) -> None:
        self.root = root

    def versions(self, service: str, type_: str) -> dict[int, Json]:
        found: dict[int, Json] = {}
        for path in (self.root / service).glob(f"{type_}.v*.json"):
            number = path.name.removeprefix(f"{type_}.v").removesuffix(".json")
            if number.isdigit():
                found[int(number)] = json.loads(path.read_text("utf-8"))["data"]
        return found

    def recorded_types(self) -> set[tuple[str, str]]:
        return {(path.parent.name, path.name.split(".v", 1)[0]) for path in self.root.glob("*/*.v*.json")}

    def envelope(self) -> Json | None:
        path = self.root / ENVELOPE
        return json.loads(path.read_text("utf-8"))["envelope"] if path.exists() else None

    def write(self, record: Record) -> Path:
        path = self.root / record.relative_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        body: Json = ({"service": record.service, "type": record.type, "schema_version": record.version,
                       "data": record.shape} if record.service else {"envelope": record.shape})
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
        return path


def check(events: Iterable[PublishedEvent], snapshots: Snapshots,
          upcasters: Callable[[str], Upcasters]) -> Report:
    """Today's schemas against the record (see the module docstring)."""
    report = Report()
    published = list(events)
    for event in published:
        _check_event(event, snapshots, upcasters(event.service), report)
    for service, type_ in sorted(snapshots.recorded_types() - {(e.service, e.type) for e in published}):
        report.breaking.append(f"{service}.{type_}: recorded, but no {service} event of that type is "
                               "published any more; stored events of it still reach consumers")
    _check_envelope(snapshots, report)
    return report


def update(events: Iterable[PublishedEvent], snapshots: Snapshots,
           upcasters: Callable[[str], Upcasters]) -> Report:
    """Record every unrecorded shape, unless anything is breaking (then nothing is written)."""
    report = check(events, snapshots, upcasters)
    if report.ok:
        for record in report.records:
            snapshots.write(record)
    return report


def _check_event(event: PublishedEvent, snapshots: Snapshots, upcasters: Upcasters, report: Report) -> None:
    name, version = f"{event.service}.{event.type}", event.schema_version
    current = shape(payload_schema(event.model))
    record = Record(current, event.service, event.type, version)
    recorded = snapshots.versions(event.service, event.type)
    latest = max(recorded, default=0)
    if not recorded:
        report.unrecorded.append(f"{name} v{version}: a new event type")
        report.records.append(record)
    elif version < latest:
        report.breaking.append(f"{name}: schema_version went down from {latest} to {version}")
    elif version == latest:
        found = differences(recorded[latest], current)
        breaking = [difference for difference in found if difference.breaking]
        report.breaking += [f"{name} v{version}: {difference} — raise schema_version to {version + 1} and "
                            f"register an upcaster for ({event.type}, {version})" for difference in breaking]
        if found and not breaking:
            report.unrecorded += [f"{name} v{version}: {difference}" for difference in found]
            report.records.append(record)
    else:
        report.unrecorded.append(f"{name} v{version}: a new schema_version (v{latest} is recorded)")
        report.records.append(record)
    _check_history(event, recorded, current, upcasters, report)


def _check_history(event: PublishedEvent, recorded: dict[int, Json], current: Json, upcasters: Upcasters,
                   report: Report) -> None:
    """Every older recorded shape that today's model cannot read as it is must stay upcast:
    its events remain in stored history, and the service replays them."""
    for old in sorted(number for number in recorded if number < event.schema_version):
        breaking = [str(found) for found in differences(recorded[old], current) if found.breaking]
        missing = [number for number in range(old, event.schema_version)
                   if not upcasters.has(event.type, number)]
        if breaking and missing:
            report.breaking.append(
                f"{event.service}.{event.type} v{event.schema_version}: no upcaster reads ({event.type}, "
                f"{missing[0]}), yet v{old} is recorded (stored events keep that shape) and since then "
                + "; ".join(breaking))


def _check_envelope(snapshots: Snapshots, report: Report) -> None:
    current = shape(envelope_schema())
    recorded = snapshots.envelope()
    if recorded is None:
        report.unrecorded.append("the envelope: not recorded yet")
        report.records.append(Record(current))
        return
    found = differences(recorded, current)
    report.breaking += [f"the envelope: {difference} — every consumer reads the envelope, and it has no "
                        "version of its own" for difference in found if difference.breaking]
    if found and not any(difference.breaking for difference in found):
        report.unrecorded += [f"the envelope: {difference}" for difference in found]
        report.records.append(Record(current))
