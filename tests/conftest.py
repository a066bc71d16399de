from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rabbit import fresh_vhost


@pytest.fixture
def amqp_uri() -> Iterator[str]:
    """A private vhost on the real local RabbitMQ, for one test."""
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture(scope="session")
def session_amqp_uri() -> Iterator[str]:
    """A private vhost on the real local RabbitMQ, shared by a whole test session."""
    with fresh_vhost() as uri:
        yield uri
