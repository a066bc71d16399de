"""The AsyncAPI document: valid AsyncAPI 3, complete in both directions against the deciders,
and precise enough for a consumer to validate what it receives."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT7

import services
from services.contracts.__main__ import DEFAULT_DOCUMENT, render
from services.contracts.catalogue import PUBLISHERS, UNPUBLISHED
from services.contracts.published import asyncapi_document
from services.contracts.schemas import payload_schema
from services.inventory.domain.stock import StockReceived
from shared.decider import Event, known_deciders
from shared.envelope import EventEnvelope, Metadata

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(__file__).parent / "asyncapi" / "asyncapi-3.0.0.schema.json"
SPEC_SHA256 = "abe96881dbfaad495ccbb6bd8d3fb43ca18a13b9d7564849ccb66f39d5e5b20f"
Json = dict[str, Any]


def spec_errors(document: Json) -> list[str]:
    spec = json.loads(SPEC.read_text("utf-8"))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in jsonschema.Draft7Validator(spec).iter_errors(document)]


def payload_validator(document: Json, message: str) -> jsonschema.Draft7Validator:
    """A validator for a whole envelope, by the message's payload schema in the document."""
    registry: Registry[Any] = Registry().with_resource("urn:anbei:asyncapi", DRAFT7.create_resource(document))
    return jsonschema.Draft7Validator({"$ref": f"urn:anbei:asyncapi#/components/messages/{message}/payload"},
                                      registry=registry)


def envelope_of(event: Event, **changes: Any) -> Json:
    envelope = EventEnvelope(
        event_id=uuid.uuid4(), type=event.type_name(), schema_version=event.schema_version,
        stream_id="stock:jinan-flood-reserve:life-jackets", version=1, position=1,
        occurred_at=datetime(2024, 7, 1, tzinfo=UTC), recorded_at=datetime(2024, 7, 1, tzinfo=UTC),
        data=event.model_dump(mode="json"), metadata=Metadata(actor="keeper-li"), hash="00")
    return envelope.to_message() | changes


def receipt() -> StockReceived:
    return StockReceived(warehouse_id="jinan-flood-reserve", item_id="life-jackets", quantity=200,
                         source="purchase", reference="PO 2025-17", note=None)


def emitted_by_deciders() -> set[tuple[str, str]]:
    """(service, type) of every event any service's decider knows, after importing every domain
    module (deciders that tests define for themselves are left out)."""
    for path in sorted(Path(services.__file__).parent.glob("*/domain/*.py")):
        importlib.import_module(f"services.{path.parent.parent.name}.domain.{path.stem}")
    return {(event.__module__.split(".")[1], event.type_name())
            for decider in known_deciders() for event in decider.event_types
            if event.__module__.startswith("services.")}


def test_the_vendored_asyncapi_schema_is_the_official_file() -> None:
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() == SPEC_SHA256


def test_the_document_validates_against_the_asyncapi_3_schema() -> None:
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    assert spec_errors(document) == []


def test_the_schema_check_catches_a_document_that_breaks_the_spec() -> None:
    broken = copy.deepcopy(asyncapi_document())
    operation = broken["operations"]["inventory.StockReceived"]
    operation["action"] = "publish"  # AsyncAPI 2's word; 3 says send or receive
    del broken["channels"]["inventory.StockIssued"]["bindings"]["amqp"]["exchange"]
    errors = spec_errors(broken)
    assert any(error.startswith("operations/inventory.StockReceived") for error in errors)
    assert any(error.startswith("channels/inventory.StockIssued") for error in errors)


def test_every_event_a_decider_can_emit_is_in_the_document_and_every_documented_event_is_emitted() -> None:
    emitted = emitted_by_deciders()
    assert {service for service, _ in emitted} <= {*PUBLISHERS, *UNPUBLISHED}, "a new service must say"
    documented = {(message["x-anbei"]["service"], message["x-anbei"]["type"])
                  for message in asyncapi_document()["components"]["messages"].values()}
    published = {(service, type_) for service, type_ in emitted if service in PUBLISHERS}
    assert published - documented == set(), "emitted, but not in the document"
    assert documented - published == set(), "in the document, but no decider emits it"
    assert {"StockReceived", "TeamDeployed", "IncidentReported"} <= {type_ for _, type_ in documented}


