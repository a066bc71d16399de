"""HTTP calls to the gateway and the metrics ports, in one place.

`gateway()` calls as an admin of the running platform (one token per platform).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from services.launcher import Platform
from shared.config import load_settings
from tests.platform import issue_token

_TOKENS: dict[str, str] = {}


def _token(platform: Platform) -> str:
    data_dir = str(platform.settings.data_dir)
    if data_dir not in _TOKENS:
        _TOKENS[data_dir] = issue_token(platform, "admin", user="ops-tests")
    return _TOKENS[data_dir]


def gateway(platform: Platform, method: str, path: str, body: dict[str, Any] | None = None,
            key: str | None = None) -> tuple[int, Any]:
    """Call `/api/v1{path}` on the gateway; returns the status and the decoded JSON body."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {_token(platform)}"}
    headers |= {"Idempotency-Key": key} if key else {}
    request = urllib.request.Request(f"{platform.url}/api/v1{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def metrics_address(platform: Platform, process: str) -> str:
    settings = load_settings(process, platform.env)
    return f"{settings.metrics_host}:{settings.metrics_port}"


def scrape(platform: Platform, process: str, path: str = "/metrics") -> str:
    with urllib.request.urlopen(f"http://{metrics_address(platform, process)}{path}", timeout=30) as response:
        return response.read().decode()  # type: ignore[no-any-return]
