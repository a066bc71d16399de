"""Prometheus metrics for every service: one provider, one catalogue, one registry per process.

- `catalogue`: every metric name, its help text and labels (and the names later gauges use);
- `provider.ServiceMetrics`: RED for every entrypoint and the `/metrics` server;
- `kernel`: events appended and published, publish latency, outbox backlog, projection
  lag, consumer duplicates, wrapped around the kernel from outside;
- `readmodels.ReadModelGauges`: where a service registers its business gauges.
"""

from shared.metrics.kernel import instrument_event_sourcing, record_consumed
from shared.metrics.provider import ServiceMetrics
from shared.metrics.readmodels import ReadModelGauges, RegisterGauges
from shared.metrics.registry import REGISTRY

__all__ = ["REGISTRY", "ReadModelGauges", "RegisterGauges", "ServiceMetrics", "instrument_event_sourcing",
           "record_consumed"]
