"""The AsyncAPI 3 document of every published event, generated from the event models.

One channel per event type: its address is the routing key (the type) on the exchange
`<service>.events` (AMQP channel binding). Its messages are the type's versions: the
current one from the model, and every older one still recorded (`snapshots`), because
stored history keeps them and a backfill or replay sends them again as written. A
message's payload is the envelope (`components.schemas.EventEnvelope`) whose `type`
and `schema_version` are fixed and whose `data` is the version's schema
(`components.schemas.<service>.<Type>.v<N>`). Each message carries its meaning in
English (`summary`) and Chinese, and the same facts in `x-anbei` for programs:
`{service, exchange, routing_key, type, schema_version, current, meaning: {en, zh}}`.
The message for a type and version is `components.messages["<service>.<Type>.v<N>"]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version as package_version
from typing import Any

from .catalogue import PublishedEvent
from .schemas import envelope_schema, payload_schema
from .snapshots import Snapshots

Json = dict[str, Any]
AMQP_BINDING = "0.3.0"
ENVELOPE = "EventEnvelope"
DESCRIPTION = """\
The events Anbei (安备) publishes for other systems: the provincial emergency management \
platform, neighbouring districts, early-warning and broadcast systems.

Each service publishes to its own exchange, `<service>.events` (topic, durable). The \
routing key is the event's type; the body is the JSON envelope (`EventEnvelope`) with the \
event's `data`; messages are persistent, `message_id` is the `event_id`. Delivery is at \
least once: deduplicate by `event_id`. Within one stream (`stream_id`) events are \
published in `version` order; `position` orders a service's events globally and is where \
a backfill from the HTTP feed (`GET /api/v1/feed/{service}?after=N`, see the OpenAPI \
document at `/api/v1/openapi.json`) joins the AMQP stream. Ignore fields you do not know: \
optional fields may be added without a new `schema_version`; any other change raises it. \
The README's consumer's guide says how to bind a queue, order, backfill and follow."""


def document(events: Iterable[PublishedEvent], snapshots: Snapshots) -> Json:
    channels: Json = {}
    operations: Json = {}
    messages: Json = {}
    schemas: Json = {ENVELOPE: envelope_schema()}
    services: list[str] = []
    for event in events:
        services += [] if event.service in services else [event.service]
        key = f"{event.service}.{event.type}"
        versions = {event.schema_version: payload_schema(event.model)}
        versions |= {number: shape for number, shape in snapshots.versions(event.service, event.type).items()
                     if number < event.schema_version}
        channel_messages: Json = {}
        for number in sorted(versions, reverse=True):
            name = f"{key}.v{number}"
            schemas[name] = versions[number]
            messages[name] = _message(event, number, name)
            channel_messages[f"v{number}"] = {"$ref": f"#/components/messages/{name}"}
        channels[key] = _channel(event, channel_messages)
        operations[key] = _operation(event, key, channel_messages)
    return {
        "asyncapi": "3.0.0",
        "id": "urn:anbei:events",
        "info": {"title": "Anbei (安备) events", "version": package_version("anbei"),
                 "description": DESCRIPTION,
                 "tags": [{"name": service, "description": f"published by the {service} service to "
                           f"`{service}.events`"} for service in services]},
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {
            "host": "{host}:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
            "description": "The RabbitMQ the platform publishes to (its `AMQP_URI`).",
            "variables": {"host": {"default": "127.0.0.1", "description": "127.0.0.1 for ./scripts/run; "
                                   "the `rabbitmq` Service in the `anbei` namespace on Kubernetes"}}}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _channel(event: PublishedEvent, channel_messages: Json) -> Json:
    return {
        "address": event.routing_key,
        "title": event.type,
        "summary": event.meaning.en,
        "description": f"{event.meaning.en}\n\n{event.meaning.zh}\n\nRouting key `{event.routing_key}` on "
                       f"the exchange `{event.exchange}`.",
        "messages": channel_messages,
        "tags": [{"name": event.service}],
        "bindings": {"amqp": {"is": "routingKey", "bindingVersion": AMQP_BINDING, "exchange": {
            "name": event.exchange, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}}},
    }


def _operation(event: PublishedEvent, key: str, channel_messages: Json) -> Json:
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{key}"},
        "title": f"{event.service} publishes {event.type}",
        "summary": event.meaning.en,
        "messages": [{"$ref": f"#/channels/{key}/messages/{name}"} for name in channel_messages],
        "tags": [{"name": event.service}],
        "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING}},
    }


def _message(event: PublishedEvent, number: int, name: str) -> Json:
    current = number == event.schema_version
    age = ("the current shape" if current else
           f"an older shape, still in stored history: a backfill or a replay sends it as written "
           f"(the service itself reads it upcast to v{event.schema_version})")
    message: Json = {
        "name": event.type,
        "title": f"{event.type} v{number}",
        "summary": event.meaning.en,
        "description": f"{event.meaning.en}\n\n{event.meaning.zh}\n\n`schema_version` {number}: {age}. "
                       f"Published by the {event.service} service.",
        "contentType": "application/json",
        "payload": {
            "allOf": [{"$ref": f"#/components/schemas/{ENVELOPE}"}],
            "type": "object",
            "required": ["type", "schema_version", "data"],
            "properties": {"type": {"const": event.type}, "schema_version": {"const": number},
                           "data": {"$ref": f"#/components/schemas/{name}"}},
        },
        "correlationId": {"description": "the request or flow that led to the event",
                          "location": "$message.payload#/metadata/correlation_id"},
        "tags": [{"name": event.service}],
        "bindings": {"amqp": {"contentEncoding": "utf-8", "bindingVersion": AMQP_BINDING}},
        "x-anbei": {"service": event.service, "exchange": event.exchange, "routing_key": event.routing_key,
                    "type": event.type, "schema_version": number, "current": current,
                    "meaning": {"en": event.meaning.en, "zh": event.meaning.zh}},
    }
    if not current:
        message["deprecated"] = True
    return message
