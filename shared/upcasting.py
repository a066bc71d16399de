"""Schema evolution: upcasters turn an old event shape into the next one on read.

Stored history is never rewritten; readers see the newest shape. An upcaster is
keyed by (type, schema_version) and returns the data for schema_version + 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.envelope import EventEnvelope
from shared.fingerprints import source_digest

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


class Upcasters:
    """A registry of upcasters, applied in a chain until no newer shape is known."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], Upcaster] = {}

    def register(self, type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def add(upcaster: Upcaster) -> Upcaster:
            key = (type, from_version)
            if key in self._by_key:
                raise ValueError(f"an upcaster for {type} v{from_version} is already registered")
            self._by_key[key] = upcaster
            return upcaster

        return add

    def has(self, type: str, from_version: int) -> bool:
        """Whether an upcaster reads `type` at `from_version` (the contract check asks)."""
        return (type, from_version) in self._by_key

    def fingerprint(self) -> str:
        """Changes whenever an upcaster is added, removed or its module's source changes."""
        parts = sorted(f"{type_}/{version}:{fn.__module__}.{fn.__qualname__}:{source_digest(fn)}"
                       for (type_, version), fn in self._by_key.items())
        return "|".join(parts)

    def upcast(self, event: EventEnvelope) -> EventEnvelope:
        version, data = self.upcast_data(event.type, event.schema_version, event.data)
        if version == event.schema_version:
            return event
        return event.model_copy(update={"data": data, "schema_version": version})

    def upcast_data(self, type: str, schema_version: int, data: Data) -> tuple[int, Data]:
        """The newest (schema version, data) of an event of `type` stored at `schema_version`."""
        while (upcaster := self._by_key.get((type, schema_version))) is not None:
            data, schema_version = upcaster(dict(data)), schema_version + 1
        return schema_version, data
