"""A real Prometheus on loopback that scrapes the local platform with the cluster's rule file.

`./scripts/run --prometheus` (the launcher) and the ops tests start Debian's
`prometheus` binary through this class: its own configuration and a throwaway
storage folder under a temporary directory, listening on 127.0.0.1 only, scraping
every service's `/metrics` and loading `deploy/k8s/base/prometheus/rules.yml`, the
same alert rules the Kubernetes manifests load.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RULES = Path(__file__).resolve().parent.parent / "deploy" / "k8s" / "base" / "prometheus" / "rules.yml"


def scrape_config(targets: Mapping[str, Sequence[str]], interval_s: float,
                  rules: Path = RULES) -> dict[str, Any]:
    """Prometheus configuration: one `anbei` job, each target labelled with its `component`; a
    component's replicas are its several addresses (told apart by Prometheus's `instance`)."""
    return {
        "global": {"scrape_interval": f"{interval_s:g}s", "evaluation_interval": f"{interval_s:g}s"},
        "rule_files": [str(rules)],
        "scrape_configs": [{
            "job_name": "anbei",
            "static_configs": [{"targets": list(addresses), "labels": {"component": component}}
                               for component, addresses in sorted(targets.items())],
        }],
    }


class LocalPrometheus:
    """One Prometheus process; `start`, `wait_ready`, `query`, `stop`."""

    def __init__(self, port: int, targets: Mapping[str, Sequence[str]], interval_s: float = 5.0) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("prometheus is not installed: apt-get install prometheus "
                               "(scripts/run --prometheus installs it)")
        self.binary, self.port, self.targets, self.interval_s = binary, port, targets, interval_s
        self.url = f"http://127.0.0.1:{port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="anbei-prometheus-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        config = self.workdir / "prometheus.yml"
        config.write_text(json.dumps(scrape_config(self.targets, self.interval_s), indent=2))  # JSON is YAML
        with open(self.workdir / "prometheus.log", "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-lifecycle"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log(self) -> str:
        return (self.workdir / "prometheus.log").read_text(errors="replace")

    def dead(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def wait_ready(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.dead():
                raise RuntimeError(f"prometheus exited during start-up:\n{self.log()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"prometheus was not ready after {timeout_s:.0f}s:\n{self.log()[-2000:]}")

    def query(self, expression: str) -> list[dict[str, Any]]:
        """The instant vector `expression` evaluates to now, from the query API."""
        url = f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': expression})}"
        with urllib.request.urlopen(url, timeout=5) as response:
            answer = json.load(response)
        if answer["status"] != "success":
            raise RuntimeError(f"query {expression!r} failed: {answer}")
        return answer["data"]["result"]  # type: ignore[no-any-return]

    def rules(self) -> list[dict[str, Any]]:
        """The rule groups Prometheus loaded, from its rules API."""
        with urllib.request.urlopen(f"{self.url}/api/v1/rules", timeout=5) as response:
            return json.load(response)["data"]["groups"]  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)
