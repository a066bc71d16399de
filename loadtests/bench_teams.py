"""Teams: the readiness board and a readiness report at 1,000 vs 100,000 readiness events.

Two stores with the same teams (the seed's plus `--teams` generated ones) differ only in
how many readiness events they hold; rounds alternate which store goes first, and the
medians' ratio (large / small) is reported against the issue's target of <= 1.2x.

- board: the whole board through `readiness_board` (pages of 1,000), and its first page;
- report: one `report_readiness` command through the RPC body (load, decide, append,
  projections catch up), on teams whose streams hold their share of the events;
- hot report (unless --no-hot): the same command on one team whose own stream holds
  all the events. The first command on a stream folds it once (the events here are
  appended in bulk, so no snapshot exists yet) and leaves a snapshot and the state in
  the cache; round 1 shows that cold cost, and the medians what a running service pays.

    python -m loadtests.bench_teams [--teams 1000] [--small 1000] [--large 100000]
                                    [--rounds 5] [--reports 30] [--dir /tmp] [--no-hot]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from nameko.testing.services import worker_factory

from services.seed import seed_file
from services.teams.domain import teams
from services.teams.projections import PROJECTIONS
from services.teams.service import TeamsService
from services.teams.upcasters import UPCASTERS
from shared.application import Application
from shared.clock import FixedClock
from shared.envelope import NewEvent
from shared.projections import ProjectionRunner
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore

TARGET = 1.2
START = datetime(2024, 1, 1, tzinfo=UTC)
HOT = "hot-team"


def open_service(base: Path, name: str, now: datetime) -> tuple[Any, Application]:
    store = SQLiteEventStore(base / f"{name}-events.db")
    app = Application(store, ProjectionRunner(store, ViewStore(base / f"{name}-views.db"), PROJECTIONS,
                                              UPCASTERS), UPCASTERS)
    return worker_factory(TeamsService, es=app, clock=FixedClock(now)), app


def generated(n: int) -> dict[str, Any]:
    capabilities = [["flood_water_rescue", "drainage"], ["forest_fire"]][n % 2]
    return {"team_id": f"generated-{n:05d}", "name": f"Generated team {n}", "name_zh": f"生成队伍{n}",
            "team_type": "township", "capabilities": capabilities,
            "township": seed_file("townships")["townships"][n % 22]["township_id"], "members": 40,
            "equipment": [{"item_id": "pump", "name": "pump", "quantity": 2}]}


def register_all(service: Any, extra_teams: int) -> list[str]:
    for township in seed_file("townships")["townships"]:
        service.register_township(township)
    bodies = [*seed_file("teams"), *(generated(n) for n in range(extra_teams))]
    for body in bodies:
        service.register_team({**body, "occurred_at": START.isoformat()})
    return [body["team_id"] for body in bodies]


def readiness(team_id: str, n: int) -> NewEvent:
    return NewEvent(type="ReadinessReported", schema_version=2, occurred_at=START + timedelta(seconds=n),
                    data={"team_id": team_id, "status": ("ready", "partially_ready")[n % 2],
                          "people_available": n % 10, "equipment_available": None, "equipment_notes": None,
                          "location": None, "coordinates": None, "note": None})


def fill(app: Application, team_ids: list[str], total: int) -> None:
    """`total` readiness events spread evenly over the teams, appended in batches, then projected."""
    share, left = divmod(total, len(team_ids))
    for index, team_id in enumerate(team_ids):
        count = share + (index < left)
        stream = teams.stream_id(team_id)
        for first in range(0, count, 1000):
            batch = [readiness(team_id, first + j) for j in range(min(1000, count - first))]
            app.store.append(stream, app.store.stream_version(stream), batch)
    app.runner.catch_up()


def fill_hot(service: Any, app: Application, total: int) -> None:
    service.register_team({"team_id": HOT, "name": "Hot team", "name_zh": "热点队伍", "team_type": "township",
                           "members": 40, "occurred_at": START.isoformat()})
    fill(app, [HOT], total)


def timed(work: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` runs of `work`."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def whole_board(service: Any) -> int:
    query: dict[str, Any] = {"limit": 1000}
    count = 0
    while True:
        page = service.readiness_board(query)
        count += len(page["items"])
        if page["next"] is None:
            return count
        query = {**query, "after": page["next"]}


def reports(service: Any, team_ids: list[str], count: int) -> Callable[[], object]:
    state = {"n": 0}

    def one() -> object:
        state["n"] += 1
        team_id = team_ids[state["n"] % len(team_ids)]
        return service.report_readiness({"team_id": team_id, "status": "ready", "people_available": 5})

    return lambda: [one() for _ in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--teams", type=int, default=1000, help="generated teams beside the seed's")
    parser.add_argument("--small", type=int, default=1000, help="readiness events in the small store")
    parser.add_argument("--large", type=int, default=100_000, help="readiness events in the large store")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reports", type=int, default=30, help="report commands timed per round")
    parser.add_argument("--dir", default=None, help="where temp files go (default: system tmp)")
    parser.add_argument("--no-hot", action="store_true", help="skip the one-long-stream case")
    args = parser.parse_args(argv)
    print("command:", shlex.join(sys.orig_argv))
    sizes = {"small": args.small, "large": args.large}
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-teams-", dir=args.dir) as tmp:
        base, now = Path(tmp), START + timedelta(days=400)
        services: dict[str, Any] = {}
        for name, total in sizes.items():
            began = time.perf_counter()
            service, app = open_service(base, name, now)
            team_ids = register_all(service, args.teams)
            fill(app, team_ids, total)
            if not args.no_hot:
                hot, hot_app = open_service(base, f"{name}-hot", now)
                fill_hot(hot, hot_app, total)
                services[f"{name}-hot"] = hot
            services[name] = (service, team_ids)
            print(f"{name}: {len(team_ids)} teams, {total:,} readiness events "
                  f"(set up in {time.perf_counter() - began:.0f} s)")
        for r in range(1, args.rounds + 1):
            order = ["small", "large"] if r % 2 else ["large", "small"]
            for name in order:
                service, team_ids = services[name]
                row = results.setdefault(name, {})
                row.setdefault("board (all pages)", []).append(timed(partial(whole_board, service), 3))
                row.setdefault("board (first page)", []).append(timed(service.readiness_board, 5))
                row.setdefault("report", []).append(
                    timed(reports(service, team_ids, args.reports), 1) / args.reports)
                if not args.no_hot:
                    hot = services[f"{name}-hot"]
                    row.setdefault("hot report", []).append(timed(reports(hot, [HOT], 3), 1) / 3)
            print(f"round {r} ({order[0]} first): " + " | ".join(
                f"{what} {results['small'][what][-1] * 1000:.1f}/{results['large'][what][-1] * 1000:.1f} ms"
                for what in results["small"]))
        print(f"\nmedians over {args.rounds} rounds, small = {args.small:,} events, large = {args.large:,}:")
        ok = True
        for what in results["small"]:
            small, large = (statistics.median(results[name][what]) for name in ("small", "large"))
            verdict = "PASS" if large <= TARGET * small else "FAIL"
            ok = ok and verdict == "PASS"
            print(f"  {what:18} small {small * 1000:8.2f} ms  large {large * 1000:8.2f} ms  "
                  f"ratio {large / small:6.2f} (target <= {TARGET})  {verdict}")
        print(f"whole board: {whole_board(services['large'][0])} teams")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
