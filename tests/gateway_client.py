"""The one way backup tests call the gateway over HTTP, with a bearer token."""

from __future__ import annotations

from typing import Any

import requests

#: The user the backup tests' tokens speak for: its Idempotency-Keys are scoped to it.
USER = "backup-tests"


def session(token: str) -> requests.Session:
    """A keep-alive session that sends `token` with every request."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def post(http: requests.Session, base_url: str, path: str, body: Any, key: str | None = None
         ) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return http.post(f"{base_url}/api/v1{path}", json=body, headers=headers, timeout=30)


def get(http: requests.Session, base_url: str, path: str) -> requests.Response:
    return http.get(f"{base_url}/api/v1{path}", timeout=30)
