"""`<SERVICE>_REPLICAS`: which processes the launcher starts, with what sets each replica apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.launcher import _ports_problem, scrape_targets
from services.local_prometheus import scrape_config
from services.process_plan import plan
from shared.config import ConfigError, load_settings
from tests.unit.test_launcher_ports import free_ports_env


def test_by_default_each_service_runs_once_with_the_names_it_always_had() -> None:
    specs = plan({"DATA_DIR": "/srv/anbei"})
    assert [(spec.name, spec.env) for spec in specs] == [
        ("inventory", {}), ("teams", {}), ("incidents", {}), ("gateway", {})]


def test_replicas_share_the_store_and_each_has_its_own_read_models_port_log_and_name() -> None:
    env = {"DATA_DIR": "/srv/anbei", "INVENTORY_REPLICAS": "3", "INVENTORY_METRICS_PORT": "9101"}
    specs = [spec for spec in plan(env) if spec.service == "inventory"]
    assert [spec.name for spec in specs] == ["inventory", "inventory-2", "inventory-3"]
    settings = [spec.settings(env) for spec in specs]
    assert {s.event_store_url for s in settings} == {"sqlite:////srv/anbei/inventory-events.db"}
    assert [s.view_store_path for s in settings] == [
        Path("/srv/anbei/inventory-views.db"), Path("/srv/anbei/inventory-2-views.db"),
        Path("/srv/anbei/inventory-3-views.db")]
    assert [s.metrics_port for s in settings] == [9101, 9201, 9301]
    assert [s.replica_name for s in settings] == ["inventory-1", "inventory-2", "inventory-3"]


@pytest.mark.parametrize("value", ["0", "17", "two", "-1", "1.5"])
def test_a_replica_count_outside_1_to_16_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        plan({"TEAMS_REPLICAS": value})
    assert str(refused.value) == f"TEAMS_REPLICAS: must be a whole number from 1 to 16, got {value!r}"


def test_replicas_whose_metrics_ports_would_pass_65535_are_refused() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings("incidents", {"INCIDENTS_REPLICAS": "16", "INCIDENTS_METRICS_PORT": "65000"})
    assert str(refused.value).startswith("INCIDENTS_REPLICAS: 16 replicas would put the last one's metrics")


def test_a_replicas_metrics_port_clashing_with_another_process_is_refused_naming_both() -> None:
    env = free_ports_env() | {"INVENTORY_METRICS_PORT": "19101", "TEAMS_METRICS_PORT": "19201",
                              "INVENTORY_REPLICAS": "2"}
    assert _ports_problem(env, prometheus=False) == (
        "TEAMS_METRICS_PORT: port 19201 is also INVENTORY_METRICS_PORT + 100 (replica 2); "
        "give each its own port")


def test_a_bad_replica_name_is_refused() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings("inventory", {"REPLICA_NAME": "inventory 2"})
    assert str(refused.value).startswith("REPLICA_NAME: ")


def test_the_local_prometheus_scrapes_every_replica_under_its_services_component() -> None:
    env = {"INVENTORY_REPLICAS": "2", "INVENTORY_METRICS_PORT": "9101"}
    targets = scrape_targets(env)
    assert targets["inventory"] == ["127.0.0.1:9101", "127.0.0.1:9201"]
    assert targets["teams"] == ["127.0.0.1:9102"]
    job = scrape_config(targets, 5)["scrape_configs"][0]
    inventory = next(c for c in job["static_configs"] if c["labels"] == {"component": "inventory"})
    assert inventory["targets"] == ["127.0.0.1:9101", "127.0.0.1:9201"]
