"""Projections: read models derived from the event log, with a checkpoint.

`catch_up` applies new events in position order and moves the checkpoint in the same
view transaction; `rebuild` replays from position 0; `verify` rebuilds into a scratch
store, compares it with the live read model and walks every stream's hash chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from pydantic import BaseModel, computed_field

from shared.envelope import EventEnvelope
from shared.integrity import BrokenLink, first_broken_link
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


class VerifyReport(BaseModel):
    """What `verify` found: `ok` only when the read model matches and every chain holds."""

    position: int
    differences: list[str]
    broken_link: BrokenLink | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.differences and self.broken_link is None


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
        applied = 0
        while True:
            with self.views.transaction() as views:
                checkpoint = views.checkpoint(self.name)
                limit = self.page
                if until_position is not None:
                    limit = min(limit, until_position - checkpoint)
                batch = self.store.read_all(checkpoint, limit) if limit > 0 else []
                for event in batch:
                    self._apply(views, self.upcasters.upcast(event))
                if batch:
                    views.set_checkpoint(self.name, batch[-1].position)
            applied += len(batch)
            if len(batch) < self.page:
                return applied

    def _apply(self, views: Views, event: EventEnvelope) -> None:
        for projection in self.projections:
            projection.apply(views, event)

    def checkpoint(self) -> int:
        with self.views.reading() as views:
            return views.checkpoint(self.name)

    def lag(self) -> int:
        return max(self.store.head_position() - self.checkpoint(), 0)

    def rebuild(self) -> int:
        """Throw the read model away and replay the whole log into it."""
        with self.views.transaction() as views:
            for projection in self.projections:
                for collection in projection.collections:
                    views.clear(collection)
            views.set_checkpoint(self.name, 0)
        return self.catch_up()

    def verify(self) -> VerifyReport:
        """Prove the live read model equals one rebuilt from scratch, and the chains hold."""
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
        return VerifyReport(
            position=position,
            differences=differences,
            broken_link=first_broken_link(iter_all(self.store)),
        )


def _first_difference(live: list[dict[str, object]], rebuilt: list[dict[str, object]]) -> str:
    for index, (a, b) in enumerate(zip(live, rebuilt, strict=False)):
        if a != b:
            return f"document {index}: live {a} != rebuilt {b}"
    return "one side has extra documents"
