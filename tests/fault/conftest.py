"""Fixtures for fault tests: a private RabbitMQ node the tests may stop, restart and cut off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.private_rabbit import PrivateRabbit, available


@pytest.fixture(scope="module")
def private_rabbit() -> Iterator[PrivateRabbit]:
    """One private node per test module (cold start ≈ 5 s), stopped and removed afterwards."""
    if not available():  # scripts/test installs it: missing here is a failure, not a skip
        pytest.fail("rabbitmq-server is not installed; run ./scripts/test, which installs it")
    with PrivateRabbit() as node:
        yield node


@pytest.fixture
def rabbit(private_rabbit: PrivateRabbit) -> Iterator[PrivateRabbit]:
    """The private node, running at the start and at the end of each test whatever happened."""
    private_rabbit.ensure_running()
    yield private_rabbit
    private_rabbit.ensure_running()
