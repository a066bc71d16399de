"""An HTTP client of the gateway for tests: one user's token, JSON in and out."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class FromAddress(HTTPAdapter):
    """Connects from another loopback address (127.0.0.0/8), as a different client would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


class Api:
    """Calls `/api/v1` with one bearer token (or none), optionally from another loopback address."""

    def __init__(self, base_url: str, token: str | None, source: str | None = None) -> None:
        self.base_url, self.root = base_url, f"{base_url}/api/v1"
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if source is not None:
            self.session.mount("http://", FromAddress(source))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.root}{path}", timeout=30, **kwargs)

    def post(self, path: str, body: Any, key: str | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return self.session.post(f"{self.root}{path}", json=body, headers=headers, timeout=30, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.root}{path}", timeout=30, **kwargs)
