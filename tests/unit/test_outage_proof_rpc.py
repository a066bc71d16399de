"""A broker going away while a service answers, acknowledges an event or receives an RPC reply
does not stop the service (nameko would kill its container), and nothing it was given is lost."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from shared.nameko_kit import OutageProofEventHandler, OutageProofReplyListener, OutageProofRpc

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


class AckFails:
    """A queue consumer whose connection to the broker is gone."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ack_message(self, message: Any) -> None:
        raise self.error

    def requeue_message(self, message: Any) -> None:
        raise self.error


REPLY = SimpleNamespace(properties={"correlation_id": "call-1"})


def test_a_reply_whose_ack_is_lost_to_the_broker_still_reaches_the_waiting_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Seen in the broker-outage fault test: nameko's listener raised here and the gateway
    stayed dead, answering every later request with a 500."""
    caplog.set_level(logging.WARNING, logger="shared.nameko_kit")
    listener = OutageProofReplyListener()
    listener.queue_consumer = AckFails(ConnectionResetError(104, "reset"))
    waiting = listener.get_reply_event("call-1")
    listener.handle_message({"result": 7, "error": None}, REPLY)
    assert waiting.ready() and waiting.wait() == {"result": 7, "error": None}
    assert "acknowledging an RPC reply was lost to the broker" in caplog.text


def test_a_reply_listener_surfaces_any_other_failure() -> None:
    listener = OutageProofReplyListener()
    listener.queue_consumer = AckFails(ValueError("a bug"))
    with pytest.raises(ValueError):
        listener.handle_message({}, REPLY)


def test_an_event_whose_ack_is_lost_to_the_broker_does_not_stop_the_service(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="shared.nameko_kit")
    handler = OutageProofEventHandler("teams", "TeamArrived")
    handler.method_name, handler.queue_consumer = "on_team_arrived", AckFails(BrokenPipeError(32, "pipe"))
    assert handler.handle_result(object(), WORKER, None, None) == (None, None)
    assert "on_team_arrived: acknowledging the event was lost to the broker" in caplog.text
    handler.queue_consumer = AckFails(ValueError("a bug"))
    with pytest.raises(ValueError):
        handler.handle_result(object(), WORKER, None, None)
