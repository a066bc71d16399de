"""The process's one metrics registry: the instruments, the process itself, and readings
taken at scrape time from event stores and read models.

Scrape-time readings are what a store or a read model knows *now* (an outbox backlog,
a projection lag, stock on hand): computing them when Prometheus asks costs nothing
between scrapes and can never drift from the truth. They run off the green-thread loop
(`shared.blocking.offload`), all of them in one trip, because they read SQLite or MongoDB.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from shared.blocking import native_lock, offload
from shared.metrics.catalogue import INSTRUMENTS, METRICS_READ_FAILURES
from shared.metrics.instruments import Labels, MetricSpec

log = logging.getLogger(__name__)
Sample = tuple[MetricSpec, Labels, float]
Reading = Callable[[], Iterable[Sample]]


class Instruments(Collector):
    """Every counter and histogram of the catalogue."""

    def collect(self) -> Iterator[Metric]:
        for instrument in INSTRUMENTS:
            yield from instrument.collect()


class ScrapeTimeReadings(Collector):
    """Readings that services add (`add`) and that run whenever Prometheus scrapes."""

    def __init__(self) -> None:
        self._lock = native_lock()
        self._readings: dict[int, tuple[str, Reading]] = {}

    def add(self, service: str, reading: Reading) -> Callable[[], None]:
        """Read `reading` at every scrape from now on; returns what stops it."""
        with self._lock:
            self._readings[id(reading)] = (service, reading)
        return lambda: self._remove(id(reading))

    def _remove(self, key: int) -> None:
        with self._lock:
            self._readings.pop(key, None)

    def collect(self) -> Iterator[Metric]:
        values: dict[MetricSpec, dict[Labels, float]] = {}
        for spec, labels, value in offload(self.read):
            values.setdefault(spec, {})[labels] = value
        for spec, samples in values.items():
            yield spec.family(samples)

    def read(self) -> list[Sample]:
        """Every reading's samples; one that fails is logged, counted and left out."""
        with self._lock:
            readings = list(self._readings.values())
        samples: list[Sample] = []
        for service, reading in readings:
            try:
                samples += reading()
            except Exception:  # a scrape must still answer: the failure is counted and logged
                METRICS_READ_FAILURES.inc(service)
                log.exception("metrics of %s: a scrape-time reading failed", service)
        return samples


READINGS = ScrapeTimeReadings()
REGISTRY = CollectorRegistry(auto_describe=False)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)
REGISTRY.register(Instruments())
REGISTRY.register(READINGS)
