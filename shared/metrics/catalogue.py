"""Every metric Anbei exposes, named once, with its help text and its label names.

Conventions (Prometheus'): the `anbei_` prefix, base units (`_seconds`), `_total` only
on counters, and bounded labels: a service, an entrypoint or route name, an outcome,
an aggregate kind, a status or class from a closed list. Never an id: a label value
per warehouse, item, team or incident would grow without bound.

The alert rules (`deploy/k8s/base/prometheus/rules.yml`) refer to these names, and so do
the read-model gauges each service registers (`services/<svc>/gauges.py`). `LATER`
names the gauges whose read models do not exist yet, so that rules, dashboards and the
services that will feed them agree on the name today.
"""

from __future__ import annotations

from shared.metrics.instruments import Counter, Histogram, MetricSpec

# -- RED for every entrypoint: RPC, event handler, timer and HTTP route --------------------
ENTRYPOINT_REQUESTS = Counter(
    "anbei_entrypoint_requests_total",
    "Calls of a nameko entrypoint (RPC, event handler, timer or HTTP route, by route name) by "
    "outcome: ok, or the kind of error (invalid, unauthorized, forbidden, not_found, conflict, "
    "client_error, unavailable, fault).",
    ("service", "entrypoint", "type", "outcome"),
)
ENTRYPOINT_DURATION = Histogram(
    "anbei_entrypoint_duration_seconds",
    "Time from a worker's set-up to its result, per entrypoint.",
    ("service", "entrypoint", "type"),
)

# -- the event-sourcing kernel ---------------------------------------------------------------
EVENTS_APPENDED = Counter(
    "anbei_events_appended_total",
    "Events the store accepted, by aggregate kind (the kind part of the stream id).",
    ("service", "aggregate"),
)
EVENT_APPEND_DURATION = Histogram(
    "anbei_event_append_duration_seconds",
    "Time one atomic append to the event store took.",
    ("service",),
)
EVENTS_PUBLISHED = Counter(
    "anbei_events_published_total",
    "Events the outbox relay published and the broker confirmed.",
    ("service",),
)
OUTBOX_PUBLISH_DURATION = Histogram(
    "anbei_outbox_publish_duration_seconds",
    "Time the outbox relay took to publish one batch of events until the broker confirmed it.",
    ("service",),
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "anbei_outbox_publish_failures_total",
    "Attempts of the outbox relay to publish a batch that failed (broker down, refused or silent).",
    ("service",),
)
CONSUMER_EVENTS = Counter(
    "anbei_consumer_events_total",
    "Events delivered to an idempotent consumer, by outcome: applied, or duplicate (a redelivery "
    "or replay of an event it had already applied, ignored).",
    ("consumer", "outcome"),
)
CONSUMER_DELAY = Histogram(
    "anbei_consumer_delay_seconds",
    "Time from an event being recorded to a consumer applying it.",
    ("consumer",),
)
METRICS_READ_FAILURES = Counter(
    "anbei_metrics_read_failures_total",
    "Scrape-time readings (backlog, lag, business gauges) that failed; their samples are missing.",
    ("service",),
)

# -- the gateway -------------------------------------------------------------------------------
GATEWAY_FAILED_LOGINS = Counter(
    "anbei_gateway_failed_logins_total",
    "Requests the gateway refused for a bad bearer token, by reason: invalid (unknown, revoked or "
    "mistyped), malformed (too long), rate_limited (a 429 after too many bad tokens).",
    ("reason",),
)
INSTRUMENTS = (ENTRYPOINT_REQUESTS, ENTRYPOINT_DURATION, EVENTS_APPENDED, EVENT_APPEND_DURATION,
               EVENTS_PUBLISHED, OUTBOX_PUBLISH_DURATION, OUTBOX_PUBLISH_FAILURES, CONSUMER_EVENTS,
               CONSUMER_DELAY, METRICS_READ_FAILURES, GATEWAY_FAILED_LOGINS)

