"""Reactors: process managers and policies that act on a service's own committed events.

A `Reaction` looks at each event its service commits, in position order, and may act:
call another service over RPC, or run a command on its own service. A `ReactorRunner`
tails the service's event store (not the broker: a reaction never waits for RabbitMQ,
and never sees an event that was not committed) and keeps a checkpoint per runner in
the store, moved only after every reaction to an event has succeeded.

Delivery is at least once: after a crash, a failure or a restart, the runner offers the
event at its checkpoint again, so every step a reaction takes must be idempotent. The
kernel makes that easy: give each command a `command_id` derived from the event and the
step (`step_id(event, "reserve", line)`), and a retry returns the first outcome instead
of acting twice — in this service (`Application.execute`) and in the service called,
which is idempotent by `command_id` too. A reaction must turn a refusal it expects
(another service's `Conflict`, `NotFound`…) into a recorded outcome; anything it lets
escape is treated as a passing fault (a broker outage, a service down): logged, and the
event is offered again after a growing pause, holding back later events meanwhile so
each stream's order is kept.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from shared.application import Application, CommandContext, Outcome
from shared.blocking import offload
from shared.decider import Command, Decider
from shared.envelope import EventEnvelope
from shared.errors import StoreUnavailable
from shared.leases import Leadership, LeaseLost

log = logging.getLogger(__name__)
C = TypeVar("C", bound=Command)
S = TypeVar("S")
_STEP_NAMESPACE = uuid.UUID("8d1b7a52-3c4e-4f0b-9a61-2e5d7c9b1f30")

#: How a reactor calls another service: `call(service, method, *args)`, returning its answer
#: or raising its typed error; infrastructure failures raise anything else.
Call = Callable[..., Any]


def step_id(event: EventEnvelope, *step: str) -> str:
    """A command id for one step taken in reaction to `event`: the same on every retry."""
    return str(uuid.uuid5(_STEP_NAMESPACE, "/".join((str(event.event_id), *step))))


class Effects:
    """What a reaction may do: call other services, and run commands on its own service."""

    def __init__(self, app: Application, call: Call, appended: Callable[[], None] = lambda: None) -> None:
        self.app, self._call, self._appended = app, call, appended

    def call(self, service: str, method: str, *args: Any) -> Any:
        return self._call(service, method, *args)

    def execute(
        self, stream_id: str, decider: Decider[C, S], command: C, context: CommandContext
    ) -> Outcome[S]:
        outcome = offload(self.app.execute, stream_id, decider, command, context)
        if outcome.events:
            self._appended()  # e.g. the relay publishes now, not at its next poll
        return outcome


class Reaction(Protocol):
    """One process manager or policy. `react` runs for every event `wants` accepts."""

    @property
    def name(self) -> str: ...

    def wants(self, event: EventEnvelope) -> bool: ...

    def react(self, event: EventEnvelope, effects: Effects) -> None: ...


class ReactorRunner:
    """Offers each committed event to the reactions, in position order, at least once."""

    def __init__(self, app: Application, reactions: Sequence[Reaction], call: Call, *,
                 checkpoint: str = "reactor", page: int = 100, poll_s: float = 0.5,
                 leadership: Leadership | None = None, appended: Callable[[], None] = lambda: None) -> None:
        self.app, self.reactions, self.checkpoint = app, reactions, checkpoint
        #: with replicas, only the holder of this lease reacts; None: a single process
        self.leadership = leadership
        self.effects = Effects(app, call, appended)
        self.page, self.poll_s = page, poll_s
        self._wakeup = threading.Event()
        #: failures since start (each retried): a reaction that keeps failing shows here and in the logs
        self.failures = 0

    def notify(self) -> None:
        """Something was appended: look now rather than at the next poll."""
        self._wakeup.set()

    def position(self) -> int:
        return self.app.store.get_checkpoint(self.checkpoint)

    def backlog(self) -> int:
        return self.app.store.count_after(self.position())

    def run_once(self) -> int:
        """Offer every event after the checkpoint; how many were handled. Raises what a
        reaction raised, with the checkpoint just before the event that failed."""
        handled = 0
        leadership = self.leadership
        if leadership is not None and offload(leadership.hold) is None:
            return 0  # another replica reacts: stand by
        while True:
            after = offload(self.position)
            events = offload(self.app.store.read_all, after, self.page)
            for event in events:
                if leadership is not None and not leadership.valid():
                    return handled  # the lease ran out meanwhile: ask again before acting on
                upcast = self.app.upcasters.upcast(event)
                for reaction in self.reactions:
                    if reaction.wants(upcast):
                        reaction.react(upcast, self.effects)
                self._save_checkpoint(event.position)
                handled += 1
            if len(events) < self.page:
                return handled

    def _save_checkpoint(self, position: int) -> None:
        if self.leadership is None:
            offload(self.app.store.set_checkpoint, self.checkpoint, position)
        else:
            store, epoch = self.app.store, self.leadership.epoch
            if not offload(store.set_fenced_checkpoint, self.checkpoint, position, epoch):
                raise LeaseLost("another replica took the reactor over")

    def run(self, stop: threading.Event, max_backoff_s: float = 5.0) -> None:
        """Run until `stop` is set; a failing event is retried after a capped, growing pause."""
        backoff = 0.1
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception as error:
                self.failures += 1
                log.warning("reactor %s: %s; the event is offered again in %.1fs",
                            self.checkpoint, error, backoff,
                            exc_info=not isinstance(error, (TimeoutError, StoreUnavailable)))
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            backoff = 0.1
            if handled:
                continue  # the reactions may have appended events of their own: look again now
            self._wakeup.wait(self.poll_s)
            self._wakeup.clear()
