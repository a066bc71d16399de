"""A service process dies by SIGKILL while appending and relaying: nothing committed is lost.

The child appends events one per transaction and runs the relay in a thread, like a
service does. It is killed once the relay has confirmed some events and lags behind the
appends. A new relay on the same store file must then publish everything that was
committed and not yet confirmed: the consumer sees every committed event at least once,
and nothing that was never committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shared.outbox import OutboxRelay
from shared.store.sqlite import SQLiteEventStore
from tests.outbox_support import assert_every_event_delivered_in_stream_order, publish_all, unique
from tests.private_rabbit import bind_event_queue, drain, wait_until

pytestmark = pytest.mark.rabbit

REPO = Path(__file__).resolve().parents[2]
CHECKPOINT = "outbox-relay"
PLANNED = 100_000  # far more than the child can append before it is killed

_SERVICE_PROCESS = textwrap.dedent("""
    import sys
    import threading

    from shared.outbox import OutboxRelay
    from shared.store.sqlite import SQLiteEventStore
    from tests.outbox_support import append_round_robin

    path, service, amqp_uri, planned = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = SQLiteEventStore(path)
    relay = OutboxRelay(store, service, amqp_uri, batch=50, poll_s=0.05)
    threading.Thread(target=relay.run, args=(threading.Event(),), daemon=True).start()
    append_round_robin(store, planned, streams=5, relay=relay)
    print("appended everything: the test meant to kill me first", flush=True)
""")


def test_a_new_relay_publishes_what_a_killed_process_committed_but_had_not_confirmed(
    amqp_uri: str, tmp_path: Path
) -> None:
    service, path = unique("killed"), tmp_path / "events.db"
    queue = bind_event_queue(amqp_uri, service, "killed-q")
    store = SQLiteEventStore(path)
    script = tmp_path / "service_process.py"
    script.write_text(_SERVICE_PROCESS)
    output = (tmp_path / "child.log").open("w")
    child = subprocess.Popen(
        [sys.executable, str(script), str(path), service, amqp_uri, str(PLANNED)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=output, stderr=subprocess.STDOUT,
    )
    try:
        # mid-way: the relay has confirmed some events and is behind the appends
        def mid_way() -> bool:
            confirmed = store.get_checkpoint(CHECKPOINT)
            return confirmed >= 100 and store.head_position() - confirmed >= 100

        wait_until(lambda: child.poll() is not None or mid_way(), 20, "the child to append and publish")
        assert child.poll() is None, (tmp_path / "child.log").read_text()
        child.send_signal(signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        output.close()

    committed = store.read_all(0, PLANNED)
    confirmed = store.get_checkpoint(CHECKPOINT)
    assert 0 < confirmed < len(committed) < PLANNED, (confirmed, len(committed))
    assert [e.position for e in committed] == list(range(1, len(committed) + 1))

    with OutboxRelay(store, service, amqp_uri, batch=500) as relay:
        assert relay.backlog() == len(committed) - confirmed
        assert publish_all(relay) == len(committed) - confirmed
        assert relay.backlog() == 0

    messages = drain(amqp_uri, queue, expect=len(committed), timeout_s=30)
    assert_every_event_delivered_in_stream_order([m.payload for m in messages], committed)
