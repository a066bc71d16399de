"""The gateway serves the AsyncAPI document, open like the OpenAPI document and announced there,
and what the platform really publishes fits it."""

from __future__ import annotations

import requests

from services.contracts.published import asyncapi_document
from services.launcher import Platform
from shared.config import SERVICES
from tests.api_client import Api
from tests.contract.test_asyncapi import payload_validator, spec_errors
from tests.e2e.test_feed import read_pages
from tests.e2e.world import World
from tests.platform import issue_token


def test_the_asyncapi_document_is_served_without_a_token(platform: Platform) -> None:
    answer = requests.get(f"{platform.url}/api/v1/asyncapi.json", timeout=15)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == asyncapi_document()
    assert spec_errors(answer.json()) == []


def test_the_openapi_document_points_to_the_asyncapi_document(platform: Platform) -> None:
    openapi = requests.get(f"{platform.url}/api/v1/openapi.json", timeout=15).json()
    assert openapi["paths"]["/api/v1/asyncapi.json"]["get"]["security"] == []


def test_every_event_the_platform_recorded_fits_its_message_in_the_document(platform: Platform) -> None:
    World.create(Api(platform.url, issue_token(platform)))  # stock, transfers, agreements, teams, an incident
    observer = Api(platform.url, issue_token(platform, "observer"))
    document = asyncapi_document()
    seen: set[str] = set()
    for service in SERVICES:
        for event in read_pages(observer, service, 0, 500)[0]:
            name = f"{service}.{event['type']}.v{event['schema_version']}"
            assert name in document["components"]["messages"], f"{name} is published but not documented"
            errors = [error.message for error in payload_validator(document, name).iter_errors(event)]
            assert errors == [], f"{name} at {event['position']}: {errors}"
            seen.add(name)
    assert {"inventory.StockReceived.v1", "teams.TeamRegistered.v2", "incidents.IncidentReported.v2"} <= seen
