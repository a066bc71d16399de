"""The JSON Schemas other systems read an event by, made from the pydantic models.

What a consumer may rely on is what every event of a type and version carries, including
events recorded before a field with a default was added (the store keeps, and the relay
and the feed send, the data as it was written). So the schemas are pydantic's
*validation* schemas: a field is required when it has no default. They are inlined (no
`$ref`, so each is self-contained) and tolerant: `additionalProperties: false` is dropped,
because a consumer must ignore fields it does not know (an optional field may be added
without a new `schema_version`). Keywords stay within JSON Schema draft 07, which
AsyncAPI's schema format extends.

`shape` is what the contract check compares and records: the schema without its
annotations (titles, descriptions, examples, defaults), so a reworded docstring changes
the document but never the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from shared.envelope import EventEnvelope

Json = dict[str, Any]
#: Keywords that describe a schema without constraining what it accepts.
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment"})
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
                        "else"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def payload_schema(model: type[BaseModel]) -> Json:
    """The schema of an event's `data` as published: inlined, tolerant, without pydantic's titles."""
    return without(tolerant(inline(model.model_json_schema(mode="validation"))), {"title"})


def envelope_schema() -> Json:
    """The schema of the envelope every event travels in (`shared.envelope.EventEnvelope`)."""
    return payload_schema(EventEnvelope)


def shape(schema: Json) -> Json:
    """The schema without annotations and with `required` sorted: what the contract check compares."""
    bare = without(schema, ANNOTATIONS)
    return map_schema(bare, lambda node: {**node, "required": sorted(node["required"])}
                      if "required" in node else node)


def map_schema(schema: Json, change: Callable[[Json], Json]) -> Json:
    """Apply `change` to every subschema, innermost first. Only schema positions are visited,
    so a property *named* `title` or `default` is never mistaken for a keyword."""
    result: Json = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA and isinstance(value, dict):
            value = map_schema(value, change)
        elif key in _SCHEMA_LISTS:
            value = [map_schema(item, change) for item in value]
        elif key in _SCHEMA_MAPS:
            value = {name: map_schema(item, change) for name, item in value.items()}
        result[key] = value
    return change(result)


def without(schema: Json, keywords: frozenset[str] | set[str]) -> Json:
    return map_schema(schema, lambda node: {key: value for key, value in node.items() if key not in keywords})


def tolerant(schema: Json) -> Json:
    """Drop `additionalProperties: false` everywhere: unknown fields are for a reader to ignore."""
    return map_schema(schema, lambda node: {key: value for key, value in node.items()
                                            if not (key == "additionalProperties" and value is False)})


def inline(schema: Json) -> Json:
    """Replace every `#/$defs/...` reference by the definition itself; refuses a recursive model."""
    definitions: Json = schema.get("$defs", {})

    def expand(node: Json, within: tuple[str, ...]) -> Json:
        def resolve(sub: Json) -> Json:
            reference = sub.get("$ref")
            if reference is None:
                return sub
            name = str(reference).removeprefix("#/$defs/")
            if name in within:
                raise ValueError(f"{name} contains itself: a recursive payload cannot be published inline")
            siblings = {key: value for key, value in sub.items() if key != "$ref"}
            return {**expand(definitions[name], (*within, name)), **siblings}

        return map_schema(node, resolve)

    return expand({key: value for key, value in schema.items() if key != "$defs"}, ())
