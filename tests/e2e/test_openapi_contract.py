"""schemathesis against the running gateway's OpenAPI document: no 5xx, every answer as documented."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.launcher import Platform
from tests.platform import issue_token

os.environ.setdefault("SCHEMATHESIS_TELEMETRY", "false")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def admin_token(platform: Platform) -> str:
    return issue_token(platform, "admin", user="schemathesis")


def test_every_operation_answers_as_its_schema_says(platform: Platform, admin_token: str) -> None:
    # one hypothesis run per operation, inside the test: schemathesis' pytest loader needs
    # the schema at collection time, before the platform fixture has started the gateway
    api = schemathesis.openapi.from_url(f"{platform.url}/api/v1/openapi.json")
    failures: dict[str, str] = {}
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS,
                                   timeout=30)

        try:
            answers_as_documented()
        except Exception as failure:  # collect every operation's failure, then report them all
            failures[operation.label] = str(failure)[:2000]
    assert failures == {}
