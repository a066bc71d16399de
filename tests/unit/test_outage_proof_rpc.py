"""An RPC whose reply cannot be published (the broker went away) does not stop the service."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from shared.nameko_kit import OutageProofRpc

WORKER = SimpleNamespace(entrypoint=SimpleNamespace(method_name="reserve_stock"), data={})


class Consumer:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        raise self.error


def entrypoint(error: Exception) -> OutageProofRpc:
    rpc = OutageProofRpc()
    rpc.rpc_consumer = Consumer(error)
    return rpc


def test_a_reply_lost_to_the_broker_is_logged_and_the_worker_ends_normally(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="shared.nameko_kit")
    answer = {"on_hand": 3}
    assert entrypoint(ConnectionResetError(104, "reset")).handle_result(object(), WORKER, answer, None) == (
        answer, None)
    assert "reserve_stock: its reply was lost to the broker" in caplog.text


def test_any_other_failure_to_answer_still_surfaces() -> None:
    with pytest.raises(ValueError):
        entrypoint(ValueError("a bug")).handle_result(object(), WORKER, None, None)
