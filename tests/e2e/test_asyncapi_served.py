"""The gateway serves the AsyncAPI document, open like the OpenAPI document, and announces it there."""

from __future__ import annotations

import requests

from services.contracts.published import asyncapi_document
from services.launcher import Platform
from tests.contract.test_asyncapi import spec_errors


def test_the_asyncapi_document_is_served_without_a_token(platform: Platform) -> None:
    answer = requests.get(f"{platform.url}/api/v1/asyncapi.json", timeout=15)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == asyncapi_document()
    assert spec_errors(answer.json()) == []


def test_the_openapi_document_points_to_the_asyncapi_document(platform: Platform) -> None:
    openapi = requests.get(f"{platform.url}/api/v1/openapi.json", timeout=15).json()
    assert openapi["paths"]["/api/v1/asyncapi.json"]["get"]["security"] == []
