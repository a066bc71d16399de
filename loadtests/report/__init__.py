"""One benchmark report: the platform against its baselines, measured in the same run.

`python -m loadtests.report [--quick] [--soak SECONDS] [--out PATH]`; see `__main__.py`.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table. `ratio` is figure / baseline (or what `target` says it is);
    `passed` is None where there is no target, and `why` then says why."""

    measurement: str
    figure: str
    baseline: str
    ratio: float
    target: str
    passed: bool | None
    why: str = ""

    @property
    def verdict(self) -> str:
        return "—" if self.passed is None else ("PASS" if self.passed else "MISS")


def at_least(name: str, figure: float, baseline: float, unit: str, target: float, why: str = "",
             baseline_name: str = "") -> Row:
    """A rate (higher is better) against its baseline's."""
    ratio = figure / baseline
    return Row(name, f"{figure:,.0f} {unit}", f"{baseline:,.0f} {unit}{baseline_name}", ratio,
               f">= {target}", ratio >= target, why)


def at_most(name: str, figure: float, baseline: float, unit: str, target: float, why: str = "",
            baseline_name: str = "") -> Row:
    """A cost (lower is better) against its baseline's."""
    ratio = figure / baseline
    return Row(name, f"{figure:,.2f} {unit}", f"{baseline:,.2f} {unit}{baseline_name}", ratio,
               f"<= {target}", ratio <= target, why)


def table(rows: list[Row]) -> list[str]:
    lines = ["| measurement | figure | baseline | ratio | target | result |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.measurement} | {r.figure} | {r.baseline} | {ratio(r.ratio)} | {r.target} | {r.verdict} |"
              for r in rows]
    return lines


def ratio(value: float) -> str:
    """Two decimals, three below 0.1 (so a small ratio never reads 0.00)."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of `seconds`, in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def stop_processes(processes: list[subprocess.Popen[bytes]], grace_s: float = 20) -> None:
    """SIGTERM every process, then SIGKILL whichever has not exited after `grace_s`."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