# -- read at scrape time from the store and the read models -------------------------------------
OUTBOX_BACKLOG = MetricSpec(
    "anbei_outbox_backlog_events",
    "Committed events the outbox relay has not yet had confirmed by the broker.",
    ("service",),
)
PROJECTION_LAG = MetricSpec(
    "anbei_projection_lag_events",
    "Positions the service's read models are behind the head of its event store.",
    ("service",),
)
STOCK_ON_HAND = MetricSpec(
    "anbei_stock_on_hand",
    "Stock on hand in all warehouses, in each item's own unit, summed by GB/T 38565-2020 class "
    "digit (1 basic living supplies, 2 emergency equipment, 3 engineering materials and machinery).",
    ("category_class",),
)
TEAMS = MetricSpec(
    "anbei_teams",
    "Rescue teams by the status of their latest readiness report (unknown before the first); "
    "a record that groups several teams counts each.",
    ("status",),
)
INCIDENTS_OPEN = MetricSpec(
    "anbei_incidents_open",
    "Incidents neither closed nor dismissed, by status and severity grade (I-IV, or none when not graded).",
    ("status", "grade"),
)
STOCK_BELOW_MINIMUM = MetricSpec(
    "anbei_stock_below_minimum_lines",
    "Stock lines (an item in a warehouse) whose available stock (on hand less reserved) is below "
    "its minimum level, as GET /stock/shortages lists them.",
    ("category_class",),
)
LOTS_EXPIRING = MetricSpec(
    "anbei_stock_lots_expiring_soon",
    "Stock lots on hand that expired or expire within 30 days.",
    ("category_class",),
)
TEAMS_STALE = MetricSpec(
    "anbei_teams_stale",
    "Rescue teams whose latest readiness report is more than 24 hours old, or that never reported.",
    ("team_type",),
)
PEOPLE_AVAILABLE = MetricSpec(
    "anbei_people_available",
    "People available now by capability: those the latest readiness reports give for teams that are "
    "ready or partially ready, not deployed and not stale (as GET /capacity counts them).",
    ("capability",),
)
INCIDENTS_BY_RESPONSE_LEVEL = MetricSpec(
    "anbei_incidents_open_by_response_level",
    "Incidents neither closed nor dismissed, by the response level activated for them (I-IV, or none).",
    ("level",),
)
RELIEF_PENDING = MetricSpec(
    "anbei_relief_pending_incidents",
    "Open incidents with affected or relocated people who do not yet have basic relief, by the state "
    "of the 8-hour relief clock from when the incident occurred: on_track (under 6 hours), at_risk "
    "(6 to 8 hours) or overdue (over 8 hours).",
    ("clock",),
)
REPORTS_LATE = MetricSpec(
    "anbei_incident_reports_late_total",
    "First incident reports made more than 1 hour after the incident occurred, by the grade Decree 493 "
    "suggested when reported (none for other categories).",
    ("grade",),
    type="counter",
)
NOW = (OUTBOX_BACKLOG, PROJECTION_LAG, STOCK_ON_HAND, TEAMS, INCIDENTS_OPEN, STOCK_BELOW_MINIMUM,
       LOTS_EXPIRING, TEAMS_STALE, PEOPLE_AVAILABLE, INCIDENTS_BY_RESPONSE_LEVEL, RELIEF_PENDING,
       REPORTS_LATE)

# -- named now, fed by the services once their read models exist: none left -----------------------
LATER: tuple[MetricSpec, ...] = ()


def all_names() -> set[str]:
    """Every metric name Anbei defines, as it appears in the exposition (histograms add
    `_bucket`, `_sum` and `_count`)."""
    names = set()
    for spec in (*(instrument.spec for instrument in INSTRUMENTS), *NOW, *LATER):
        names.add(spec.name)
        if spec.type == "histogram":
            names |= {f"{spec.name}_bucket", f"{spec.name}_sum", f"{spec.name}_count"}
    return names
