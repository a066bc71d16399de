"""A restored store checked against its manifest entry, the same way for SQLite and MongoDB.

1. Its facts (`services.backup.facts`) are computed again and compared with the manifest's:
   head position, event and stream counts, the digest over every event, the chain heads,
   the newest seal, the key ids. A SQLite restore must match exactly (`exact`). A MongoDB
   store restored from `mongodump --oplog` may hold more (what was written while the dump
   ran, after the manifest was taken): its log up to the manifest's head must match.
2. Its read models are rebuilt from the events and the kernel's `verify` runs on them:
   every keyed hash chain and seal, the domain's invariants, the read models equal a
   rebuild, and the log reaches the manifest's head and the relay's published position.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.backup.catalog import ReadModels
from services.backup.facts import StoreFacts, survey
from services.backup.manifest import StoreEntry
from shared.keyring import Keyring
from shared.outbox import RELAY_CHECKPOINT
from shared.projections import ProjectionRunner, VerifyReport
from shared.store.base import EventStore
from shared.views import ViewStore


@dataclass
class StoreCheck:
    """What checking one store found; `problems` empty means it holds what the manifest lists."""

    service: str
    facts: StoreFacts
    problems: list[str]
    #: events after the manifest's head (MongoDB: written while the dump ran)
    beyond: int = 0
    report: VerifyReport | None = None

    def summary(self) -> str:
        sealed = self.report.sealed_through if self.report else self.facts.sealed_through
        streams = f"{self.facts.streams} stream{'s' if self.facts.streams != 1 else ''}"
        listed = f"{self.facts.events} events through position {self.facts.head_position} in {streams}"
        if self.beyond:
            listed += f", then {self.beyond} more written after the backup point"
        return f"{self.service}: {listed}; sealed through {sealed}; chains and seals verify, " \
               "read models equal a rebuild"


def check_store(service: str, store: EventStore, entry: StoreEntry, keyring: Keyring, *,
                views: ViewStore, read_models: ReadModels, exact: bool) -> StoreCheck:
    """Check `store` against `entry`; rebuild `read_models` into `views` only when its facts match."""
    expected = entry.facts
    # a store restored from a later dump goes on past the manifest: its events and seals that
    # follow the manifest's are checked by `verify` below, not compared
    found = (survey(store, keyring) if exact
             else survey(store, keyring, expected.head_position, expected.sealed_through))
    problems = found.problems or expected.differences(found.facts)
    check = StoreCheck(service, found.facts, [f"{service}: {problem}" for problem in problems])
    if problems:
        return check
    runner = ProjectionRunner(store, views, read_models.projections, read_models.upcasters, name=service)
    runner.ensure_current()  # rebuilds and records which code made them: the service won't rebuild again
    anchors = {"the backup manifest": expected.head_position,
               "published events": store.get_checkpoint(RELAY_CHECKPOINT)}
    check.report = runner.verify(anchors)
    check.problems = [f"{service}: {problem}" for problem in verify_problems(check.report)]
    check.beyond = store.count_after(expected.head_position)
    return check


def verify_problems(report: VerifyReport) -> list[str]:
    """Everything `verify` found wrong, one line each."""
    problems = [*report.differences, *report.violations, *report.missing_tail, *report.snapshot_problems]
    if report.broken_link is not None:
        link = report.broken_link
        problems.append(f"the hash chain of stream {link.stream_id} breaks at version {link.version}: "
                        f"{link.reason}")
    if report.broken_seal is not None:
        seal = report.broken_seal
        problems.append(f"the seal over positions {seal.after_position + 1}-{seal.through_position} "
                        f"is broken: {seal.reason}")
    return problems
