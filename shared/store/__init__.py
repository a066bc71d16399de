"""Event stores, chosen by URL: `sqlite:///relative.db`, `sqlite:////abs.db`, `mongodb://…`."""

from __future__ import annotations

from shared.store.base import ConcurrencyError, EventIdReusedError, EventStore

__all__ = ["ConcurrencyError", "EventIdReusedError", "EventStore", "open_store"]


def open_store(url: str, *, default_database: str = "anbei") -> EventStore:
    """Open the backend named by `url` (the value of EVENT_STORE_URL)."""
    if url.startswith("sqlite:///"):
        from shared.store.sqlite import SQLiteEventStore

        return SQLiteEventStore(url.removeprefix("sqlite:///"))
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from shared.store.mongo import MongoEventStore

        return MongoEventStore.from_url(url, default_database=default_database)
    raise ValueError(f"unsupported event store URL {url!r}: use sqlite:///… or mongodb://…")
