"""`./scripts/run --prometheus` (the launcher with `--prometheus`): a local Prometheus that
scrapes every process, whose URL is printed, and that Ctrl-C stops with the rest."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.test_launcher import alive, children_of
from tests.platform import platform_env
from tests.ports import free_port


def scraped_components(prometheus_url: str, deadline_s: float = 30) -> list[str]:
    """The components Prometheus scrapes successfully, once all four are up or at the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        with urllib.request.urlopen(f"{prometheus_url}/api/v1/targets", timeout=5) as response:
            targets = json.load(response)["data"]["activeTargets"]
        up = sorted(target["labels"]["component"] for target in targets if target["health"] == "up")
        if len(up) == 4 or time.monotonic() > deadline:
            return up
        time.sleep(0.5)


def test_the_launcher_runs_a_local_prometheus_scraping_every_process_and_ctrl_c_stops_it(
    amqp_uri: str, tmp_path: Path
) -> None:
    env = platform_env(amqp_uri, tmp_path, free_port()) | {"PROMETHEUS_PORT": str(free_port())}
    launcher = subprocess.Popen([sys.executable, "-m", "services", "--prometheus"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    children: list[int] = []
    try:
        assert launcher.stdout is not None
        output: list[str] = []
        deadline = time.monotonic() + 90
        # the last line it prints; the run token's line mentions Ctrl-C too
        while time.monotonic() < deadline and "to stop everything" not in "".join(output):
            output.append(launcher.stdout.readline())
        printed = re.search(r"Prometheus: (http://127\.0\.0\.1:\d+)", "".join(output))
        assert printed is not None, "".join(output)
        assert printed.group(1) == f"http://127.0.0.1:{env['PROMETHEUS_PORT']}"
        children = children_of(launcher.pid)
        assert len(children) == 5  # four services and Prometheus

        assert scraped_components(printed.group(1)) == ["gateway", "incidents", "inventory", "teams"]

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(30) == 0
        assert [pid for pid in children if alive(pid)] == []
    finally:
        for pid in [launcher.pid, *children]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        launcher.wait()
