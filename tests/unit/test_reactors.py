"""Reactors: every committed event offered to the reactions in order, at least once, resumable."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest

from shared.application import Application, CommandContext
from shared.envelope import EventEnvelope
from shared.projections import ProjectionRunner
from shared.reactors import Effects, ReactorRunner, step_id
from shared.store.memory import InMemoryEventStore
from shared.views import ViewStore
from tests.unit.test_application import Add, counter


def application() -> Application:
    store = InMemoryEventStore()
    return Application(store, ProjectionRunner(store, ViewStore(":memory:"), []))


@dataclass
class Recorder:
    """Calls another service for every `Added`, then records the answer on its own stream."""

    calls: list[tuple[str, Any]]
    fail_on: set[int]
    name: str = "recorder"

    def wants(self, event: EventEnvelope) -> bool:
        return event.type == "Added" and event.stream_id.startswith("counter:")

    def react(self, event: EventEnvelope, effects: Effects) -> None:
        answer = effects.call("inventory", "reserve_stock", {"amount": event.data["amount"]},
                              {"command_id": step_id(event, "reserve")})
        if event.data["amount"] in self.fail_on:
            self.fail_on.discard(event.data["amount"])
            raise ConnectionError("the broker went away before the answer was recorded")
        effects.execute(f"answers:{event.stream_id}", counter, Add(amount=answer),
                        CommandContext(command_id=step_id(event, "record")))


def fake_service(calls: list[tuple[str, Any]]) -> Any:
    def call(service: str, method: str, payload: dict[str, Any], meta: dict[str, Any]) -> int:
        calls.append((method, meta["command_id"]))
        return int(payload["amount"])

    return call


def test_each_event_is_offered_once_in_order_and_the_checkpoint_follows() -> None:
    app, calls = application(), list[tuple[str, Any]]()
    for n in (1, 2, 3):
        app.execute("counter:a", counter, Add(amount=n), CommandContext(command_id=f"c{n}"))
    runner = ReactorRunner(app, [Recorder(calls, set())], fake_service(calls))
    assert runner.run_once() == 3
    assert runner.run_once() == 3  # its own answers are offered too (and not wanted)
    assert runner.run_once() == 0
    assert [e.data["amount"] for e in app.store.read_stream("answers:counter:a")] == [1, 2, 3]
    assert runner.backlog() == 0 and len(calls) == 3


def test_a_failed_reaction_is_offered_again_and_its_steps_happen_once() -> None:
    app, calls = application(), list[tuple[str, Any]]()
    for n in (1, 2, 3):
        app.execute("counter:a", counter, Add(amount=n), CommandContext(command_id=f"c{n}"))
    runner = ReactorRunner(app, [Recorder(calls, {2})], fake_service(calls))
    with pytest.raises(ConnectionError):
        runner.run_once()
    assert [e.data["amount"] for e in app.store.read_stream("answers:counter:a")] == [1]
    runner.run_once()  # event 2 again (its call repeats with the same command id), then event 3
    assert [e.data["amount"] for e in app.store.read_stream("answers:counter:a")] == [1, 2, 3]
    reserve_ids = [command_id for method, command_id in calls]
    assert len(reserve_ids) == 4 and len(set(reserve_ids)) == 3  # the retry repeated one id, not a new one


def test_a_step_id_is_the_same_on_every_retry_and_differs_per_step() -> None:
    app = application()
    [event] = app.execute("counter:a", counter, Add(amount=1), CommandContext(command_id="c1")).events
    assert step_id(event, "reserve", "boats") == step_id(event, "reserve", "boats")
    assert len({step_id(event, "reserve", "boats"), step_id(event, "reserve", "pumps"),
                step_id(event, "issue", "boats")}) == 3


def test_the_running_reactor_retries_a_passing_fault_until_it_succeeds() -> None:
    app, calls = application(), list[tuple[str, Any]]()
    app.execute("counter:a", counter, Add(amount=5), CommandContext(command_id="c5"))
    runner = ReactorRunner(app, [Recorder(calls, {5})], fake_service(calls), poll_s=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), kwargs={"max_backoff_s": 0.05})
    thread.start()
    try:
        for _ in range(500):
            if app.store.read_stream("answers:counter:a"):
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        runner.notify()
        thread.join(10)
    assert [e.data["amount"] for e in app.store.read_stream("answers:counter:a")] == [5]
    assert runner.failures == 1 and not thread.is_alive()


def test_with_replicas_only_the_lease_holder_reacts_and_a_paused_one_stops() -> None:
    from shared.leases import Leadership

    app, calls = application(), list[tuple[str, Any]]()
    for n in (1, 2, 3):
        app.execute("counter:a", counter, Add(amount=n), CommandContext(command_id=f"c{n}"))
    first = ReactorRunner(app, [Recorder(calls, set())], fake_service(calls),
                          leadership=Leadership(app.store, "reactor", "replica-a"))
    second = ReactorRunner(app, [Recorder(calls, set())], fake_service(calls),
                           leadership=Leadership(app.store, "reactor", "replica-b"))
    assert first.leadership is not None
    allowance = iter([True])  # replica a is paused after its first event
    first.leadership.valid = lambda: next(allowance, False)  # type: ignore[method-assign]
    assert first.run_once() == 1
    assert second.run_once() == 0  # b stands by: a's lease has not expired
    assert [e.data["amount"] for e in app.store.read_stream("answers:counter:a")] == [1]


@dataclass
class Chain:
    """Each `Added` below 3 on `chain:` adds one more: a flow whose steps are events it appends."""

    name: str = "chain"

    def wants(self, event: EventEnvelope) -> bool:
        return event.stream_id == "chain:a" and event.data["amount"] < 3

    def react(self, event: EventEnvelope, effects: Effects) -> None:
        effects.execute("chain:a", counter, Add(amount=event.data["amount"] + 1),
                        CommandContext(command_id=step_id(event, "next")))


def test_events_a_reaction_appends_are_offered_at_once_not_at_the_next_poll() -> None:
    app = application()
    app.execute("chain:a", counter, Add(amount=1), CommandContext(command_id="c1"))
    runner = ReactorRunner(app, [Chain()], fake_service([]), poll_s=30)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,))
    thread.start()
    try:
        for _ in range(500):
            if len(app.store.read_stream("chain:a")) == 3:
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        runner.notify()
        thread.join(10)
    assert [e.data["amount"] for e in app.store.read_stream("chain:a")] == [1, 2, 3]


def test_a_command_a_reaction_runs_wakes_whoever_waits_for_new_events() -> None:
    app, calls, woken = application(), list[tuple[str, Any]](), list[bool]()
    app.execute("counter:a", counter, Add(amount=1), CommandContext(command_id="c1"))
    runner = ReactorRunner(app, [Recorder(calls, set())], fake_service(calls),
                           appended=lambda: woken.append(True))
    runner.run_once()
    assert woken == [True]  # the answer it recorded: the relay publishes it now, not at its next poll
