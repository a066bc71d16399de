"""The load test runs headless against a real, seeded platform: no failure, every user class at work."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.launcher import Platform
from services.seed import load_seed
from tests.platform import issue_token, running_platform
from tests.rabbit import fresh_vhost

ROOT = Path(__file__).resolve().parents[2]
#: the request names each user class makes (loadtests/locustfile.py)
CLASSES = {"WarehouseKeeper": "movement: ", "TeamLeader": "readiness: report", "Commander": "incident: ",
           "Dashboard": "overview", "FeedFollower": "feed: "}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A platform of its own (the load moves the seeded stock), with the district's seed."""
    with fresh_vhost() as amqp_uri, running_platform(amqp_uri, tmp_path_factory.mktemp("load")) as platform:
        assert load_seed(platform.url, issue_token(platform)).problems == []
        yield platform


def test_the_load_test_runs_headless_without_a_failure_and_every_user_makes_requests(
        seeded: Platform, tmp_path: Path) -> None:
    env = {"ANBEI_TOKEN": issue_token(seeded, "admin", user="load"), "ANBEI_SPEEDUP": "20",
           "PATH": str(Path(sys.executable).parent)}
    locust = Path(sys.executable).parent / "locust"
    done = subprocess.run(
        [str(locust), "-f", str(ROOT / "loadtests/locustfile.py"), "--headless",
         "-u", "14", "-r", "14", "-t", "20s", "--host", seeded.url, "--json", "--only-summary",
         "--stop-timeout", "10"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False)
    stats = json.loads(done.stdout)
    failures = {row["name"]: row["num_failures"] for row in stats if row["num_failures"]}
    assert done.returncode == 0 and not failures, (failures, done.stderr[-3000:])
    made = {cls: sum(row["num_requests"] for row in stats if row["name"].startswith(prefix))
            for cls, prefix in CLASSES.items()}
    assert all(made.values()), made
