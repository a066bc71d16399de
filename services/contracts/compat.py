"""Which differences between a recorded schema and today's could break a consumer.

Both schemas are shapes (`schemas.shape`). An event of one type and version must read
the same to every consumer, whenever it was recorded: the store keeps old events as
they were written and the feed and the relay send them again on a backfill. So a
difference is safe only when both old and new events fit both schemas as a consumer
reads them:

- safe: a new optional property (events recorded before simply lack it, and consumers
  ignore fields they do not know); a required property that gains a default (every event
  written still carries it);
- breaking: a property removed or renamed; a new required property (older events lack
  it); an optional property made required; any other change to what a property accepts,
  narrowed (older events may not fit) or widened (a consumer may meet a value it was
  never promised, e.g. a new enum member or `null`).

Anything this module cannot tell apart is breaking: the check errs towards a new
`schema_version`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Difference:
    """One difference at `path` (`lots[].expires_on`; `` for the whole payload)."""

    path: str
    what: str
    breaking: bool

    def __str__(self) -> str:
        return f"{self.path or 'the payload'}: {self.what}"


def differences(old: Json, new: Json, path: str = "") -> list[Difference]:
    if old == new:
        return []
    if _is_object(old) and _is_object(new):
        return _object_differences(old, new, path)
    if "items" in old and "items" in new and _rest(old, "items") == _rest(new, "items"):
        return differences(old["items"], new["items"], f"{path}[]")
    for key in ("anyOf", "oneOf", "allOf"):
        if _same_branches(old, new, key):
            return [found for index, (before, after) in enumerate(zip(old[key], new[key], strict=True))
                    for found in differences(before, after, path)]
    return [Difference(path, _describe(old, new), breaking=True)]


def _object_differences(old: Json, new: Json, path: str) -> list[Difference]:
    found: list[Difference] = []
    before, after = old.get("properties", {}), new.get("properties", {})
    was_required, is_required = set(old.get("required", [])), set(new.get("required", []))
    for name in before.keys() - after.keys():
        found.append(Difference(_join(path, name), "removed (or renamed): consumers reading it break",
                                breaking=True))
    for name in after.keys() - before.keys():
        if name in is_required:
            found.append(Difference(_join(path, name), "a new required field: events recorded before "
                                    "lack it", breaking=True))
        else:
            found.append(Difference(_join(path, name), "a new optional field", breaking=False))
    for name in sorted(before.keys() & after.keys()):
        where = _join(path, name)
        if name in is_required and name not in was_required:
            found.append(Difference(where, "now required: events recorded before may lack it", breaking=True))
        elif name in was_required and name not in is_required:
            found.append(Difference(where, "now has a default (events still carry it)", breaking=False))
        found += differences(before[name], after[name], where)
    if _rest(old, "properties", "required") != _rest(new, "properties", "required"):
        found.append(Difference(path, _describe(_rest(old, "properties", "required"),
                                                _rest(new, "properties", "required")), breaking=True))
    return sorted(found, key=lambda difference: difference.path)


def _describe(old: Json, new: Json) -> str:
    """Say how a schema changed: narrowed, widened, or (when this cannot tell) just changed."""
    old_values, new_values = _values(old), _values(new)
    if old_values is not None and new_values is not None:
        gone, added = old_values - new_values, new_values - old_values
        parts = ([f"no longer allows {', '.join(sorted(gone))} (narrowed)"] if gone else []) + (
            [f"now allows {', '.join(sorted(added))}, which consumers were never promised (widened)"]
            if added else [])
        if parts:
            return "; ".join(parts)
    if new in old.get("anyOf", []):
        return f"narrowed from {_compact(old)} to {_compact(new)}: events recorded before may not fit"
    if old in new.get("anyOf", []):
        return f"widened from {_compact(old)} to {_compact(new)}: consumers may meet values never promised"
    kept = {key: value for key, value in old.items() if new.get(key) == value}
    if kept == old:
        return f"narrowed: now also bound by {_compact(_rest(new, *old))}; older events may not fit"
    if kept == new:
        return f"widened: no longer bound by {_compact(_rest(old, *new))}; consumers may meet new values"
    return f"changed from {_compact(old)} to {_compact(new)}"


def _values(schema: Json) -> set[str] | None:
    """The JSON values an enumeration accepts (`enum`, `const`, with `null` when allowed), if it is one."""
    if "enum" in schema:
        return {json.dumps(value) for value in schema["enum"]}
    if "const" in schema:
        return {json.dumps(schema["const"])}
    branches = schema.get("anyOf")
    if branches and all(_values(branch) is not None or branch == {"type": "null"} for branch in branches):
        return set().union(*(_values(branch) or {"null"} for branch in branches))
    return None


def _is_object(schema: Json) -> bool:
    return schema.get("type") == "object" and ("properties" in schema or "required" in schema)


def _same_branches(old: Json, new: Json, key: str) -> bool:
    return (key in old and key in new and len(old[key]) == len(new[key])
            and _rest(old, key) == _rest(new, key))


def _rest(schema: Json, *keys: str) -> Json:
    return {key: value for key, value in schema.items() if key not in keys}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _compact(schema: Json) -> str:
    text = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 160 else f"{text[:157]}..."
