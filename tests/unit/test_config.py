from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings


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
