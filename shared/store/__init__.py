"""Event stores, chosen by URL: `sqlite:///relative.db`, `sqlite:////abs.db`, `mongodb://…`."""

from __future__ import annotations

from shared.keyring import Keyring
from shared.store.base import ConcurrencyError, EventIdReusedError, EventStore, StoreFormatError

__all__ = ["ConcurrencyError", "EventIdReusedError", "EventStore", "StoreFormatError", "open_store"]


def open_store(url: str, *, keyring: Keyring, default_database: str = "anbei",
               busy_timeout_s: float = 30.0) -> EventStore:
    """Open the backend named by `url` (the value of EVENT_STORE_URL), signing with `keyring`.

    On SQLite a write waits up to `busy_timeout_s` for its turn and as long for another process's
    lock on the file."""
    if url.startswith("sqlite:///"):
        from shared.store.sqlite import SQLiteEventStore

        return SQLiteEventStore(url.removeprefix("sqlite:///"), keyring=keyring,
                                busy_timeout_s=busy_timeout_s)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from shared.store.mongo import MongoEventStore

        return MongoEventStore.from_url(url, default_database=default_database, keyring=keyring)
    raise ValueError(f"unsupported event store URL {url!r}: use sqlite:///… or mongodb://…")
