"""Test support: a service's `Application` on the in-memory store, with no disk and no broker."""

from __future__ import annotations

from collections.abc import Sequence

from shared.application import Application
from shared.projections import Projection, ProjectionRunner
from shared.store.memory import InMemoryEventStore
from shared.upcasting import Upcasters
from shared.views import ViewStore


def in_memory_application(
    projections: Sequence[Projection], upcasters: Upcasters | None = None
) -> Application:
    """What `EventSourcing` gives a worker, for unit tests (`worker_factory(..., es=...)`)."""
    store = InMemoryEventStore()
    return Application(store, ProjectionRunner(store, ViewStore(":memory:"), projections, upcasters),
                       upcasters)
