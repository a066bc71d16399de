"""A service process refuses to start on a bad environment variable, and says which one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("variable", "value"), [("GATEWAY_PORT", "eighty"),
                                                 ("EVENT_STORE_URL", "postgres://db/anbei"),
                                                 ("AMQP_URI", "localhost:5672")])
def test_a_service_with_a_bad_variable_exits_naming_it(variable: str, value: str) -> None:
    done = subprocess.run([sys.executable, "-m", "services.inventory"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, variable: value}, check=False)
    assert done.returncode != 0
    assert f"configuration error: {variable}:" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_launcher_refuses_a_store_url_that_services_would_share() -> None:
    done = subprocess.run([sys.executable, "-m", "services"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "EVENT_STORE_URL": "sqlite:///one.db"},
                          check=False)
    assert done.returncode == 2
    assert "EVENT_STORE_URL: a SQLite URL would make all services share one file" in done.stderr
