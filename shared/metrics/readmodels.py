"""Business gauges over a service's read models, registered by the service itself.

Each service module has a `register_gauges(gauges)` function (e.g.
`services/inventory/gauges.py`) that adds catalogue metrics with a function reading
their values from the service's `ViewStore`; `event_sourcing(PROJECTIONS,
gauges=register_gauges)` wires it in. The values are read at scrape time, never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from shared.metrics.instruments import Labels, MetricSpec
from shared.views import ViewStore

ViewReading = Callable[[ViewStore], Mapping[Labels, float]]


class ReadModelGauges:
    """The business gauges one service exposes, each a catalogue metric and its reading."""

    def __init__(self) -> None:
        self._gauges: list[tuple[MetricSpec, ViewReading]] = []

    def add(self, spec: MetricSpec, read: ViewReading) -> None:
        """Expose `spec` with the values `read(views)` returns, one per label tuple."""
        self._gauges.append((spec, read))

    def read(self, views: ViewStore) -> Iterator[tuple[MetricSpec, Labels, float]]:
        for spec, read in self._gauges:
            for labels, value in read(views).items():
                yield spec, labels, value


RegisterGauges = Callable[[ReadModelGauges], None]
