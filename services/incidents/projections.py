"""Incidents read models: each incident with everything done for it, its timeline, its requests,
and the resettlement sites. Deterministic: what depends on "now" (the relief clock) is finished
at read time (`relief.py`)."""

from __future__ import annotations

from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

from .incident_docs import REQUEST_ONLY, from_request, from_site, incident_doc, lifecycle
from .read_keys import INCIDENTS, REQUESTS, SITES, TIMELINE, request_key, timeline_key
from .request_docs import apply_to_request, request_doc
from .summary import after_action
from .timeline import described, timeline_entry

Doc = dict[str, Any]
SITE_EVENTS = ("EvacueesAdmitted", "EvacueesDischarged")


def site_doc(registered: EventEnvelope) -> Doc:
    return {**registered.data, "registered_at": registered.occurred_at.isoformat(), "occupancy": 0,
            "by_incident": {}}


class Incidents:
    """Every incident with its status, response, figures, relief, evacuees and dispatches; and
    its timeline, one entry per event of the incident, its requests and its evacuees."""

    name = "incidents"
    collections = (INCIDENTS, TIMELINE)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        incident_id = event.data.get("incident_id")
        if incident_id is None or not described(event.type):
            return
        if event.type in REQUEST_ONLY:  # the incident's document (large, late on) is not rewritten
            views.put(TIMELINE, timeline_key(incident_id, event.position), timeline_entry(event))
            return
        if event.type == "IncidentReported":
            doc: Doc | None = incident_doc(event)
        elif (doc := views.get(INCIDENTS, incident_id)) is None:
            return  # a request or admission names only incidents that exist: nothing to attach to
        elif event.stream_id.startswith("incident:"):
            lifecycle(doc, event)
            if event.type == "IncidentClosed":
                doc["summary"] = after_action(doc)
        elif event.type in SITE_EVENTS:
            from_site(doc, event)
        else:
            from_request(doc, event)
        assert doc is not None
        views.put(INCIDENTS, incident_id, doc)
        views.put(TIMELINE, timeline_key(incident_id, event.position), timeline_entry(event))


class Requests:
    """Every request, keyed by incident and request id."""

    name = "requests"
    collections = (REQUESTS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if not event.stream_id.startswith("request:"):
            return
        key = request_key(event.data["incident_id"], event.data["request_id"])
        if event.type == "RequestRaised":
            views.put(REQUESTS, key, request_doc(event))
        elif (doc := views.get(REQUESTS, key)) is not None:
            apply_to_request(doc, event)
            views.put(REQUESTS, key, doc)

    def invariant_violations(self, views: Views) -> list[str]:
        """Nothing is issued or called off beyond what was approved, nor issued beyond what was reserved."""
        found = []
        for doc in views.list(REQUESTS):
            for line in doc["materials"]:
                where = f"request {doc['incident_id']}/{doc['request_id']} line {line['line']}"
                if line["issued"] + line["called_off"] > (line["approved"] or 0):
                    found.append(f"{where}: {line['issued']} issued and {line['called_off']} called off, "
                                 f"over the {line['approved']} approved")
                if line["issued"] > line["reserved"]:
                    found.append(f"{where}: {line['issued']} issued, over the {line['reserved']} reserved")
        return found


class Sites:
    """The resettlement sites with their capacity and occupancy, per incident too."""

    name = "sites"
    collections = (SITES,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        if event.type == "SiteRegistered":
            views.put(SITES, event.data["site_id"], site_doc(event))
        elif event.type in SITE_EVENTS and (doc := views.get(SITES, event.data["site_id"])) is not None:
            data = event.data
            here = doc["by_incident"].get(data["incident_id"], 0)
            here += data["people"] if event.type == "EvacueesAdmitted" else -data["people"]
            doc["occupancy"] = data["occupancy"]
            if here:
                doc["by_incident"][data["incident_id"]] = here
            else:
                doc["by_incident"].pop(data["incident_id"], None)
            views.put(SITES, data["site_id"], doc)

    def invariant_violations(self, views: Views) -> list[str]:
        return [f"site {doc['site_id']} holds {doc['occupancy']} people, over its capacity {doc['capacity']}"
                for doc in views.list(SITES) if not 0 <= doc["occupancy"] <= doc["capacity"]]


PROJECTIONS = (Incidents(), Requests(), Sites())
