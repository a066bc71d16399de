"""Instances of a recorded shape: one with every optional field, one with only the required ones.

Enough for the shapes events have (objects, arrays, enums, nullable fields, strings with a
format or a pattern, bounded numbers); anything else is refused loudly rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any

Json = dict[str, Any]
#: Strings to try, in order, against a field's pattern and length bounds.
STRINGS = ("sample", "item-1", "+86 564 3330119", "1010101", "A")


def samples(schema: Json) -> list[Any]:
    return [instance(schema, full=True), instance(schema, full=False)]


def instance(schema: Json, full: bool) -> Any:
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][-1 if full else 0]
    if "anyOf" in schema:
        present = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
        return None if not full and len(present) < len(schema["anyOf"]) else instance(present[0], full)
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", []))
        return {name: instance(field, full) for name, field in schema.get("properties", {}).items()
                if full or name in required}
    if kind == "array":
        return [instance(schema["items"], full) for _ in range(max(schema.get("minItems", 0), int(full)))]
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "string":
        return _string(schema)
    if kind == "boolean":
        return full
    raise ValueError(f"no sample for {schema}")


def _number(schema: Json) -> int:
    low = max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    return int(min(low, schema.get("maximum", low)))


def _string(schema: Json) -> str:
    formats = {"date": "2024-07-01", "date-time": "2024-07-01T08:00:00+08:00",
               "uuid": "6f1c0f4e-5d1a-4b0e-9d53-8a1f2b3c4d5e"}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    fitting = [text for text in STRINGS
               if schema.get("minLength", 0) <= len(text) <= schema.get("maxLength", len(text))
               and re.search(schema.get("pattern", ""), text)]
    if not fitting:
        raise ValueError(f"no sample string fits {schema}")
    return fitting[0]
