"""RabbitMQ for tests: a throwaway vhost on the local broker, so runs never collide."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

BROKER = os.environ.get("TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")


def rabbitmqctl(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


@contextmanager
def fresh_vhost() -> Iterator[str]:
    """Yield an AMQP URI on a new, empty vhost; delete the vhost afterwards."""
    vhost = f"anbei-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"{BROKER}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
