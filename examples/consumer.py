"""An example consumer of Anbei's events, as another system would write it (kombu, jsonschema).

    python examples/consumer.py --gateway http://127.0.0.1:8000 --token "$OBSERVER_TOKEN" \\
        --amqp amqp://guest:guest@127.0.0.1:5672/ --service inventory \\
        --queue provincial-platform.inventory --state provincial-platform.db

In the order that leaves no gap and applies nothing twice, it:
1. loads the AsyncAPI document (`/api/v1/asyncapi.json`) and validates every event by it;
2. declares its durable queue, bound to `<service>.events` for every routing key (`#`): from
   then on the broker keeps each event published, also while this program is down;
3. backfills from the HTTP feed after the position it last read there, to the end;
4. follows the queue. An event at or before the feed position was read from the feed; any
   other is applied once (its `event_id` is recorded in the same transaction as the effect)
   and in version order per stream: when a stream's version skips ahead (the relay resends
   after a broker nack), it first reads the feed on to that event.
It prints one JSON line per step and stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sqlite3
import urllib.request
from collections.abc import Callable
from typing import Any

from jsonschema import Draft7Validator
from kombu import Connection, Exchange, Message, Queue
from kombu.mixins import ConsumerMixin
from referencing import Registry
from referencing.jsonschema import DRAFT7

Json = dict[str, Any]


def emit(step: str, **facts: Any) -> None:
    print(json.dumps({"step": step, **facts}, ensure_ascii=False), flush=True)


class Ledger:
    """This consumer's own state: the events it applied and how far it read the feed."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS applied (event_id TEXT PRIMARY KEY, stream_id TEXT NOT NULL,
                                                version INTEGER NOT NULL, position INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS applied_by_stream ON applied (stream_id, version);
            CREATE TABLE IF NOT EXISTS feed (service TEXT PRIMARY KEY, position INTEGER NOT NULL);
        """)

    def feed_position(self, service: str) -> int:
        row = self.db.execute("SELECT position FROM feed WHERE service = ?", (service,)).fetchone()
        return int(row[0]) if row else 0

    def seen(self, event_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM applied WHERE event_id = ?", (event_id,)).fetchone() is not None

    def stream_version(self, stream_id: str) -> int:
        row = self.db.execute("SELECT MAX(version) FROM applied WHERE stream_id = ?", (stream_id,)).fetchone()
        return int(row[0] or 0)

    def apply(self, event: Json, service: str, from_feed: bool) -> None:
        with self.db:  # one transaction: the effect, the record of the event_id and the feed position
            self.db.execute("INSERT INTO applied VALUES (?, ?, ?, ?)",
                            (event["event_id"], event["stream_id"], event["version"], event["position"]))
            # ... this system's own effect goes here, in the same transaction ...
            if from_feed:
                self.read_feed_to(service, event["position"])

    def read_feed_to(self, service: str, position: int) -> None:
        self.db.execute("INSERT INTO feed VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET position = "
                        "MAX(position, excluded.position)", (service, position))


class Catalogue:
    """The published schemas, from the gateway's AsyncAPI document."""

    def __init__(self, document: Json) -> None:
        self.messages: Json = document["components"]["messages"]
        self.registry: Registry[Any] = Registry().with_resource("urn:anbei:events",
                                                                DRAFT7.create_resource(document))

    def problem(self, service: str, event: Json) -> str | None:
        """Why `event` does not fit its published schema, or None when it does."""
        name = f"{service}.{event.get('type')}.v{event.get('schema_version')}"
        if name not in self.messages:
            return f"no published schema for {name}"
        validator = Draft7Validator({"$ref": f"urn:anbei:events#/components/messages/{name}/payload"},
                                    registry=self.registry, format_checker=Draft7Validator.FORMAT_CHECKER)
        error = next(iter(validator.iter_errors(event)), None)
        return None if error is None else f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


