"""Helpers for the replica fault tests: who holds a relay lease, clients writing through the
gateway in other processes, and a recorder of every message a service's relays publish."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kombu import Connection, Queue

from services.launcher import Platform
from shared.outbox import EPOCH_HEADER, RELAY_CHECKPOINT, RELAY_HEADER
from tests.e2e import load_writers
from tests.private_rabbit import wait_until

#: The user whose tokens the fault writers use: their Idempotency-Keys are scoped to it.
WRITER = "replica-fault-writer"


@dataclass(frozen=True)
class Lease:
    holder: str  # the platform's process name: `inventory` (replica 1) or `inventory-2`
    epoch: int


def relay_lease(platform: Platform, service: str) -> Lease | None:
    """Who holds `service`'s relay lease now, by the platform's process name, and its epoch
    (None while nobody holds an unexpired one)."""
    with sqlite3.connect(platform.settings.data_dir / f"{service}-events.db", timeout=10) as db:
        row = db.execute("SELECT owner, epoch, expires_at FROM leases WHERE name = ?",
                         (RELAY_CHECKPOINT,)).fetchone()
    if row is None or row[2] <= time.time():
        return None
    replica = int(row[0].split("@")[0].rsplit("-", 1)[1])
    return Lease(service if replica == 1 else f"{service}-{replica}", row[1])


def wait_for_lease(platform: Platform, service: str, timeout_s: float, *, not_held_by: str = "",
                   after_epoch: int = 0) -> Lease:
    found: list[Lease] = []

    def taken() -> bool:
        lease = relay_lease(platform, service)
        if lease is None or lease.holder == not_held_by or lease.epoch <= after_epoch:
            return False
        found.append(lease)
        return True

    wait_until(taken, timeout_s, f"{service}'s relay lease (not {not_held_by or 'anyone'}, after epoch "
                                 f"{after_epoch})", interval_s=0.2)
    return found[-1]


def pause_outside_a_write(platform: Platform, name: str, service: str, attempts: int = 50) -> None:
    """SIGSTOP process `name` at a moment it holds no write transaction on `service`'s store.

    A process frozen inside one keeps SQLite's write lock, and no other process can write to
    that store (not even to take the relay lease) until it resumes or dies: a limit of one
    SQLite file shared by replicas, not what the lease tests are about. So each attempt stops
    the process, checks that the lock can be taken, and lets it go on again if not."""
    process = platform.processes[name]
    for _ in range(attempts):
        os.kill(process.pid, signal.SIGSTOP)
        if _write_lock_free(platform.settings.data_dir / f"{service}-events.db"):
            return
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.05)
    raise AssertionError(f"{name} held {service}'s write lock at each of {attempts} pauses")


def _write_lock_free(database: Path) -> bool:
    with contextlib.closing(sqlite3.connect(database, timeout=2, isolation_level=None)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        db.execute("ROLLBACK")
    return True


def store_events(platform: Platform, service: str) -> list[tuple[int, str, str]]:
    """(position, event_id, stream_id) of every event in `service`'s store."""
    with sqlite3.connect(platform.settings.data_dir / f"{service}-events.db", timeout=10) as db:
        return [(row[0], row[1], row[2]) for row in
                db.execute("SELECT position, event_id, stream_id FROM events ORDER BY position")]


def published_through(platform: Platform, service: str) -> int:
    with sqlite3.connect(platform.settings.data_dir / f"{service}-events.db", timeout=10) as db:
        row = db.execute("SELECT position FROM checkpoints WHERE name = ?", (RELAY_CHECKPOINT,)).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Write:
    key: str
    status: int
    sent: float
    acked: float

    @property
    def event_id(self) -> str:
        return load_writers.first_event_id(WRITER, self.key)


@contextmanager
def writing(base_url: str, token: str, targets: list[str], seconds: float,
            logs: Path) -> Iterator[list[Write]]:
    """Client processes, one per target (`warehouse/item`), posting stock receipts for
    `seconds`; on exit (after they finish) the list holds every write they sent."""
    spawn = multiprocessing.get_context("spawn")
    deadline = time.monotonic() + seconds
    writers = [spawn.Process(target=load_writers.write_until,
                             args=(base_url, token, "receipt", target, deadline, str(logs / f"{n}.jsonl")))
               for n, target in enumerate(targets)]
    for writer in writers:
        writer.start()
    writes: list[Write] = []
    try:
        yield writes
    finally:
        for writer in writers:
            writer.join(seconds + 60)
            if writer.exitcode is None:
                writer.kill()
                writer.join(10)
    assert all(writer.exitcode == 0 for writer in writers)
    for log in sorted(logs.glob("*.jsonl")):
        for line in log.read_text().splitlines():
            record = json.loads(line)
            writes.append(Write(record["key"], record["status"], record["sent"], record["acked"]))


@dataclass(frozen=True)
class Delivery:
    received: float  # time.monotonic() in this process
    position: int
    event_id: str
    relay: str
    epoch: int


class Recorder:
    """Consumes a queue bound to a service's events in a thread, noting every delivery."""

    def __init__(self, amqp_uri: str, queue: Queue) -> None:
        self.amqp_uri, self.queue = amqp_uri, queue
        self.deliveries: list[Delivery] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(15)

    def _run(self) -> None:
        with (Connection(self.amqp_uri, connect_timeout=5) as connection,
              connection.Consumer(self.queue, callbacks=[self._on_message], accept=["json"])):
            while not self._stop.is_set():
                try:
                    connection.drain_events(timeout=0.2)
                except TimeoutError:
                    continue

    def _on_message(self, body: Any, message: Any) -> None:
        payload = body if isinstance(body, dict) else json.loads(body)
        headers = message.headers or {}
        self.deliveries.append(Delivery(time.monotonic(), payload["position"], payload["event_id"],
                                        str(headers.get(RELAY_HEADER)), int(headers.get(EPOCH_HEADER, 0))))
        message.ack()

    def wait_for(self, positions: int, timeout_s: float) -> None:
        wait_until(lambda: {d.position for d in self.deliveries} >= set(range(1, positions + 1)), timeout_s,
                   f"every one of {positions} events delivered", interval_s=0.2)
