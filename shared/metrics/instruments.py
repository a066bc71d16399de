"""Counters and histograms that any thread may update, exposed through one collector.

Why not prometheus-client's own `Counter` and `Histogram`: they guard each value with
`threading.Lock`, which in a monkey-patched service is a *green* lock, while command
bodies run in native threads (`shared.blocking.offload`). A green lock contended
across native threads waits on a hub that never wakes it, so a scrape could hang the
service. These instruments use a native lock instead; prometheus-client still renders
the exposition (`collect()` yields its metric families).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from shared.blocking import native_lock

Labels = tuple[str, ...]
#: Seconds, from a 1 ms RPC to a 30 s stuck call.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class MetricSpec:
    """A metric's name, help text and label names: what the catalogue records of each."""

    name: str
    documentation: str
    labels: tuple[str, ...] = ()
    type: str = "gauge"

    def family(self, values: Mapping[Labels, float]) -> Metric:
        """A gauge or counter family with one sample per label tuple."""
        make = CounterMetricFamily if self.type == "counter" else GaugeMetricFamily
        family = make(self.name, self.documentation, labels=self.labels)
        for labels, value in sorted(values.items()):
            family.add_metric(list(labels), value)
        return family


class Counter:
    """A monotonically increasing count per label tuple; the name ends in `_total`."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]) -> None:
        if not name.endswith("_total"):
            raise ValueError(f"a counter's name ends in _total: {name}")
        self.spec = MetricSpec(name, documentation, tuple(labels), "counter")
        self._lock = native_lock()
        self._values: dict[Labels, float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        if len(labels) != len(self.spec.labels):
            raise ValueError(f"{self.spec.name} takes labels {self.spec.labels}, got {labels}")
        if amount < 0:
            raise ValueError("a counter only goes up")
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        with self._lock:
            return self._values.get(labels, 0.0)

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            values = dict(self._values)
        yield self.spec.family(values)


class Histogram:
    """Observations counted into cumulative buckets, with their sum, per label tuple."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str],
                 buckets: Sequence[float] = DURATION_BUCKETS) -> None:
        self.spec = MetricSpec(name, documentation, tuple(labels), "histogram")
        self.buckets = (*sorted(buckets), math.inf)
        self._lock = native_lock()
        self._values: dict[Labels, tuple[list[int], float]] = {}

    def observe(self, *labels: str, value: float) -> None:
        if len(labels) != len(self.spec.labels):
            raise ValueError(f"{self.spec.name} takes labels {self.spec.labels}, got {labels}")
        with self._lock:
            counts, total = self._values.get(labels) or ([0] * len(self.buckets), 0.0)
            counts[next(i for i, bound in enumerate(self.buckets) if value <= bound)] += 1
            self._values[labels] = (counts, total + value)

    def count(self, *labels: str) -> int:
        with self._lock:
            counts, _ = self._values.get(labels) or ([0], 0.0)
            return sum(counts)

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.spec.name, self.spec.documentation, labels=self.spec.labels)
        with self._lock:
            values = {labels: (list(counts), total) for labels, (counts, total) in self._values.items()}
        for labels, (counts, total) in sorted(values.items()):
            cumulative, buckets = 0, []
            for bound, count in zip(self.buckets, counts, strict=True):
                cumulative += count
                buckets.append(("+Inf" if bound == math.inf else repr(bound), float(cumulative)))
            family.add_metric(list(labels), buckets, total)
        yield family
