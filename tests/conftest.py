from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.launcher import Platform
from tests.platform import running_platform
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


@pytest.fixture(scope="session")
def platform(session_amqp_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """All four services as real processes over the real RabbitMQ, started once per session."""
    data_dir: Path = tmp_path_factory.mktemp("platform")
    with running_platform(session_amqp_uri, data_dir) as running:
        yield running
