"""The README's example consumer (examples/consumer.py) against the live platform: it binds its
queue, backfills from the feed, follows AMQP, validates every event by the published schema,
and applies each event exactly once, ignoring a redelivered copy."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kombu import Connection, Exchange, Producer, Queue

from services.launcher import Platform
from tests.api_client import Api
from tests.e2e.test_feed import read_pages
from tests.e2e.world import World, expect
from tests.platform import issue_token

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "consumer.py"
Line = dict[str, Any]


class Output:
    """The consumer's JSON lines, read as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[Line] = []
        self._new: queue.Queue[Line] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for text in process.stdout:
            self._new.put(json.loads(text))

    def wait_for(self, wanted: Callable[[Line], bool], timeout_s: float = 60) -> Line:
        found = next((line for line in self.lines if wanted(line)), None)
        deadline = time.monotonic() + timeout_s
        while found is None:
            try:
                line = self._new.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such line in {timeout_s}s; the last: {self.lines[-5:]}") from None
            self.lines.append(line)
            found = line if wanted(line) else None
        return found

    def drain(self, timeout_s: float) -> None:
        """Take in the lines that arrive within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.lines.append(self._new.get(timeout=left))
            except queue.Empty:
                return


@contextmanager
def example_consumer(platform: Platform, amqp_uri: str, token: str, state: Path) -> Iterator[Output]:
    queue_name = f"provincial-platform.{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--gateway", platform.url, "--token", token, "--amqp", amqp_uri,
         "--service", "inventory", "--queue", queue_name, "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output = Output(process)
    try:
        output.wait_for(lambda line: line["step"] == "following")
        yield output
        process.send_signal(signal.SIGTERM)
        output.wait_for(lambda line: line["step"] == "stopped", timeout_s=30)
    finally:
        if process.poll() is None:
            process.kill()
        _, errors = process.communicate(timeout=30)
        print(errors[-3000:])
        with Connection(amqp_uri) as connection:
            Queue(queue_name)(connection.default_channel).delete()


def publish_again(amqp_uri: str, envelope: dict[str, Any]) -> None:
    """Publish an envelope as the relay does, e.g. its resend of a batch after a broker nack."""
    with Connection(amqp_uri) as connection:
        Producer(connection.default_channel).publish(
            json.dumps(envelope), exchange=Exchange("inventory.events", type="topic", durable=True),
            routing_key=envelope["type"], content_type="application/json", content_encoding="utf-8",
            delivery_mode=2, message_id=envelope["event_id"], declare=[])


def test_the_example_consumer_applies_every_event_once_validated_and_ignores_a_redelivered_copy(
        platform: Platform, session_amqp_uri: str, tmp_path: Path) -> None:
    admin = Api(platform.url, issue_token(platform))
    token = issue_token(platform, "observer", user="provincial-platform")
    observer = Api(platform.url, token)
    world = World.create(admin)  # history to backfill; its census keeps arriving in the background

    with example_consumer(platform, session_amqp_uri, token, tmp_path / "state.db") as output:
        backfilled = output.wait_for(lambda line: line["step"] == "backfilled")["position"]
        receipt_body = {"kind": "receipt", "item_id": world.item, "quantity": 7, "reference": "PO consumer"}
        expect(admin.post(f"/warehouses/{world.warehouse}/movements", receipt_body))
        receipt = output.wait_for(lambda line: line["step"] == "applied" and line["type"] == "StockReceived"
                                  and line["position"] > backfilled and line["source"] == "amqp")
        everything, _ = read_pages(observer, "inventory", 0, 500)
        [envelope] = [event for event in everything if event["event_id"] == receipt["event_id"]]
        assert envelope["data"]["reference"] == "PO consumer"

        publish_again(session_amqp_uri, envelope)
        again = output.wait_for(lambda line: line["step"] == "duplicate"
                                and line["event_id"] == envelope["event_id"])
        assert again["reason"] == "event_id applied already"

        forged = envelope | {"event_id": str(uuid.uuid4()), "position": envelope["position"] + 10_000,
                             "data": {k: v for k, v in envelope["data"].items() if k != "quantity"}}
        publish_again(session_amqp_uri, forged)
        rejected = output.wait_for(lambda line: line["step"] == "rejected"
                                   and line["event_id"] == forged["event_id"])
        assert "'quantity' is a required property" in rejected["reason"]

        head: list[dict[str, Any]] = []

        def caught_up() -> bool:
            head[:] = read_pages(observer, "inventory", 0, 500)[0]
            applied = {line["event_id"] for line in output.lines if line["step"] == "applied"}
            return {event["event_id"] for event in head} <= applied

        deadline = time.monotonic() + 60
        while not caught_up():  # the census is still being received in the background
            assert time.monotonic() < deadline, "the consumer did not catch up with the feed"
            output.drain(0.5)

    applied = [line for line in output.lines if line["step"] == "applied"]
    applied_ids = [line["event_id"] for line in applied]
    assert len(applied_ids) == len(set(applied_ids)), "an event was applied twice"
    assert {event["event_id"] for event in head} <= set(applied_ids), "an event was missed"
    assert set(applied_ids) <= {event["event_id"] for event in read_pages(observer, "inventory", 0, 500)[0]}
    assert {line["source"] for line in applied} == {"feed", "amqp"}
    assert [line["event_id"] for line in output.lines if line["step"] == "rejected"] == [forged["event_id"]]
    by_stream: dict[str, list[int]] = {}
    for line in applied:
        by_stream.setdefault(line["stream_id"], []).append(line["version"])
    assert all(versions == list(range(1, len(versions) + 1)) for versions in by_stream.values())
