"""The platform's contract as it stands: its published events, their document and their check."""

from __future__ import annotations

import functools

from .asyncapi import Json, document
from .catalogue import published_events, upcasters_of
from .snapshots import Report, Snapshots, check, update


@functools.cache
def asyncapi_document() -> Json:
    """The AsyncAPI 3 document the gateway serves and `python -m services.contracts asyncapi` writes."""
    return document(published_events(), Snapshots())


def contract_report(snapshots: Snapshots | None = None) -> Report:
    """Today's event schemas against the committed snapshots."""
    return check(published_events(), snapshots or Snapshots(), upcasters_of)


def record_contract(snapshots: Snapshots | None = None) -> Report:
    """Record what is safe and unrecorded; writes nothing while anything is breaking."""
    return update(published_events(), snapshots or Snapshots(), upcasters_of)
