"""The alert rule file: valid for Prometheus, proven by promtool's unit tests, and about
metrics Anbei really defines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from shared.metrics.catalogue import all_names
from tests.ops.tools import RULES, run

RULE_TESTS = Path(__file__).parent / "rules_test.yml"


def test_promtool_accepts_the_rule_file() -> None:
    checked = run("promtool", "check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 13 rules found" in checked.stdout


def test_the_important_alerts_fire_and_stay_quiet_as_promtool_unit_tests_expect() -> None:
    tested = run("promtool", "test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_every_alert_has_a_severity_a_summary_and_a_runbook() -> None:
    for rule in rules():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert {"summary", "description", "runbook"} <= set(rule["annotations"]), rule["alert"]


def test_the_rules_use_only_metric_names_from_the_catalogue() -> None:
    used = {name for rule in rules() for name in re.findall(r"\banbei_[a-z_]+", str(rule["expr"]))}
    assert used, "the rules should watch Anbei's own metrics"
    assert used - all_names() == set()


def test_every_alert_the_issue_names_is_tested_by_promtool() -> None:
    tested = {case["alertname"] for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
              for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert tested == {rule["alert"] for rule in rules()}
