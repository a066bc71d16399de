"""`python -m loadtests.report --quick` writes the whole table: every measurement, every ratio a number.

A smoke test of the report's machinery on small sizes; the figures themselves are not judged
(they are wall-clock on a shared machine)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the start of every row's measurement the report must hold, with how many rows start so
ROWS = {"store appends": 1, "store replay": 1, "full command": 2, "relay:": 1, "command (stock issue)": 1,
        "projection rebuild": 1, "stock read (one line)": 1, "single issue": 1, "district total": 1,
        "command through the gateway": 1, "read through the gateway": 1, "append → consumer latency": 2,
        "inventory throughput": 3}


@pytest.mark.timeout(900)  # about 3 minutes on 2 shared cores: platforms, replicas, the nameko floor
def test_the_quick_report_has_every_row_with_a_numeric_ratio(tmp_path: Path) -> None:
    out = tmp_path / "REPORT.md"
    done = subprocess.run([sys.executable, "-m", "loadtests.report", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for heading in ("**Machine**", "**Versions**", "RabbitMQ", "**Command**"):
        assert heading in text
    rows = [line.split(" | ") for line in text.splitlines()
            if line.startswith("| ") and not line.startswith(("| measurement", "| minute"))]
    found = {start: sum(1 for row in rows if row[0].lstrip("| ").startswith(start)) for start in ROWS}
    assert found == ROWS, found
    ratios = [float(row[3]) for row in rows]
    assert all(math.isfinite(ratio) and ratio > 0 for ratio in ratios), ratios
    assert all(row[5].rstrip(" |") in ("PASS", "MISS", "—") for row in rows), rows
