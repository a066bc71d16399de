"""The kernel's performance targets (issue 6), each measured against its baseline in one run.

    python -m loadtests.bench_kernel [--only history,versus,relay,memory,frozen,fold] [--rounds 5]
                                     [--million] [--dir /tmp]

- history: a stock issue's latency with 1,000 vs 100,000 prior events on its stream (and
  1,000,000 with --million), target <= 1.2x; each store is restarted (cold cache) and
  warmed by one command, as a service that has run for a while is; then the sizes take turns
  command by command, so a busy moment on the machine hits them alike.
- versus: the full command path (`Application.execute`: load, decide, append, project)
  against the `eventsourcing` library's command (get, new event, save) on SQLite at the
  same durability (WAL, synchronous=FULL), target >= 1.5x. Needs `pip install
  eventsourcing==9.5.6` in this environment (the `bench` extra); never a runtime dependency.
  With one client it also times a bare sqlite3 insert + durable commit per command (no read,
  no read model) and prints what 1.5x the library leaves a whole command, in those.
- relay: the outbox relay with pipelined confirms against raw kombu publishing the same
  bodies without confirms, a durable queue bound on both sides, target >= 0.5.
- memory: a service's resident memory across 10,000 commands on one stream, flat within 20%.
- frozen: a real inventory service process; the p99 of another warehouse's stock read while
  a command folds a 100,000-event stream (cold: no snapshot, no cache), against its p99 at
  rest (half the reads at rest just before the fold, half just after), target <= 2x.
- fold: how long a cold load of a 100,000-event stock line takes in one process (what a
  service does once per line when no snapshot exists), against the same fold built from whole
  envelopes (`read_stream`, as the kernel did before it read `read_payloads`); no issue target.

Ratios are of medians over interleaved rounds (the machine is noisy); every round prints.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kombu import Connection, Exchange, Producer, Queue

from loadtests import bench_store
from services.inventory import handlers
from services.inventory.domain import items, stock, stock_rules, warehouses
from services.inventory.domain.stock_commands import IssueStock, ReceiveStock
from services.inventory.projections import PROJECTIONS
from shared.application import FOLD_PAGE, Application, CommandContext
from shared.envelope import Metadata, NewEvent, now
from shared.outbox import RELAY_CHECKPOINT, OutboxRelay
from shared.projections import ProjectionRunner
from shared.sealing import seal_pending
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore
from tests.ports import free_port

Result = tuple[str, float, float, str, bool]  # name, baseline, ours, unit/target text, passed


def report(name: str, baseline: float, ours: float, target: str, passed: bool) -> Result:
    """Print one verdict and return it (each part returns its results: `loadtests.report` reads them)."""
    print(f"  => {name}: baseline {baseline:,.3f}  ours {ours:,.3f}  ratio {ours / baseline:.2f} "
          f"({target})  {'PASS' if passed else 'FAIL'}", flush=True)
    return name, baseline, ours, target, passed


# --- a stock line with history -------------------------------------------------------------

def registered(store: SQLiteEventStore, warehouse: str, item: str) -> None:
    """The warehouse and the item, each registered unless it already is."""
    meta = Metadata(actor="bench")
    if store.stream_version(items.stream_id(item)) == 0:
        store.append(items.stream_id(item), 0, [NewEvent(
            type="ItemRegistered", occurred_at=now(), metadata=meta,
            data={"item_id": item, "name": item, "name_zh": item, "unit": "bag",
                  "category_code": "3999999"})])
    store.append(warehouses.stream_id(warehouse), 0, [NewEvent(
        type="WarehouseRegistered", occurred_at=now(), metadata=meta,
        data={"warehouse_id": warehouse, "name": warehouse, "name_zh": warehouse, "kind": "district",
              "township": None, "area_m2": None})])


def receipts(store: SQLiteEventStore, warehouse: str, item: str, count: int, batch: int = 2000) -> None:
    """`count` receipts of 5 on one stock line, appended in big batches so setup is quick."""
    stream, version = stock.stream_id(warehouse, item), 0
    while version < count:
        size = min(batch, count - version)
        store.append(stream, version, [NewEvent(
            type="StockReceived", occurred_at=now(),
            data={"warehouse_id": warehouse, "item_id": item, "quantity": 5, "source": "purchase",
                  "reference": None, "note": None}) for _ in range(size)])
        version += size


def application(directory: Path) -> Application:
    store = SQLiteEventStore(directory / "events.db")
    runner = ProjectionRunner(store, ViewStore(directory / "views.db"), PROJECTIONS)
    runner.catch_up()
    return Application(store, runner)


def issue(app: Application, warehouse: str, item: str) -> float:
    started = time.perf_counter()
    command = IssueStock(warehouse_id=warehouse, item_id=item, quantity=1, destination="bench")
    handlers.change_stock(app, command, CommandContext(command_id=str(uuid.uuid4())))
    return time.perf_counter() - started


def bench_history(base: Path, rounds: int, million: bool, issues: int = 100, small: int = 1_000,
                  large: int = 100_000) -> list[Result]:
    print("\n[history] stock issue latency vs prior events on its stream", flush=True)
    sizes = [small, large] + ([1_000_000] if million else [])
    for size in sizes:
        directory = base / f"history-{size}"
        directory.mkdir()
        store = SQLiteEventStore(directory / "events.db", synchronous="NORMAL")  # quick setup only
        registered(store, "w1", "sandbags")
        started = time.perf_counter()
        receipts(store, "w1", "sandbags", size)
        store.close()
        print(f"  {size:,} events written in {time.perf_counter() - started:.1f}s", flush=True)
    apps = {size: application(base / f"history-{size}") for size in sizes}
    for size, app in apps.items():
        started = time.perf_counter()
        issue(app, "w1", "sandbags")  # the first command after a start folds the stream once
        print(f"  first command at {size:,}: {time.perf_counter() - started:.2f}s (cold: no snapshot yet)")
    medians: dict[int, list[float]] = {size: [] for size in sizes}
    for r in range(rounds):
        # command by command in turn, so a busy moment on the machine hits every size alike
        order = sizes if r % 2 == 0 else sizes[::-1]
        timings: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(issues):
            for size in order:
                timings[size].append(issue(apps[size], "w1", "sandbags"))
        for size in sizes:
            medians[size].append(statistics.median(timings[size]))
        print(f"  round {r + 1}: " + "  ".join(f"{s:,}: {medians[s][-1] * 1000:.2f} ms" for s in sizes),
              flush=True)
    base_ms = statistics.median(medians[small]) * 1000
    results = []
    for size in sizes[1:]:
        ms = statistics.median(medians[size]) * 1000
        results.append(report(f"issue latency ms, {size:,} vs {small:,} prior events", base_ms, ms,
                              "target ratio <= 1.2", ms <= 1.2 * base_ms))
    return results


# --- versus the eventsourcing library ----------------------------------------------------------

def run_clients(clients: int, commands: int, one: Callable[[int], None]) -> float:
    """`commands` calls of `one(n)` spread over `clients` threads; commands per second."""
    def client(first: int) -> None:
        for n in range(first, commands, clients):
            one(n)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return commands / (time.perf_counter() - started)


def bench_versus(base: Path, rounds: int, commands: int = 1500, lines: int = 96) -> list[Result]:
    """Both sides issue from `lines` stock lines in turn, so neither replays long streams, and
    the library keeps its aggregate cache (its own answer to re-reading), as we keep ours.
    Measured with one client, and with 8 concurrent clients on their own lines (a service
    serves many keepers at once: concurrent commands share our store's group commit)."""
    print("\n[versus] full command path vs the eventsourcing library (get + new event + save)", flush=True)
    try:
        from eventsourcing.application import Application as EsApplication
        from eventsourcing.domain import Aggregate, event
    except ImportError:
        print("  eventsourcing is not installed: pip install -e '.[bench]'")
        return [("versus eventsourcing", 0, 0, "not run: eventsourcing missing", False)]

    class Line(Aggregate):  # the same job: a count that must not go below zero
        def __init__(self) -> None:
            self.on_hand = 0

        @event("Moved")
        def move(self, quantity: int) -> None:
            if self.on_hand + quantity < 0:
                raise ValueError("insufficient stock")
            self.on_hand += quantity

    def theirs(directory: Path, clients: int) -> float:
        # WAL; the library sets no synchronous pragma, so SQLite's default applies: FULL, as ours
        os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(directory / "es.db"),
                          AGGREGATE_CACHE_MAXSIZE=str(lines * 2))
        app: Any = EsApplication()
        ids = []
        for _ in range(lines):
            line = Line()
            line.move(commands)
            app.save(line)
            ids.append(line.id)

        def one(n: int) -> None:
            current: Any = app.repository.get(ids[n % lines])
            current.move(-1)
            app.save(current)

        return run_clients(clients, commands, one)

    def ours(directory: Path, clients: int) -> float:
        app = application(directory)
        for k in range(lines):
            registered(app.store, f"w{k}", "sandbags")  # type: ignore[arg-type]
            opening = ReceiveStock(warehouse_id=f"w{k}", item_id="sandbags", quantity=commands)
            handlers.change_stock(app, opening, CommandContext(command_id=f"opening-{k}"))

        def one(n: int) -> None:
            line = f"w{n % lines}"
            command = IssueStock(warehouse_id=line, item_id="sandbags", quantity=1, destination="x")
            handlers.change_stock(app, command, CommandContext(command_id=f"c{n}"))

        return run_clients(clients, commands, one)

    def floor(directory: Path, clients: int) -> float:
        """No read, no read model: one bare sqlite3 insert and durable commit per command."""
        return bench_store.raw_append(directory / "raw.db", commands)

    results = []
    for clients in (1, 8):
        rates: dict[str, list[float]] = {"eventsourcing": [], "anbei": [], "floor": []}
        for r in range(rounds):
            order = [("eventsourcing", theirs), ("anbei", ours)]
            order += [("floor", floor)] if clients == 1 else []
            for name, run in order if r % 2 == 0 else order[::-1]:
                directory = base / f"versus-{name}-{clients}-{r}"
                directory.mkdir()
                rates[name].append(run(directory, clients))
            print(f"  {clients} client(s), round {r + 1}: eventsourcing {rates['eventsourcing'][-1]:,.0f}/s  "
                  f"anbei {rates['anbei'][-1]:,.0f}/s"
                  + (f"  bare sqlite3 insert + commit {rates['floor'][-1]:,.0f}/s" if clients == 1 else ""),
                  flush=True)
        theirs_median = statistics.median(rates["eventsourcing"])
        ours_median = statistics.median(rates["anbei"])
        if clients == 1:
            needed, bare = 1.5 * theirs_median, statistics.median(rates["floor"])
            print(f"  1.5x the library is {needed:,.0f} commands/s: a whole command (load, decide, "
                  f"append, read models) in at most {bare / needed:.2f}x the time of a bare sqlite3 "
                  f"insert + durable commit ({bare:,.0f}/s)", flush=True)
        results.append(report(f"commands/s with {clients} client(s), anbei vs eventsourcing 9.5.6",
                              theirs_median, ours_median, "target ratio >= 1.5",
                              ours_median >= 1.5 * theirs_median))
    return results


