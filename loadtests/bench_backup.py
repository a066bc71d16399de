"""Writers' command latency while backups run, against the same writers with no backup.

One inventory store (WAL, synchronous=FULL, signed) is prefilled with `--events` events.
`--writers` OS processes each run stock-receipt commands through the kernel's `Application`
(load, decide, append, projections catch up; each its own read-model file, as replicas)
for the whole run, timing every command. The main process alternates phases of
`--seconds`: *quiet* (nothing else) and *backup* (`take_backup` back to back, each into a
fresh folder, exactly what `python -m services backup` runs). Rounds swap which phase comes
first. A command belongs to the phase it started in; commands starting within `--margin`
seconds of a phase change are left out.

    python -m loadtests.bench_backup [--events 100000] [--writers 4] [--seconds 10]
                                     [--rounds 3] [--margin 0.5] [--dir /tmp] [--nice 10]
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import shlex
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from services.backup.catalog import STORES
from services.backup.cli import BACKUP_NICENESS
from services.backup.take import take_backup
from services.inventory import handlers
from services.inventory.domain.items import RegisterItem
from services.inventory.domain.stock_commands import ReceiveStock
from services.inventory.domain.warehouses import RegisterWarehouse
from shared.application import Application, CommandContext
from shared.envelope import NewEvent, now
from shared.keyring import Keyring
from shared.projections import ProjectionRunner
from shared.sealing import seal_pending
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore

TARGET = 2.0
WAREHOUSE = "jinan-flood-reserve"
ITEMS = 20


def application(events: Path, views: Path, keyring: Keyring) -> Application:
    models = STORES["inventory"]
    store = SQLiteEventStore(events, keyring=keyring)
    runner = ProjectionRunner(store, ViewStore(views, owner="inventory"), models.projections,
                              name="inventory")
    return Application(store, runner)


def context() -> CommandContext:
    return CommandContext(command_id=str(uuid.uuid4()), actor="bench")


def prefill(folder: Path, events: int, keyring: Keyring) -> Path:
    """The store with its catalogue and `events` receipts, sealed, and one caught-up read-model file."""
    app = application(folder / "inventory-events.db", folder / "views-template.db", keyring)
    handlers.change_warehouse(app, RegisterWarehouse(warehouse_id=WAREHOUSE, name="District flood reserve",
                                                       name_zh="区防汛仓库", kind="district"), context())
    for number in range(ITEMS):
        handlers.register_item(app, RegisterItem(item_id=f"item-{number}", name="sandbags", name_zh="编织袋",
                                                 unit="bag", category_code="3999999"), context())
    batch = 200
    for first in range(0, events, batch):
        stream = f"stock:{WAREHOUSE}:bulk-{first // batch % 50}"
        version = app.store.stream_version(stream)
        app.store.append(stream, version, [
            NewEvent(type="StockReceived", occurred_at=now(), data={
                "warehouse_id": WAREHOUSE, "item_id": "bulk", "quantity": 1, "source": "purchase",
                "reference": None, "note": None}) for _ in range(min(batch, events - first))])
    seal_pending(app.store)
    app.runner.catch_up()
    app.views.close()
    app.store.close()
    return folder / "views-template.db"


def write(folder: str, keys: str, writer: int, stop: multiprocessing.synchronize.Event, out: str) -> None:
    """Receipts on this writer's own items until `stop`; 'start latency' per command, to `out`."""
    views = Path(folder) / f"views-{writer}.db"
    app = application(Path(folder) / "inventory-events.db", views, Keyring.parse(keys))
    samples, number = [], 0
    while not stop.is_set():
        command = ReceiveStock(warehouse_id=WAREHOUSE, item_id=f"item-{(writer * 5 + number) % ITEMS}",
                               quantity=1)
        started = time.monotonic()
        handlers.change_stock(app, command, context())
        samples.append(f"{started} {time.monotonic() - started}")
        number += 1
    Path(out).write_text("\n".join(samples))


def backups(folder: Path, keyring: Keyring, until: float) -> list[tuple[float, float, int]]:
    """Back up the store over and over until `until`: (seconds, snapshot held, bytes) each."""
    taken = []
    while time.monotonic() < until:
        dest = folder / "backups" / uuid.uuid4().hex
        started = time.monotonic()
        manifest = take_backup({"inventory": folder / "inventory-events.db"}, dest, keyring)
        entry = manifest.stores["inventory"]
        taken.append((time.monotonic() - started, entry.snapshot_held_s or 0.0, entry.bytes or 0))
        shutil.rmtree(dest)
    return taken


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


