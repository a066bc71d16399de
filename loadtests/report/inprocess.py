"""The parts measured in this process: the store, the kernel, projections, history sizes.

Each reuses an existing benchmark's functions (`loadtests.bench_store`, `bench_kernel`,
`bench_inventory`) and turns its medians into rows.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from loadtests import bench_inventory, bench_kernel, bench_store
from loadtests.report import Row, at_least, at_most
from services.inventory.projections import PROJECTIONS
from shared.projections import ProjectionRunner
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore

#: timed per statement over 1,000 warm stock issues on this machine (loadtests/README.md)
VERSUS_WHY = ("both sides make one durable commit per command (WAL, synchronous=FULL); ours is about a "
              "fifth of our command and the read-model file's own commit another tenth. The rest is Python "
              "around ~10 statements on the event store (idempotency and version checks, the hash chain, the "
              "append) and ~21 on the read-model file (15 reads, ~17 row writes in one batch: ledger, levels "
              "and as-of views, in their own transaction), because a command returns only once its caller "
              "can read it; the library's command is one insert and no read model. 1.5x the library leaves a "
              "whole command about 1.5x the time of a bare sqlite3 insert + durable commit (`bench_kernel "
              "--only versus` prints it), so it would take projecting after the command returns and an "
              "append close to a bare insert")

#: from cProfile and per-statement timing of a 5,000-event rebuild on this machine (see loadtests/README.md)
REBUILD_WHY = ("the floor decodes each event once; the inventory read models put ~19 documents per "
               "movement (the as-of projection 14 of them, so stock at any moment is one lookup) and get "
               "~16, each a JSON encode or decode; a page of 500 events holds what it touched, so SQL runs "
               "~4 reads per event and one batch of writes per page, and the JSON is most of the time. "
               "The target fits a read model of one row per event, not this one")


def store(base: Path, quick: bool) -> list[Row]:
    medians = bench_store.measure(base, 300 if quick else 3000, 2000 if quick else 20000, 2 if quick else 5)
    raw, ours = medians["append"]
    rows = [at_least("store appends, one event per transaction (WAL, FULL)", ours, raw, "events/s", 0.7,
                     baseline_name=" raw sqlite3")]
    raw, ours = medians["replay"]
    rows.append(at_least("store replay `read_all`, pages of 1,000", ours, raw, "events/s", 0.5,
                         baseline_name=" raw SELECT + json.loads"))
    return rows


def kernel(base: Path, quick: bool) -> list[Row]:
    rounds = 2 if quick else 5
    rows = []
    (base / "versus").mkdir()
    for name, baseline, ours, verdict, _ in bench_kernel.bench_versus(
            base / "versus", rounds, commands=200 if quick else 1500, lines=16 if quick else 96):
        if "not run" in verdict:
            rows.append(Row("full command vs eventsourcing", "not run", "eventsourcing missing", 0.0,
                            ">= 1.5", False, "pip install -e '.[bench]'"))
            continue
        clients = name.split(" client")[0].split()[-1]
        rows.append(at_least(f"full command (load, decide, append, project), {clients} client(s)", ours,
                             baseline, "commands/s", 1.5, VERSUS_WHY, baseline_name=" eventsourcing 9.5.6"))
    (base / "relay").mkdir()
    for _, baseline, ours, _, _ in bench_kernel.bench_relay(base / "relay", rounds,
                                                             count=2000 if quick else 20_000):
        rows.append(at_least("relay: publish with pipelined confirms, mandatory, sealing", ours, baseline,
                             "msg/s", 0.5, baseline_name=" raw kombu, no confirms"))
    (base / "history").mkdir()
    small, large = (1_000, 10_000) if quick else (1_000, 100_000)
    for _, baseline, ours, _, _ in bench_kernel.bench_history(base / "history", rounds, False,
                                                               issues=20 if quick else 100,
                                                               small=small, large=large):
        rows.append(at_most(f"command (stock issue) at {large:,} vs {small:,} events on its stream", ours,
                            baseline, "ms", 1.2, baseline_name=f" at {small:,}"))
    return rows


def raw_decode_rate(path: Path) -> float:
    """The floor of a rebuild: every event read in position order and its JSON decoded."""
    db = sqlite3.connect(str(path))
    count, after, started = 0, 0, time.perf_counter()
    while rows := db.execute("SELECT position, data, metadata FROM events WHERE position > ? "
                             "ORDER BY position LIMIT 1000", (after,)).fetchall():
        for _, data, meta in rows:
            json.loads(data), json.loads(meta)
        count, after = count + len(rows), rows[-1][0]
    db.close()
    return count / (time.perf_counter() - started)


def rebuild(base: Path, quick: bool) -> list[Row]:
    """The inventory read models rebuilt from a log of stock movements (the service's own
    projections, into its SQLite view store), against reading and decoding the same log."""
    movements = 2_000 if quick else 20_000
    directory = base / "rebuild"
    directory.mkdir()
    bench_inventory.build(directory, movements, 100, 10 if quick else 50)
    rates: dict[str, list[float]] = {"raw": [], "rebuild": []}
    for r in range(2 if quick else 3):
        for side in (("raw", "rebuild") if r % 2 == 0 else ("rebuild", "raw")):
            if side == "raw":
                rates["raw"].append(raw_decode_rate(directory / "events.db"))
                continue
            store = SQLiteEventStore(directory / "events.db")
            runner = ProjectionRunner(store, ViewStore(directory / "views.db"), PROJECTIONS)
            started = time.perf_counter()
            count = runner.rebuild()
            rates["rebuild"].append(count / (time.perf_counter() - started))
            store.close()
    ours, raw = (sorted(rates[k])[len(rates[k]) // 2] for k in ("rebuild", "raw"))
    return [at_least(f"projection rebuild, inventory read models ({movements:,} events)", ours, raw,
                     "events/s", 0.5, REBUILD_WHY, baseline_name=" raw SELECT + decode")]


def history_reads(base: Path, quick: bool) -> list[Row]:
    sizes = {"small": 1_000, "big": 10_000 if quick else 100_000}
    directory = base / "inventory-sizes"
    directory.mkdir()
    medians = bench_inventory.measure(directory, sizes, 100, 10 if quick else 50, 2 if quick else 5,
                                      5 if quick else 30)
    return [at_most(f"{label} at {sizes['big']:,} vs 1,000 recorded movements", medians[label]["big"],
                    medians[label]["small"], "ms", 1.2, baseline_name=" at 1,000")
            for label in bench_inventory.GATED]
