from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_keyring, load_settings


def test_defaults_put_each_service_on_its_own_sqlite_files() -> None:
    settings = load_settings("inventory", {"DATA_DIR": "/srv/anbei"})
    assert settings.event_store_url == "sqlite:////srv/anbei/inventory-events.db"
    assert settings.view_store_path == Path("/srv/anbei/inventory-views.db")
    assert settings.amqp_uri.startswith("amqp://")
    assert settings.gateway_port == 8000
    assert settings.gateway_max_body_bytes == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GATEWAY_PORT", "eighty"),
        ("GATEWAY_PORT", "70000"),
        ("AMQP_URI", "http://localhost"),
        ("EVENT_STORE_URL", "postgres://db"),
        ("EVENT_STORE_URL", "sqlite:///"),
        ("RPC_TIMEOUT_S", "-1"),
        ("RPC_TIMEOUT_S", "nan"),
        ("RPC_TIMEOUT_S", "inf"),
        ("RELAY_POLL_S", "NaN"),
        ("RELAY_POLL_S", "-inf"),
        ("GATEWAY_MAX_BODY_BYTES", "0"),
        ("GATEWAY_MAX_BODY_BYTES", "1e6"),
        ("GATEWAY_MAX_BODY_BYTES", str(10**12)),
    ],
)
def test_a_bad_variable_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}: .*{value!r}"):
        load_settings("teams", {name: value})


def test_a_mongodb_url_is_accepted() -> None:
    settings = load_settings("teams", {"EVENT_STORE_URL": "mongodb://db:27017/anbei_teams"})
    assert settings.event_store_url == "mongodb://db:27017/anbei_teams"


@pytest.mark.parametrize("keys", ["no-colon", "k:***", "k:c2hvcnQ=", "bad id!:QUFBQUFBQUFBQUFBQUFBQQ=="])
def test_a_bad_key_ring_is_refused_without_echoing_the_secret(keys: str) -> None:
    with pytest.raises(ConfigError, match=r"^EVENT_HMAC_KEYS: ") as error:
        load_settings("teams", {"EVENT_HMAC_KEYS": keys})
    assert keys not in str(error.value)


def test_a_mongodb_store_needs_a_key_ring_from_the_environment() -> None:
    settings = load_settings("teams", {"EVENT_STORE_URL": "mongodb://db:27017/anbei_teams"})
    with pytest.raises(ConfigError, match=r"^EVENT_HMAC_KEYS: required with a MongoDB event store"):
        load_keyring(settings)


def test_a_local_platform_generates_one_key_ring_and_keeps_it_private(tmp_path: Path) -> None:
    settings = load_settings("inventory", {"DATA_DIR": str(tmp_path)})
    first = load_keyring(settings)
    again = load_keyring(load_settings("teams", {"DATA_DIR": str(tmp_path)}))
    assert first == again
    assert settings.key_file.stat().st_mode & 0o777 == 0o600


def test_a_key_ring_from_the_environment_is_used_as_given() -> None:
    text = "2026-11:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB" + ",2025-01:QkJCQkJCQkJCQkJCQkJCQg=="
    keyring = load_keyring(load_settings("teams", {"EVENT_HMAC_KEYS": text}))
    assert [key_id for key_id, _ in keyring.keys] == ["2026-11", "2025-01"]
def test_each_process_has_its_own_default_metrics_port() -> None:
    names = ("gateway", "inventory", "teams", "incidents")
    ports = {name: load_settings(name, {}).metrics_port for name in names}
    assert ports == {"gateway": 9100, "inventory": 9101, "teams": 9102, "incidents": 9103}
    assert load_settings("teams", {"TEAMS_METRICS_PORT": "19102"}).metrics_port == 19102
    assert load_settings("teams", {"INVENTORY_METRICS_PORT": "19101"}).metrics_port == 9102


@pytest.mark.parametrize(("name", "value"), [("INVENTORY_METRICS_PORT", "0"), ("PROMETHEUS_PORT", "nine")])
def test_a_bad_metrics_or_prometheus_port_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}: must be a whole number from 1 to 65535, got {value!r}"):
        load_settings("inventory", {name: value})
