"""The one way backup tests call the gateway over HTTP: a bearer token, once the gateway asks
for one, is added here and nowhere else."""

from __future__ import annotations

from typing import Any

import requests


def session() -> requests.Session:
    """A keep-alive session with whatever credentials the gateway expects."""
    return requests.Session()


def post(http: requests.Session, base_url: str, path: str, body: Any, key: str | None = None
         ) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return http.post(f"{base_url}/api/v1{path}", json=body, headers=headers, timeout=30)


def get(http: requests.Session, base_url: str, path: str) -> requests.Response:
    return http.get(f"{base_url}/api/v1{path}", timeout=30)
