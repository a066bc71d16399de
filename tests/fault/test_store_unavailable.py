"""The inventory event store unavailable under the running platform: its SQLite file locked by
another process past the busy timeout, then its filesystem full. Each time the gateway answers a
clear 503 `store_unavailable` within the RPC timeout (never a 500, never a hang), reads still
answer, nothing is half-written, and once the lock is gone or space is freed the same command
under the same Idempotency-Key succeeds and is recorded once; the relay catches up by itself.

The store lives on a small tmpfs the test mounts (`tests/fault` runs as root in CI, as
`.ci/run` runs `./scripts/test`): where it cannot mount, the test fails and says why.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from services.launcher import Platform
from shared.store.sqlite import SQLiteEventStore
from tests.api_client import Api
from tests.fault.support import (
    OPENING_STOCK,
    USER,
    World,
    assert_every_service_verifies,
    command_id,
    on_hand,
    register_world,
    store_path,
    wait_for_relays,
)
from tests.platform import issue_token, running_platform

pytestmark = pytest.mark.rabbit
#: The gateway waits this long for a service; the service's store waits a third of it for its turn
#: among the process's writers and as long for the file's lock (`shared.nameko_kit`).
RPC_TIMEOUT_S = 4.0
TMPFS_SIZE = "4m"

_LOCKER = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes our stdin
    db.execute("ROLLBACK")
""")


@contextmanager
def small_filesystem(mount_point: Path) -> Iterator[Path]:
    """A tmpfs of `TMPFS_SIZE` at `mount_point`, unmounted afterwards."""
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.fail(f"this test mounts a {TMPFS_SIZE} tmpfs to fill the event store's disk and needs root "
                    f"for it (CI runs ./scripts/test as root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True, timeout=30)


@pytest.fixture(scope="module")
def platform_on_small_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Path]]:
    """The platform, with the inventory event store's file (and its WAL) on a tmpfs of its own."""
    from tests.rabbit import fresh_vhost

    data_dir = tmp_path_factory.mktemp("small-disk")
    with fresh_vhost() as amqp_uri, small_filesystem(data_dir / "small") as small:
        # SQLite resolves the link, so the -wal and -shm files are made beside the target
        store_path(data_dir, "inventory").symlink_to(small / "inventory-events.db")
        with running_platform(amqp_uri, data_dir, {"RPC_TIMEOUT_S": str(RPC_TIMEOUT_S)}) as platform:
            assert (small / "inventory-events.db-wal").exists(), list(small.iterdir())
            yield platform, small


@pytest.fixture(scope="module")
def api(platform_on_small_disk: tuple[Platform, Path]) -> Api:
    return Api(platform_on_small_disk[0].url, issue_token(platform_on_small_disk[0], user=USER))


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    return register_world(api, items=1, teams=0)


def receipt(api: Api, world: World, key: str, quantity: int = 5) -> tuple[int, dict[str, object], float]:
    """Send one receipt; its status, body and how long the answer took."""
    started = time.monotonic()
    response = api.post(f"/warehouses/{world.warehouse}/movements",
                        {"kind": "receipt", "item_id": world.items[0], "quantity": quantity,
                         "reference": f"PO {key[-6:]}"}, key)
    return response.status_code, response.json(), time.monotonic() - started


def recorded(data_dir: Path, key: str) -> int:
    """How many events the command sent under `key` recorded (0 when it never was)."""
    store = SQLiteEventStore(store_path(data_dir, "inventory"))
    try:
        with store._connection() as db:  # the command id is in each event's metadata
            (count,) = db.execute("SELECT COUNT(*) FROM events WHERE json_extract(metadata, "
                                  "'$.command_id') = ?", (command_id(key),)).fetchone()
        return int(count)
    finally:
        store.close()


def assert_unavailable(status: int, body: dict[str, object], elapsed: float) -> None:
    assert (status, body.get("code")) == (503, "store_unavailable"), (status, body)
    assert elapsed < RPC_TIMEOUT_S + 1, f"the answer took {elapsed:.1f}s"


def assert_recovered_whole(platform: Platform, key: str, quantity_before: int, api: Api, world: World,
                           ) -> None:
    """The same key now succeeds once, a second send replays it, nothing is left over."""
    status, first, _ = receipt(api, world, key)
    assert status == 201, first
    assert receipt(api, world, key)[:2] == (201, first)
    assert recorded(platform.settings.data_dir, key) == 1
    assert on_hand(api, world, world.items[0]) == quantity_before + 5
    wait_for_relays(platform.settings.data_dir, ("inventory",), timeout_s=30)
    assert_every_service_verifies(platform.settings.amqp_uri)


def test_a_store_locked_by_another_process_is_a_503_and_the_same_command_succeeds_once_after(
    platform_on_small_disk: tuple[Platform, Path], api: Api, world: World,
) -> None:
    platform, _ = platform_on_small_disk
    data_dir = platform.settings.data_dir
    before = on_hand(api, world, world.items[0])
    assert before == OPENING_STOCK
    key = f"locked-{uuid.uuid4().hex}"
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(store_path(data_dir, "inventory"))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        for _ in range(2):  # and again: the service is still there and still says so
            assert_unavailable(*receipt(api, world, key))
        # reads go on: WAL readers never wait for the writer
        assert on_hand(api, world, world.items[0]) == before
    finally:
        assert locker.stdin is not None
        locker.stdin.close()
        assert locker.wait(10) == 0
    assert recorded(data_dir, key) == 0
    assert platform.dead() is None
    assert_recovered_whole(platform, key, before, api, world)


def fill(small: Path) -> Path:
    """Write a file on the small filesystem until it has not one byte left."""
    filler = small / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        size = 1 << 16
        while size:
            try:
                os.write(descriptor, b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                size //= 2  # then fill what a smaller write still fits
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_is_a_503_and_after_space_is_freed_the_same_command_succeeds_once(
    platform_on_small_disk: tuple[Platform, Path], api: Api, world: World,
) -> None:
    platform, small = platform_on_small_disk
    before = on_hand(api, world, world.items[0])
    filler = fill(small)
    try:
        # SQLite reuses WAL space it already has: send until a write needs a new page
        accepted, answer = 0, (0, dict[str, object](), 0.0)
        for number in range(200):
            key = f"full-{number}-{uuid.uuid4().hex}"
            answer = receipt(api, world, key)
            if answer[0] != 201:
                break
            accepted += 1
        assert_unavailable(*answer)
        assert recorded(platform.settings.data_dir, key) == 0
        assert on_hand(api, world, world.items[0]) == before + 5 * accepted
        assert_unavailable(*receipt(api, world, key))  # still full: still a clear 503
        assert platform.dead() is None
    finally:
        filler.unlink()
    assert_recovered_whole(platform, key, before + 5 * accepted, api, world)
