"""The incidents read models' collections and keys, in one place for projections, reads and handlers."""

from __future__ import annotations

INCIDENTS, REQUESTS, SITES, TIMELINE = "incidents", "requests", "sites", "incident_timeline"
#: A request in one of these is still to be settled: the incident cannot close yet.
OPEN_REQUEST_STATUSES = ("requested", "approved", "dispatching")
#: An incident in one of these is over.
ENDED = ("closed", "dismissed")


def request_key(incident_id: str, request_id: str) -> str:
    return f"{incident_id}/{request_id}"


def incident_prefix(incident_id: str) -> str:
    """Slugs hold no `/`, so this prefix selects exactly one incident's documents."""
    return f"{incident_id}/"


def timeline_key(incident_id: str, position: int) -> str:
    return f"{incident_id}/{position:015d}"
