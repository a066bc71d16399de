"""A backup taken while four clients write through the gateway restores to exactly its manifest.

The platform runs as `scripts/run` runs it. Four client processes write for 20 seconds (two
stock receipts, one readiness reports, one incident reports); after 8 seconds `python -m
services backup` runs as an operator would run it. Then `python -m services restore` fills an
empty folder, and a platform started on it serves the restored record.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.backup.catalog import STORES, local_paths
from services.backup.manifest import Manifest, load_manifest
from shared.envelope import EventEnvelope
from shared.keyring import Keyring
from shared.projections import ProjectionRunner, iter_all
from shared.store.sqlite import SQLiteEventStore
from shared.views import ViewStore
from tests.backup_support import local_keyring
from tests.e2e import load_writers
from tests.gateway_client import USER, get, post, session
from tests.platform import issue_token, running_platform

WRITE_S, BACKUP_AFTER_S = 20.0, 8.0


@dataclass(frozen=True)
class Write:
    service: str
    key: str
    sent: float
    acked: float

    @property
    def event_id(self) -> str:
        return load_writers.first_event_id(USER, self.key)


def _setup(base_url: str, token: str, run: str) -> list[tuple[str, str]]:
    """Register what the writers write about; each writer's (command, target)."""
    http = session(token)
    item, warehouse, team = f"sandbags-{run}", f"depot-{run}", f"flood-team-{run}"
    for path, body in [
        ("/items", {"item_id": item, "name": "woven sandbags", "name_zh": "编织袋", "unit": "bag",
                    "category_code": "3999999"}),
        ("/items", {"item_id": f"{item}-b", "name": "life jackets", "name_zh": "救生衣", "unit": "piece",
                    "category_code": "2999999"}),
        ("/warehouses", {"warehouse_id": warehouse, "name": "Sanshipu depot", "name_zh": "三十铺镇物资库",
                         "kind": "township", "area_m2": 60}),
        ("/teams", {"team_id": team, "name": "Sanshipu flood team", "name_zh": "三十铺镇防汛应急队",
                    "team_type": "township", "members": 57}),
    ]:
        assert post(http, base_url, path, body).status_code == 201
    return [("receipt", f"{warehouse}/{item}"), ("receipt", f"{warehouse}/{item}-b"),
            ("readiness", team), ("incident", f"load-{run}")]


def _write_while_backing_up(base_url: str, token: str, env: dict[str, str], backup: Path, logs: Path,
                            ) -> tuple[list[Write], float, float]:
    spawn = multiprocessing.get_context("spawn")
    deadline = time.monotonic() + WRITE_S
    writers = []
    for number, (command, target) in enumerate(_setup(base_url, token, uuid.uuid4().hex[:6])):
        out = str(logs / f"{number}.jsonl")
        writers.append(spawn.Process(target=load_writers.write_until,
                                     args=(base_url, token, command, target, deadline, out)))
    for writer in writers:
        writer.start()
    time.sleep(BACKUP_AFTER_S)
    started = time.monotonic()
    taken = subprocess.run([sys.executable, "-m", "services", "backup", str(backup)], env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    finished = time.monotonic()
    for writer in writers:
        writer.join(WRITE_S + 60)
        assert writer.exitcode == 0
    assert taken.returncode == 0, taken.stderr
    assert finished < deadline, "the backup ran past the writers: raise WRITE_S"
    return _acknowledged(logs), started, finished


def _acknowledged(logs: Path) -> list[Write]:
    lines = [json.loads(line) for log in sorted(logs.glob("*.jsonl"))
             for line in log.read_text().splitlines()]
    return [Write(line["service"], line["key"], line["sent"], line["acked"])
            for line in lines if line["status"] == 201]


def _events(path: Path, keyring: Keyring) -> list[EventEnvelope]:
    store = SQLiteEventStore(path, keyring=keyring)
    try:
        return list(iter_all(store))
    finally:
        store.close()


def _check_store(service: str, writes: list[Write], manifest: Manifest, live_dir: Path, restored_dir: Path,
                 window: tuple[float, float]) -> None:
    keyring = local_keyring(live_dir)
    head = manifest.stores[service].facts.head_position
    live = _events(local_paths(service, live_dir)[0], keyring)
    restored = _events(local_paths(service, restored_dir)[0], keyring)
    assert restored == [event for event in live if event.position <= head]
    position = {str(event.event_id): event.position for event in live}
    present = {str(event.event_id) for event in restored}
    mine = [write for write in writes if write.service == service]
    if service == "gateway":  # the token book: nobody writes to it during the run
        return
    before = [write for write in mine if write.acked < window[0]]
    after = [write for write in mine if write.sent > window[1]]
    assert before and after, f"{service}: the clients wrote on only one side of the backup"
    for write in mine:
        assert (position[write.event_id] <= head) == (write.event_id in present)
    assert all(write.event_id in present for write in before)
    assert not any(write.event_id in present for write in after)


def _read_models_equal_a_rebuild(restored_dir: Path) -> None:
    keyring = local_keyring(restored_dir)
    for service, read_models in STORES.items():
        events, views_path = local_paths(service, restored_dir)
        store, views = SQLiteEventStore(events, keyring=keyring), ViewStore(views_path, owner=service)
        report = ProjectionRunner(store, views, read_models.projections, read_models.upcasters,
                                  name=service).verify()
        assert report.ok, report
        assert report.position == report.head
        store.close()
        views.close()


def _restored_stock(restored_dir: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for event in _events(local_paths("inventory", restored_dir)[0], local_keyring(restored_dir)):
        if event.type == "StockReceived":
            key = f"{event.data['warehouse_id']}/{event.data['item_id']}"
            totals[key] = totals.get(key, 0) + event.data["quantity"]
    return totals


def test_a_backup_taken_while_four_clients_write_restores_to_exactly_the_events_its_manifest_lists(
    amqp_uri: str, tmp_path: Path
) -> None:
    live_dir, backup, restored_dir, logs = (tmp_path / name
                                            for name in ("live", "backup", "restored", "logs"))
    logs.mkdir()
    with running_platform(amqp_uri, live_dir) as platform:
        token = issue_token(platform, user=USER)
        writes, started, finished = _write_while_backing_up(platform.url, token, platform.env, backup, logs)
    restored = subprocess.run([sys.executable, "-m", "services", "restore", str(backup), "--key-file",
                               str(live_dir / "secrets" / "event-hmac-keys")],
                              env={**platform.env, "DATA_DIR": str(restored_dir)},
                              capture_output=True, text=True, timeout=300, check=False)
    assert restored.returncode == 0, restored.stderr

    manifest = load_manifest(backup)
    for service in STORES:
        _check_store(service, writes, manifest, live_dir, restored_dir, (started, finished))
    _read_models_equal_a_rebuild(restored_dir)
    with running_platform(amqp_uri, restored_dir) as again:
        http = session(issue_token(again, user=USER))
        for line, quantity in _restored_stock(restored_dir).items():
            warehouse, item = line.split("/")
            levels = get(http, again.url, f"/warehouses/{warehouse}/stock").json()["items"]
            assert next(level["on_hand"] for level in levels if level["item_id"] == item) == quantity