# --- relay vs raw kombu ------------------------------------------------------------------------

@contextmanager
def vhost() -> Iterator[str]:
    name = f"anbei-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
                   check=True)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], check=False)


def bench_relay(base: Path, rounds: int, count: int = 20_000) -> list[Result]:
    print(f"\n[relay] {count:,} events: relay with pipelined confirms vs raw kombu without confirms",
          flush=True)
    store = SQLiteEventStore(base / "relay.db", synchronous="NORMAL")
    for n in range(0, count, 500):
        store.append(f"stock:w{n % 7}:i{n}", 0, [NewEvent(
            type="StockReceived", occurred_at=now(),
            data={"warehouse_id": "w", "item_id": "i", "quantity": k, "source": "purchase",
                  "reference": None, "note": None}) for k in range(500)])
    bodies = [event.to_message() for event in store.read_all(0, count)]
    rates: dict[str, list[float]] = {"kombu": [], "relay": []}
    for r in range(rounds):
        with vhost() as uri:
            exchange = Exchange("bench.events", type="topic", durable=True)
            with Connection(uri) as connection:
                Queue("bench-all", exchange=exchange, routing_key="#", durable=True)(connection).declare()

            def kombu(uri: str = uri, exchange: Exchange = exchange) -> float:
                with Connection(uri) as connection:
                    producer = Producer(connection.channel(), exchange=exchange)
                    started = time.perf_counter()
                    for body in bodies:
                        producer.publish(body, routing_key=body["type"], serializer="json",
                                         delivery_mode="persistent", retry=False)
                    return count / (time.perf_counter() - started)

            def relay(uri: str = uri) -> float:
                name = f"relay-{uuid.uuid4().hex[:8]}"
                with OutboxRelay(store, "bench", uri, checkpoint=name) as outbox:
                    started = time.perf_counter()
                    while outbox.publish_pending():
                        pass
                    return count / (time.perf_counter() - started)

            for name, run in ((("kombu", kombu), ("relay", relay)) if r % 2 == 0
                              else (("relay", relay), ("kombu", kombu))):
                rates[name].append(run())
        print(f"  round {r + 1}: raw kombu {rates['kombu'][-1]:,.0f}/s  relay {rates['relay'][-1]:,.0f}/s",
              flush=True)
    raw, ours = statistics.median(rates["kombu"]), statistics.median(rates["relay"])
    return [report("messages/s, relay with confirms vs raw kombu without", raw, ours, "target ratio >= 0.5",
                   ours >= 0.5 * raw)]