Phases = dict[str, list[tuple[list[float], float]]]


def classify(samples: list[tuple[float, float]], phases: list[tuple[str, float, float]], margin: float,
             ) -> Phases:
    """Per phase kind, each phase's latencies and how many seconds they were taken over."""
    found: Phases = {"quiet": [], "backup": []}
    for kind, start, end in phases:
        latencies = [latency for begun, latency in samples if start + margin <= begun < end - margin]
        found[kind].append((latencies, end - start - 2 * margin))
    return found


def report(found: Phases, taken: list[tuple[float, float, int]]) -> bool:
    p99 = {}
    for kind, phases in found.items():
        for number, (latencies, seconds) in enumerate(phases, 1):
            print(f"{kind:6} phase {number}: {len(latencies) / seconds:6.1f} commands/s  "
                  f"p50 {percentile(latencies, .5) * 1e3:6.1f} ms  "
                  f"p99 {percentile(latencies, .99) * 1e3:6.1f} ms  max {max(latencies) * 1e3:6.1f} ms")
        p99[kind] = statistics.median(percentile(latencies, .99) for latencies, _ in phases)
    durations = [seconds_ for seconds_, _, _ in taken]
    held = [held_ for _, held_, _ in taken]
    print(f"backups: {len(taken)} of {taken[0][2] / 1e6:.1f} MB, each {statistics.median(durations):.2f} s "
          f"(median; max {max(durations):.2f} s), snapshot held {statistics.median(held):.2f} s (median)")
    ratio = p99["backup"] / p99["quiet"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"p99 (median of phases): quiet {p99['quiet'] * 1e3:.1f} ms, during backups "
          f"{p99['backup'] * 1e3:.1f} ms, ratio {ratio:.2f} (target <= {TARGET:.1f})  {verdict}")
    return ratio <= TARGET


def run_phases(folder: Path, keyring: Keyring, rounds: int, seconds: float,
               ) -> tuple[list[tuple[str, float, float]], list[tuple[float, float, int]]]:
    """Alternate quiet and backup phases; each phase's (kind, start, end), and every backup taken."""
    time.sleep(3)  # the writers start up and warm their caches
    phases, taken = [], []
    for number in range(rounds):
        for kind in (("quiet", "backup") if number % 2 == 0 else ("backup", "quiet")):
            start = time.monotonic()
            end = start + seconds
            if kind == "backup":
                taken += backups(folder, keyring, end)
            time.sleep(max(0.0, end - time.monotonic()))
            phases.append((kind, start, time.monotonic()))
    return phases, taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events in the store before the run")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="each round: one quiet and one backup phase")
    parser.add_argument("--margin", type=float, default=0.5)
    parser.add_argument("--dir", default=None, help="where the store goes (default: system tmp)")
    parser.add_argument("--nice", type=int, default=BACKUP_NICENESS,
                        help="run the backups at this niceness (`python -m services backup --nice N`)")
    args = parser.parse_args(argv)
    print("command:", shlex.join(sys.orig_argv))
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {args.events:,} events, "
          f"{args.writers} writers, {args.rounds} rounds of {args.seconds:.0f} s quiet "
          f"+ {args.seconds:.0f} s backup, backups at niceness {args.nice}")
    keyring = Keyring.generate("bench")
    with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=args.dir) as tmp:
        folder = Path(tmp)
        template = prefill(folder, args.events, keyring)
        for writer in range(args.writers):
            shutil.copyfile(template, folder / f"views-{writer}.db")
        spawn = multiprocessing.get_context("spawn")
        stop = spawn.Event()
        outs = [str(folder / f"samples-{writer}.txt") for writer in range(args.writers)]
        writers = [spawn.Process(target=write, args=(str(folder), keyring.serialize(), writer, stop, out))
                   for writer, out in enumerate(outs)]
        for process in writers:
            process.start()
        os.nice(args.nice)  # after the writers started: they keep the normal priority
        try:
            phases, taken = run_phases(folder, keyring, args.rounds, args.seconds)
        finally:
            stop.set()
            for process in writers:
                process.join()
        samples = [(float(start), float(latency)) for out in outs
                   for start, latency in (line.split() for line in Path(out).read_text().splitlines())]
        ok = report(classify(samples, phases, args.margin), taken)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