class Follower(ConsumerMixin):  # type: ignore[misc]
    """Consumes the queue with manual acks, reconnecting after a broker outage (kombu's ConsumerMixin)."""

    def __init__(self, connection: Connection, queue: Queue, handle: Callable[[Json], bool]) -> None:
        self.connection, self.queue, self.handle = connection, queue, handle

    def get_consumers(self, consumer: Any, channel: Any) -> list[Any]:
        return [consumer(queues=[self.queue], callbacks=[self.on_message], accept=["json"],
                         prefetch_count=50)]

    def on_message(self, body: Json, message: Message) -> None:
        if self.handle(body):
            message.ack()
        else:
            message.reject()  # not requeued: give the queue a dead-letter exchange to keep these


class Consumer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args, self.service = args, args.service
        self.ledger = Ledger(args.state)
        self.catalogue = Catalogue(self._get("/api/v1/asyncapi.json"))

    def _get(self, path: str) -> Json:
        request = urllib.request.Request(f"{self.args.gateway}{path}",
                                         headers={"Authorization": f"Bearer {self.args.token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body: Json = json.load(answer)
            return body

    def backfill(self, until: int | None = None) -> None:
        """Apply the feed's events after the position last read there, to the end (or to `until`)."""
        after = self.ledger.feed_position(self.service)
        while until is None or after < until:
            page = self._get(f"/api/v1/feed/{self.service}?after={after}&limit=500")
            events = [event for event in page["items"] if until is None or event["position"] <= until]
            for event in events:
                self.handle(event, from_feed=True)
            if not events:
                break
            after = events[-1]["position"]
        emit("backfilled", service=self.service, position=self.ledger.feed_position(self.service))

    def handle(self, event: Json, from_feed: bool = False, filled: bool = False) -> bool:
        """Apply `event` unless it was applied before; False when it does not fit its schema."""
        facts = {key: event.get(key) for key in ("event_id", "type", "stream_id", "version", "position")}
        facts["source"] = "feed" if from_feed else "amqp"
        problem = self.catalogue.problem(self.service, event)
        if problem is not None:
            emit("rejected", **facts, reason=problem)
            self._passed(event, from_feed)  # shown, never retried
            return False
        if not from_feed and event["position"] <= self.ledger.feed_position(self.service):
            emit("duplicate", **facts, reason="read from the feed already")
            return True
        if self.ledger.seen(event["event_id"]):
            emit("duplicate", **facts, reason="event_id applied already")
            self._passed(event, from_feed)
            return True
        ahead = event["version"] > self.ledger.stream_version(event["stream_id"]) + 1
        if ahead and not (from_feed or filled):
            emit("gap", **facts)
            self.backfill(until=event["position"])  # the feed holds the missing versions, in order
            return self.handle(event, filled=True)
        self.ledger.apply(event, self.service, from_feed)
        emit("applied", **facts)
        return True

    def _passed(self, event: Json, from_feed: bool) -> None:
        if from_feed:
            with self.ledger.db:
                self.ledger.read_feed_to(self.service, event["position"])

    def run(self) -> None:
        with Connection(self.args.amqp) as connection:
            exchange = Exchange(f"{self.service}.events", type="topic", durable=True)
            queue = Queue(self.args.queue, exchange=exchange, routing_key="#", durable=True)
            queue(connection.default_channel).declare()  # bound before the backfill: no gap
            emit("bound", queue=self.args.queue, exchange=exchange.name)
            self.backfill()
            follower = Follower(connection, queue, self.handle)
            signal.signal(signal.SIGTERM, lambda *_: setattr(follower, "should_stop", True))
            emit("following", queue=self.args.queue)
            with contextlib.suppress(KeyboardInterrupt):
                follower.run()
        emit("stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gateway", default="http://127.0.0.1:8000", help="the gateway's base URL")
    parser.add_argument("--token", required=True, help="an observer token (the feed needs one)")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/", help="the broker")
    parser.add_argument("--service", default="inventory", choices=("inventory", "teams", "incidents"))
    parser.add_argument("--queue", required=True, help="this system's durable queue, e.g. province.inventory")
    parser.add_argument("--state", required=True, help="this system's SQLite file: events applied, feed read")
    Consumer(parser.parse_args()).run()


if __name__ == "__main__":
    main()