# --- memory --------------------------------------------------------------------------------

def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def bench_memory(base: Path, commands: int = 10_000) -> list[Result]:
    print(f"\n[memory] resident memory across {commands:,} commands on one stream", flush=True)
    app = application(base)
    registered(app.store, "w1", "sandbags")  # type: ignore[arg-type]
    handlers.change_stock(app, ReceiveStock(warehouse_id="w1", item_id="sandbags", quantity=commands),
                          CommandContext(command_id="opening"))
    readings = []
    for n in range(commands):
        command = IssueStock(warehouse_id="w1", item_id="sandbags", quantity=1, destination="x")
        handlers.change_stock(app, command, CommandContext(command_id=f"m{n}"))
        if n % 1000 == 999:
            gc.collect()
            readings.append(rss_mb())
    print("  RSS after each 1,000 commands (MB): " + ", ".join(f"{m:.0f}" for m in readings))
    first, last = readings[0], readings[-1]
    return [report("RSS MB, after 10,000 vs after 1,000 commands", first, last, "target within +-20%",
                   abs(last - first) <= 0.2 * first)]


# --- a service that does not freeze --------------------------------------------------------

def p99_ms(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=100)[98] * 1000


def bench_frozen(base: Path, history: int = 100_000, reads: int = 1000) -> list[Result]:
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.config import load_keyring, load_settings

    print(f"\n[frozen] another warehouse's stock read while a command folds {history:,} events", flush=True)
    with vhost() as uri:
        env = {**os.environ, "AMQP_URI": uri, "DATA_DIR": str(base),
               "INVENTORY_METRICS_PORT": str(free_port())}
        env = {k: v for k, v in env.items() if k not in ("EVENT_STORE_URL", "VIEW_STORE_PATH")}
        keyring = load_keyring(load_settings("inventory", env))
        store = SQLiteEventStore(base / "inventory-events.db", keyring=keyring, synchronous="NORMAL")
        registered(store, "big-depot", "sandbags")
        registered(store, "other-depot", "jackets")
        receipts(store, "big-depot", "sandbags", history)
        receipts(store, "other-depot", "jackets", 10)
        seal_pending(store)  # a history from before this run: sealed and published long ago
        store.set_checkpoint(RELAY_CHECKPOINT, store.head_position())
        store.close()
        log = open(base / "inventory.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen([sys.executable, "-m", "services.inventory"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            with ClusterRpcProxy({"AMQP_URI": uri}, timeout=300) as rpc:
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:  # start-up projects the whole history first
                    try:
                        if rpc.inventory.get_stock("other-depot")["items"]:  # appended last
                            break
                    except Exception:
                        pass
                    time.sleep(0.5)

                def read_latencies(stop: Callable[[], bool], into: list[float]) -> None:
                    with ClusterRpcProxy({"AMQP_URI": uri}, timeout=60) as own:
                        while not stop():
                            started = time.perf_counter()
                            own.inventory.get_stock("other-depot")
                            into.append(time.perf_counter() - started)

                # at rest: half the reads before the fold and half after, so the baseline spans
                # the same stretch of the machine's day as the reads during it
                at_rest: list[float] = []
                read_latencies(lambda: len(at_rest) >= reads // 2, at_rest)
                during: list[float] = []
                finished = threading.Event()
                reader = threading.Thread(target=read_latencies, args=(finished.is_set, during))
                reader.start()
                started = time.perf_counter()
                rpc.inventory.record_movement({"kind": "issue", "warehouse_id": "big-depot",
                                               "item_id": "sandbags", "quantity": 1, "destination": "x"})
                took = time.perf_counter() - started
                finished.set()
                reader.join()
                before = p99_ms(at_rest)
                read_latencies(lambda: len(at_rest) >= reads, at_rest)
                after = p99_ms(at_rest[reads // 2:])
        finally:
            process.terminate()
            process.wait(30)
            log.close()
    rest_p99 = p99_ms(at_rest)
    during_p99 = p99_ms(during) if len(during) >= 2 else float("inf")
    p50s = statistics.median(during) * 1000, statistics.median(at_rest) * 1000
    print(f"  the cold command took {took:.2f}s; {len(during)} reads ran meanwhile "
          f"(p50 {p50s[0]:.1f} ms; at rest {p50s[1]:.1f} ms; p99 at rest before {before:.1f} ms, "
          f"after {after:.1f} ms)")
    return [report("read p99 ms, during a 100k-event fold vs at rest", rest_p99, during_p99,
                   "target ratio <= 2", during_p99 <= 2 * rest_p99 and len(during) >= 10)]


# --- a cold fold ---------------------------------------------------------------------------

def bench_fold(base: Path, rounds: int, history: int = 100_000) -> list[Result]:
    print(f"\n[fold] a cold load of a {history:,}-event stock line in one process", flush=True)
    store = SQLiteEventStore(base / "events.db", synchronous="NORMAL")
    registered(store, "w1", "sandbags")
    receipts(store, "w1", "sandbags", history)
    line, decider = stock.stream_id("w1", "sandbags"), stock_rules.stock
    opened = 0

    def cold() -> Application:  # a fresh application on fresh read models: no cache, no snapshot
        nonlocal opened
        opened += 1
        return Application(store, ProjectionRunner(store, ViewStore(base / f"views-{opened}.db"), []))

    def from_envelopes() -> None:  # paged as the kernel folds, so only the reading differs
        app, state, version = cold(), decider.initial_state, 0
        while page := store.read_stream(line, version + 1, FOLD_PAGE):
            state = decider.fold((app._decode(decider, envelope) for envelope in page), state)
            version = page[-1].version
        assert version == history

    def from_payloads() -> None:
        assert cold().load(line, decider)[1] == history

    timings: dict[str, list[float]] = {"envelopes": [], "payloads": []}
    for r in range(rounds):
        order = [("envelopes", from_envelopes), ("payloads", from_payloads)]
        for name, fold in order if r % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            fold()
            timings[name].append(time.perf_counter() - started)
        print(f"  round {r + 1}: envelopes {timings['envelopes'][-1]:.2f}s  "
              f"payloads {timings['payloads'][-1]:.2f}s", flush=True)
    store.close()
    baseline, ours = statistics.median(timings["envelopes"]), statistics.median(timings["payloads"])
    return [report(f"cold fold s, {history:,} events: payloads vs envelopes", baseline, ours,
                   "no issue target; lower is better", ours <= baseline)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default="history,versus,relay,memory,frozen,fold")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--million", action="store_true", help="also 1,000,000 prior events")
    parser.add_argument("--dir", default=None)
    args = parser.parse_args(argv)
    print("command:", shlex.join(sys.orig_argv), flush=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus", flush=True)
    chosen = set(args.only.split(","))
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-kernel-", dir=args.dir) as tmp:
        base = Path(tmp)
        for name, run in (("history", lambda d: bench_history(d, args.rounds, args.million)),
                          ("versus", lambda d: bench_versus(d, args.rounds)),
                          ("relay", lambda d: bench_relay(d, args.rounds)),
                          ("memory", bench_memory),
                          ("frozen", bench_frozen),
                          ("fold", lambda d: bench_fold(d, args.rounds))):
            if name in chosen:
                directory = base / name
                directory.mkdir()
                results += run(directory)
    print("\nsummary")
    for name, baseline, ours, target, passed in results:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {baseline:,.2f} -> {ours:,.2f}  ({target})")
    return 0 if all(passed for *_, passed in results) else 1


if __name__ == "__main__":
    sys.exit(main())
