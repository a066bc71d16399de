"""Projections: read models derived from the event log, with a checkpoint.

`catch_up` applies new events in position order and moves the checkpoint in the same
view transaction; `rebuild` replays from position 0; `verify` rebuilds into a scratch
store, compares it with the live read model, checks the domain's invariants, walks
every stream's keyed hash chain and every seal, and checks the log still reaches
every position others have seen (`shared.integrity` says exactly what that detects).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from pydantic import BaseModel, computed_field

from shared.envelope import EventEnvelope
from shared.fingerprints import source_digest
from shared.integrity import BrokenLink, BrokenSeal, first_broken_link, first_broken_seal
from shared.store.base import EventStore
from shared.upcasting import Upcasters
from shared.views import Views, ViewStore


class Projection(Protocol):
    """Turns events into documents. Must be deterministic: no clock, no I/O but `views`."""

    @property
    def name(self) -> str: ...

    @property
    def collections(self) -> tuple[str, ...]:
        """The view collections it owns (cleared on rebuild, compared by verify)."""
        ...

    def apply(self, views: Views, event: EventEnvelope) -> None: ...


class Invariants(Protocol):
    """A projection that can also say which of the domain's always-true rules its
    documents break (e.g. negative stock): `verify` reports them."""

    def invariant_violations(self, views: Views) -> list[str]: ...


class VerifyReport(BaseModel):
    """What `verify` found: `ok` only when every check passed."""

    position: int
    head: int
    differences: list[str]
    violations: list[str]
    broken_link: BrokenLink | None
    broken_seal: BrokenSeal | None
    sealed_through: int
    unsealed: int
    missing_tail: list[str]
    snapshot_problems: list[str] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not (self.differences or self.violations or self.broken_link or self.broken_seal
                    or self.missing_tail or self.snapshot_problems)


def iter_all(store: EventStore, after_position: int = 0, page: int = 1000) -> Iterator[EventEnvelope]:
    """Every stored event after `after_position`, page by page, as stored (not upcast)."""
    while batch := store.read_all(after_position, page):
        yield from batch
        after_position = batch[-1].position


class ProjectionRunner:
    """Keeps a service's projections up to date with its event store."""

    def __init__(
        self,
        store: EventStore,
        views: ViewStore,
        projections: Sequence[Projection],
        upcasters: Upcasters | None = None,
        *,
        name: str = "projections",
        page: int = 500,
    ) -> None:
        self.store, self.views, self.projections = store, views, projections
        self.upcasters = upcasters or Upcasters()
        self.name, self.page = name, page

    def catch_up(self, until_position: int | None = None) -> int:
        """Apply every new event (up to `until_position`); returns how many were applied."""
        return self._catch_up(until_position)[0]

    def _catch_up(
        self, until_position: int | None = None, known: Sequence[EventEnvelope] = ()
    ) -> tuple[int, int]:
        """(how many events were applied, the checkpoint after them). `known` are events just
        appended: when they follow the checkpoint they are applied without reading them back."""
        applied = 0
        while True:
            with self.views.transaction() as views:
                checkpoint = views.checkpoint(self.name)
                limit = self.page
                if until_position is not None:
                    limit = min(limit, until_position - checkpoint)
                if known and known[0].position == checkpoint + 1 and until_position is None:
                    batch, known = list(known), ()
                else:
                    batch = self.store.read_all(checkpoint, limit) if limit > 0 else []
                for event in batch:
                    self._apply(views, self.upcasters.upcast(event))
                if batch:
                    checkpoint = batch[-1].position
                    views.set_checkpoint(self.name, checkpoint)
            applied += len(batch)
            if len(batch) < self.page:
                return applied, checkpoint

    def _apply(self, views: Views, event: EventEnvelope) -> None:
        for projection in self.projections:
            projection.apply(views, event)

    def catch_up_to(self, position: int, timeout_s: float, known: Sequence[EventEnvelope] = ()) -> bool:
        """Catch up until `position` is applied (a command's own write, `known` if given),
        waiting for an earlier writer's gap to fill or be claimed; False when `timeout_s`
        passed first."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self._catch_up(known=known)[1] >= position:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def checkpoint(self) -> int:
        with self.views.reading() as views:
            return views.checkpoint(self.name)

    def lag(self) -> int:
        """How many committed events the read models have not applied yet."""
        return self.store.count_after(self.checkpoint())

    def fingerprint(self) -> str:
        """Changes whenever a projection, its collections or the upcasters change."""
        parts = [f"{type(p).__module__}.{type(p).__qualname__}:{p.name}:{','.join(p.collections)}:"
                 f"{source_digest(type(p))}" for p in self.projections]
        return hashlib.sha256("\n".join([*parts, self.upcasters.fingerprint()]).encode()).hexdigest()[:32]

    def ensure_current(self) -> bool:
        """Rebuild the read models when the code that makes them changed since they were made
        (a new projection, a changed one, new upcasters); True when it rebuilt."""
        key = f"projections:{self.name}"
        current = self.fingerprint()
        with self.views.reading() as views:
            made_by = views.meta(key)
        if made_by == current:
            return False
        self.rebuild()
        with self.views.transaction() as views:
            views.set_meta(key, current)
        return True

    def rebuild(self) -> int:
        """Throw the read model away and replay the whole log into it."""
        with self.views.transaction() as views:
            for projection in self.projections:
                for collection in projection.collections:
                    views.clear(collection)
            views.set_checkpoint(self.name, 0)
        return self.catch_up()

    def verify(self, anchors: Mapping[str, int] | None = None) -> VerifyReport:
        """Prove the live read model equals one rebuilt from scratch, the domain's
        invariants hold, every chain and seal holds, and the log reaches every position in
        `anchors` (e.g. the relay's published position) and the read models' checkpoint."""
        self.catch_up()
        position = self.checkpoint()
        scratch = ViewStore(":memory:")
        ProjectionRunner(
            self.store, scratch, self.projections, self.upcasters, name=self.name
        ).catch_up(until_position=position)
        differences = []
        for projection in self.projections:
            for collection in projection.collections:
                live, rebuilt = self.views.list(collection), scratch.list(collection)
                if live != rebuilt:
                    differences.append(
                        f"{collection}: live has {len(live)} documents, rebuilt has "
                        f"{len(rebuilt)}; first difference: {_first_difference(live, rebuilt)}"
                    )
        scratch.close()
        keyring = self.store.keyring
        broken_seal, sealed = first_broken_seal(self.store.read_seals(), iter_all(self.store), keyring)
        head = self.store.head_position()
        return VerifyReport(
            position=position,
            head=head,
            differences=differences,
            violations=self._violations(),
            broken_link=first_broken_link(iter_all(self.store), keyring),
            broken_seal=broken_seal,
            sealed_through=sealed,
            unsealed=self.store.count_after(sealed),
            missing_tail=[
                f"{name} has seen position {seen}, but the log ends at {head}: events were removed"
                for name, seen in {"read models": position, "seals": sealed, **(anchors or {})}.items()
                if seen > head
            ],
        )

    def _violations(self) -> list[str]:
        found: list[str] = []
        with self.views.reading() as views:
            for projection in self.projections:
                check = getattr(projection, "invariant_violations", None)
                if check is not None:
                    found += check(views)
        return found


def _first_difference(live: list[dict[str, object]], rebuilt: list[dict[str, object]]) -> str:
    for index, (a, b) in enumerate(zip(live, rebuilt, strict=False)):
        if a != b:
            return f"document {index}: live {a} != rebuilt {b}"
    return "one side has extra documents"