def test_the_gateway_token_events_are_not_published() -> None:
    document = asyncapi_document()
    assert not any(channel.startswith("gateway.") for channel in document["channels"])
    assert {"TokenIssued", "TokenRevoked"}.isdisjoint(
        message["x-anbei"]["type"] for message in document["components"]["messages"].values())
    assert ("gateway", "TokenIssued") in emitted_by_deciders()  # left out on purpose, not by accident


def test_an_event_names_its_exchange_routing_key_version_publisher_and_meaning() -> None:
    document = asyncapi_document()
    channel = document["channels"]["inventory.StockReceived"]
    assert channel["address"] == "StockReceived"
    assert channel["bindings"]["amqp"]["exchange"] == {"name": "inventory.events", "type": "topic",
                                                       "durable": True, "autoDelete": False, "vhost": "/"}
    message = document["components"]["messages"]["inventory.StockReceived.v1"]
    assert message["x-anbei"] == {
        "service": "inventory", "exchange": "inventory.events", "routing_key": "StockReceived",
        "type": "StockReceived", "schema_version": 1, "current": True,
        "meaning": {"en": "Stock was received into a warehouse, into one lot.",
                    "zh": "物资入库，计入一个批次。"}}
    assert message["summary"] == "Stock was received into a warehouse, into one lot."
    assert "物资入库" in message["description"]
    assert message["payload"]["properties"]["schema_version"] == {"const": 1}
    assert document["components"]["schemas"]["inventory.StockReceived.v1"] == payload_schema(StockReceived)
    assert document["operations"]["inventory.StockReceived"]["action"] == "send"


def test_every_reference_in_the_document_resolves() -> None:
    document = asyncapi_document()

    def references(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [ref for value in node.values() for ref in references(value)]
        return [ref for value in node for ref in references(value)] if isinstance(node, list) else []

    found = references(document)
    assert found
    for reference in found:
        target: Any = document
        for part in reference.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), reference


def test_an_operation_sends_only_the_messages_of_its_own_channel() -> None:
    document = asyncapi_document()
    for key, operation in document["operations"].items():
        assert operation["channel"] == {"$ref": f"#/channels/{key}"}
        references = [message["$ref"] for message in operation["messages"]]
        assert all(reference.startswith(f"#/channels/{key}/messages/") for reference in references)


def test_older_recorded_shapes_are_described_beside_the_current_one() -> None:
    document = asyncapi_document()
    assert set(document["channels"]["teams.TeamRegistered"]["messages"]) == {"v1", "v2"}
    messages = document["components"]["messages"]
    assert messages["teams.TeamRegistered.v2"]["x-anbei"]["current"] is True
    assert messages["teams.TeamRegistered.v1"]["deprecated"] is True
    assert "capabilities" not in document["components"]["schemas"]["teams.TeamRegistered.v1"]["properties"]


def test_a_published_envelope_validates_against_its_message_and_a_wrong_one_does_not() -> None:
    validator = payload_validator(asyncapi_document(), "inventory.StockReceived.v1")
    good = envelope_of(receipt())
    assert list(validator.iter_errors(good)) == []
    missing = envelope_of(receipt())
    del missing["data"]["quantity"]
    wrong_type = envelope_of(receipt(), type="StockIssued")
    for bad in (missing, wrong_type):
        assert list(validator.iter_errors(bad)) != []


def test_a_consumer_may_receive_fields_it_does_not_know_yet() -> None:
    validator = payload_validator(asyncapi_document(), "inventory.StockReceived.v1")
    newer = envelope_of(receipt())
    newer["data"]["carrier"] = "a field added later, optional"
    newer["metadata"]["tenant"] = "jinan"
    assert list(validator.iter_errors(newer)) == []


def test_the_committed_document_is_the_one_the_code_generates() -> None:
    committed = (ROOT / DEFAULT_DOCUMENT).read_text("utf-8")
    assert committed == render(asyncapi_document()), (
        "regenerate it: .venv/bin/python -m services.contracts asyncapi")
