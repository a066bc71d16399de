"""SQLiteEventStore vs raw sqlite3: durable single-event appends and read_all replay.

Both sides use WAL + synchronous=FULL, the same table shape and separate files in one
temp dir. Rounds alternate which side runs first; medians and their ratio are reported.

    python -m loadtests.bench_store [--events 3000] [--replay-events 20000] [--rounds 5]
                                    [--dir /tmp] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.envelope import Metadata, NewEvent
from shared.store.sqlite import SQLiteEventStore

STREAMS = 100
PAGE = 1000
#: store / raw sqlite3: appends must keep 70% (issue 6), replay half
TARGETS = {"append": 0.7, "replay": 0.5}
TYPE = "StockReceived"
META = json.dumps(Metadata().model_dump())  # what the store writes for default metadata
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
    version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, data TEXT NOT NULL,
    metadata TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, version)
);
"""
COLUMNS = "event_id, stream_id, version, type, schema_version, occurred_at, recorded_at, data," \
    " metadata, hash"
INSERT = f"INSERT INTO events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)"
SELECT = f"SELECT position, {COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"

Row = tuple[str, str, int, str, int, str, str, str, str, str]


def stream(i: int) -> str:
    return f"stock-w1-item{i % STREAMS}"


def payload(i: int) -> dict[str, Any]:
    return {"warehouse": "w1", "item": f"item{i % STREAMS}", "quantity": i % 50 + 1,
            "unit": "box", "lot": f"L{i:06d}", "reason": "restock"}


def events(n: int) -> list[NewEvent]:
    occurred = datetime.now(UTC)
    return [NewEvent(type=TYPE, occurred_at=occurred, data=payload(i)) for i in range(n)]


def raw_connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    return db


def raw_row(i: int, version: int, data: dict[str, Any]) -> Row:
    """What any event store must produce per row: id, timestamps, JSON, a hash."""
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    body = json.dumps(data)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return (str(uuid.uuid4()), stream(i), version, TYPE, 1, stamp, stamp, body, META, digest)


def raw_append(path: Path, n: int) -> float:
    db, versions, data = raw_connect(path), [0] * STREAMS, [payload(i) for i in range(n)]
    start = time.perf_counter()
    for i in range(n):
        versions[i % STREAMS] += 1
        db.execute("BEGIN IMMEDIATE")
        db.execute(INSERT, raw_row(i, versions[i % STREAMS], data[i]))
        db.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    db.close()
    return rate


def store_append(path: Path, n: int) -> float:
    store, versions, batch = SQLiteEventStore(path), [0] * STREAMS, events(n)
    start = time.perf_counter()
    for i, event in enumerate(batch):
        store.append(stream(i), versions[i % STREAMS], [event])
        versions[i % STREAMS] += 1
    rate = n / (time.perf_counter() - start)
    store.close()
    return rate


def fill(raw: sqlite3.Connection, store: SQLiteEventStore, n: int, batch: int = 200) -> None:
    """Same events in both replay DBs, written in big transactions so setup is quick."""
    new, versions = events(n), [0] * STREAMS
    for first in range(0, n, batch):
        k = (first // batch) % STREAMS
        chunk = new[first:first + batch]
        store.append(stream(k), versions[k], chunk)
        rows = [raw_row(k, versions[k] + 1 + j, e.data) for j, e in enumerate(chunk)]
        versions[k] += len(chunk)
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(INSERT, rows)
        raw.execute("COMMIT")


def raw_replay(db: sqlite3.Connection) -> float:
    count, after, start = 0, 0, time.perf_counter()
    while rows := db.execute(SELECT, (after, PAGE)).fetchall():
        decoded = [(row, json.loads(row[8]), json.loads(row[9])) for row in rows]
        count, after = count + len(decoded), rows[-1][0]
    return count / (time.perf_counter() - start)


def store_replay(store: SQLiteEventStore) -> float:
    count, after, start = 0, 0, time.perf_counter()
    while page := store.read_all(after, PAGE):
        count, after = count + len(page), page[-1].position
    return count / (time.perf_counter() - start)


def profile(title: str, work: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(work)
    print(f"\n--- cProfile: {title} (top 15 by own time) ---")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def measure(base: Path, events: int, replay_events: int, rounds: int, echo: bool = False
            ) -> dict[str, tuple[float, float]]:
    """Median events/s of (raw sqlite3, the store) for "append" and "replay", rounds interleaved."""
    appends: dict[str, list[float]] = {"raw": [], "store": []}
    replays: dict[str, list[float]] = {"raw": [], "store": []}
    raw_db = raw_connect(base / "replay-raw.db")
    store = SQLiteEventStore(base / "replay-store.db")
    fill(raw_db, store, replay_events)
    raw_replay(raw_db)  # warm the page cache for both
    store_replay(store)
    for r in range(1, rounds + 1):
        sides = ["raw", "store"] if r % 2 else ["store", "raw"]
        for side in sides:
            run = raw_append if side == "raw" else store_append
            appends[side].append(run(base / f"append-{side}-{r}.db", events))
        for side in sides:
            replays[side].append(raw_replay(raw_db) if side == "raw" else store_replay(store))
        if echo:
            print(f"round {r} ({sides[0]} first): append/s raw {appends['raw'][-1]:,.0f} "
                  f"store {appends['store'][-1]:,.0f} | replay/s raw {replays['raw'][-1]:,.0f} "
                  f"store {replays['store'][-1]:,.0f}")
    raw_db.close()
    store.close()
    return {name: (statistics.median(rates["raw"]), statistics.median(rates["store"]))
            for name, rates in (("append", appends), ("replay", replays))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=3000, help="single-event appends per run")
    parser.add_argument("--replay-events", type=int, default=20000, help="events replayed")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where temp DBs go (default: system tmp)")
    parser.add_argument("--profile", action="store_true", help="cProfile the store afterwards")
    args = parser.parse_args(argv)
    print("command:", shlex.join(sys.orig_argv))
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
          f"{args.events} appends, {args.replay_events} replayed, {args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=args.dir) as tmp:
        base = Path(tmp)
        print(f"dir: {base}")
        medians = measure(base, args.events, args.replay_events, args.rounds, echo=True)
        ok = True
        for name, (raw, ours) in medians.items():
            target = TARGETS[name]
            passed = ours >= target * raw
            ok = ok and passed
            verdict = "PASS" if passed else "FAIL"
            print(f"{name:6} median events/s: raw {raw:,.0f}  store {ours:,.0f}  "
                  f"ratio {ours / raw:.2f} (target >= {target:.2f})  {verdict}")
        if args.profile:
            store = SQLiteEventStore(base / "replay-store.db")
            profile("store.append x events", lambda: store_append(base / "profile.db", args.events))
            profile("store.read_all replay", lambda: store_replay(store))
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
