"""The registers: items, warehouses, transfers, agreements (with call-offs) and census imports.

Each `*_doc` function builds a document from events alone, so a command RPC can
answer with the same document the read model will hold (a retry answers the same).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from shared.envelope import EventEnvelope
from shared.views import Views

from .keys import AGREEMENT_CAPACITY, AGREEMENTS, CALL_OFFS, IMPORTS, ITEMS, TRANSFERS, WAREHOUSES, key

Doc = dict[str, Any]


def item_doc(registered: EventEnvelope) -> Doc:
    """An item as its `ItemRegistered` event describes it."""
    return {"shelf_life_days": None, "inspection_interval_days": None, **registered.data}


def warehouse_doc(registered: EventEnvelope) -> Doc:
    """A warehouse as its `WarehouseRegistered` event describes it (open)."""
    return {"latitude": None, "longitude": None, "keeper": None, **registered.data,
            "registered_at": registered.occurred_at.isoformat(), "status": "open",
            "closed_at": None, "closed_reason": None}


def closed_warehouse(doc: Doc, closed: EventEnvelope) -> Doc:
    return {**doc, "status": "closed", "closed_at": closed.occurred_at.isoformat(),
            "closed_reason": closed.data["reason"]}


def transfer_doc(events: list[EventEnvelope]) -> Doc:
    """A transfer from its `TransferDispatched` and (once received) `TransferReceived` events."""
    dispatched = events[0]
    data = dispatched.data
    doc: Doc = {
        "transfer_id": data["transfer_id"], "from_warehouse_id": data["from_warehouse_id"],
        "to_warehouse_id": data["to_warehouse_id"], "item_id": data["item_id"],
        "quantity": data["quantity"], "lots": data["lots"], "reference": data["reference"],
        "note": data["note"], "status": "in_transit", "dispatched_at": dispatched.occurred_at.isoformat(),
        "received": None, "discrepancy": None, "received_at": None, "received_note": None,
    }
    for received in events[1:]:
        doc = received_transfer(doc, received)
    return doc


def receipt_doc(received: EventEnvelope) -> Doc:
    """What a `TransferReceived` event says: the transfer, how much was sent and how much arrived."""
    data = received.data
    return {"transfer_id": data["transfer_id"], "from_warehouse_id": data["from_warehouse_id"],
            "to_warehouse_id": data["to_warehouse_id"], "item_id": data["item_id"],
            "quantity": data["dispatched"], "received": data["received"], "discrepancy": data["discrepancy"],
            "lots_received": data["lots"], "status": "received",
            "received_at": received.occurred_at.isoformat(), "received_note": data["note"]}


def received_transfer(doc: Doc, received: EventEnvelope) -> Doc:
    data = received.data
    return {**doc, "status": "received", "received": data["received"], "discrepancy": data["discrepancy"],
            "received_at": received.occurred_at.isoformat(), "received_note": data["note"]}


def agreement_doc(registered: EventEnvelope) -> Doc:
    return {**registered.data, "registered_at": registered.occurred_at.isoformat()}


def renewed_agreement(doc: Doc, renewed: EventEnvelope) -> Doc:
    data = renewed.data
    return {**doc, "valid_until": data["valid_until"],
            "contract_reference": data["contract_reference"] or doc["contract_reference"],
            "renewed_at": renewed.occurred_at.isoformat()}


def call_off_doc(requested: EventEnvelope) -> Doc:
    data = requested.data
    return {"agreement_id": data["agreement_id"], "call_off_id": data["call_off_id"],
            "requested": {line["item_id"]: line["quantity"] for line in data["lines"]},
            "delivered": {}, "destination": data["destination"], "incident_id": data["incident_id"],
            "note": data["note"], "status": "requested", "requested_at": requested.occurred_at.isoformat(),
            "delivered_at": None, "closed_at": None, "closed_reason": None}


def delivered_call_off(doc: Doc, delivered: EventEnvelope) -> Doc:
    so_far = dict(doc["delivered"])
    for line in delivered.data["lines"]:
        so_far[line["item_id"]] = so_far.get(line["item_id"], 0) + line["quantity"]
    complete = all(so_far.get(item, 0) >= quantity for item, quantity in doc["requested"].items())
    return {**doc, "delivered": so_far, "status": "delivered" if complete else "partly_delivered",
            "delivered_at": delivered.occurred_at.isoformat()}


def closed_call_off(doc: Doc, closed: EventEnvelope) -> Doc:
    return {**doc, "status": "closed", "closed_at": closed.occurred_at.isoformat(),
            "closed_reason": closed.data["reason"]}


class Registers:
    """Items, warehouses and transfers, each a document by id."""

    name = "registers"
    collections = (ITEMS, WAREHOUSES, TRANSFERS)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type == "ItemRegistered":
            views.put(ITEMS, data["item_id"], item_doc(event))
        elif event.type == "WarehouseRegistered":
            views.put(WAREHOUSES, data["warehouse_id"], warehouse_doc(event))
        elif event.type == "WarehouseClosed" and (doc := views.get(WAREHOUSES, data["warehouse_id"])):
            views.put(WAREHOUSES, data["warehouse_id"], closed_warehouse(doc, event))
        elif event.type == "TransferDispatched":
            views.put(TRANSFERS, data["transfer_id"], transfer_doc([event]))
        elif event.type == "TransferReceived" and (doc := views.get(TRANSFERS, data["transfer_id"])):
            views.put(TRANSFERS, data["transfer_id"], received_transfer(doc, event))


def _more_called_off(capacity: Doc, by: int) -> Doc:
    return {**capacity, "called_off": capacity["called_off"] + by}


class Agreements:
    """Agreements, their call-offs, and per item what each agreement can still supply."""

    name = "agreements"
    collections = (AGREEMENTS, CALL_OFFS, AGREEMENT_CAPACITY)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type == "AgreementRegistered":
            views.put(AGREEMENTS, data["agreement_id"], agreement_doc(event))
            for line in data["lines"]:
                views.put(AGREEMENT_CAPACITY, key(line["item_id"], data["agreement_id"]), {
                    "agreement_id": data["agreement_id"], "company": data["company"],
                    "company_zh": data["company_zh"], "item_id": line["item_id"],
                    "contracted": line["quantity"], "called_off": 0,
                    "lead_time_hours": data["lead_time_hours"], "valid_from": data["valid_from"],
                    "valid_until": data["valid_until"]})
        elif event.type == "AgreementRenewed" and (doc := views.get(AGREEMENTS, data["agreement_id"])):
            views.put(AGREEMENTS, data["agreement_id"], renewed_agreement(doc, event))
            self._capacity(views, data["agreement_id"], [line["item_id"] for line in doc["lines"]],
                           lambda capacity: {**capacity, "valid_until": data["valid_until"]})
        elif event.type.startswith("CallOff"):
            self._call_offs(views, event)

    def _call_offs(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        call_key = key(data["agreement_id"], data["call_off_id"])
        doc = views.get(CALL_OFFS, call_key)
        if event.type == "CallOffRequested":
            doc = call_off_doc(event)
            views.put(CALL_OFFS, call_key, doc)
            self._called_off(views, data["agreement_id"], doc["requested"], 1)
        elif event.type == "CallOffDelivered" and doc is not None:
            views.put(CALL_OFFS, call_key, delivered_call_off(doc, event))
        elif event.type == "CallOffClosed" and doc is not None:
            views.put(CALL_OFFS, call_key, closed_call_off(doc, event))
            self._called_off(views, data["agreement_id"], doc["requested"], -1)

    def _called_off(self, views: Views, agreement_id: str, requested: dict[str, int], sign: int) -> None:
        for item_id, quantity in requested.items():
            self._capacity(views, agreement_id, [item_id], partial(_more_called_off, by=sign * quantity))

    @staticmethod
    def _capacity(views: Views, agreement_id: str, item_ids: list[str],
                  change: Callable[[Doc], Doc]) -> None:
        for item_id in item_ids:
            capacity_key = key(item_id, agreement_id)
            if (capacity := views.get(AGREEMENT_CAPACITY, capacity_key)) is not None:
                views.put(AGREEMENT_CAPACITY, capacity_key, change(capacity))


def import_doc(events: list[EventEnvelope]) -> Doc:
    """A census import as its staging (and completion) events describe it."""
    first = events[0]
    data = first.data
    doc: Doc = {"import_id": data["import_id"], "digest": data["digest"], "total_rows": data["total_rows"],
                "imported": 0, "rejected": data.get("rejected", []), "failed": [],
                "status": "rejected" if first.type == "ImportRejected" else "running",
                "started_at": first.recorded_at.isoformat(), "finished_at": None}
    if first.type == "ImportRejected":
        doc["finished_at"] = first.recorded_at.isoformat()
    for event in events[1:]:
        if event.type == "ImportCompleted":
            doc = completed_import(doc, event)
    return doc


def completed_import(doc: Doc, completed: EventEnvelope) -> Doc:
    return {**doc, "status": "completed", "failed": completed.data["failed"],
            "finished_at": completed.recorded_at.isoformat()}


class Imports:
    """Each census import with its progress: rows received so far out of all rows."""

    name = "imports"
    collections = (IMPORTS,)

    def apply(self, views: Views, event: EventEnvelope) -> None:
        data = event.data
        if event.type in ("ImportRejected", "ImportStarted"):
            views.put(IMPORTS, data["import_id"], import_doc([event]))
        elif event.type == "ImportCompleted" and (doc := views.get(IMPORTS, data["import_id"])):
            views.put(IMPORTS, data["import_id"], completed_import(doc, event))
        elif (event.type == "StockReceived" and data.get("import_id")
              and (doc := views.get(IMPORTS, data["import_id"])) is not None):
            views.put(IMPORTS, data["import_id"], {**doc, "imported": doc["imported"] + 1})
