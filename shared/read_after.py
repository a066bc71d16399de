"""Reading one's own writes on any replica: positions a command reached, honoured by reads.

Every replica of a service shares its event store, so a position in that store means the
same on each. A caller that wants the position its command reached sends the context data
`REPORT_POSITION`; the reply is then `{POSITION: n, "result": answer}` (`positioned`),
where `n` is the highest position of the command's events, the original's on a replayed
retry, or the store's head when it recorded nothing. Callers that do not ask get the plain
answer, as always.

A read that must see those writes sends `READ_AFTER` = `inventory=123,teams=45`; the
replica that takes it first catches its read models up to its service's position,
waiting a bounded time (`WorkerApplication.await_read_after`): a position past the
store's head is refused (`InvalidCommand`, field `READ_AFTER`), one it cannot reach in
time is an `Unavailable` (`read_models_behind`), never a stale answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.application import Application, CommandContext, Outcome
from shared.config import SERVICES
from shared.errors import InvalidCommand, Unavailable

#: Context data: the positions a read must see, `inventory=123,teams=45`.
READ_AFTER = "anbei_read_after"
#: Context data: reply with the position the command reached (any true value).
REPORT_POSITION = "anbei_report_position"
#: The key of the position in a positioned reply.
POSITION = "anbei_position"
#: The largest position a caller may name (SQLite's and BSON's integer range).
MAX_POSITION = 2**63 - 1
_PAIR = re.compile(r"^\s*([a-z][a-z0-9_-]*)\s*=\s*([0-9]{1,19})\s*$")


def parse_read_after(text: str, services: tuple[str, ...]) -> dict[str, int]:
    """`inventory=123, teams=45` as `{"inventory": 123, "teams": 45}`; ValueError saying what is
    wrong with it (an unknown service, a service named twice, not a whole number)."""
    positions: dict[str, int] = {}
    for part in text.split(","):
        match = _PAIR.match(part)
        if match is None:
            raise ValueError(f"must be service=position pairs separated by commas, e.g. "
                             f"inventory=1234,teams=56; {part.strip()!r} is not one")
        service, position = match.group(1), int(match.group(2))
        if service not in services:
            raise ValueError(f"names {service!r}, which is not one of {', '.join(services)}")
        if service in positions:
            raise ValueError(f"names {service} twice")
        if position > MAX_POSITION:
            raise ValueError(f"position {position} of {service} is out of range")
        positions[service] = position
    return positions


def format_read_after(positions: Mapping[str, int]) -> str:
    """The header's or the context's text for `positions`, services in name order."""
    return ",".join(f"{service}={position}" for service, position in sorted(positions.items()))


def merge(*many: Mapping[str, int]) -> dict[str, int]:
    """Each service's highest position among `many`."""
    merged: dict[str, int] = {}
    for positions in many:
        for service, position in positions.items():
            merged[service] = max(merged.get(service, 0), position)
    return merged


def read_after(value: Any, service: str) -> int:
    """The position `service` must have applied before answering, from a `READ_AFTER` value
    (0: none; the gateway has validated what it sends, anything else malformed is ignored)."""
    if not isinstance(value, str):
        return 0
    try:
        return parse_read_after(value, SERVICES).get(service, 0)
    except ValueError:
        return 0


def positioned(result: Any, position: int) -> dict[str, Any]:
    """A reply that carries the position its command reached beside the plain answer."""
    return {POSITION: position, "result": result}


def unwrap(reply: Any) -> tuple[Any, int | None]:
    """The plain answer and the position from a `positioned` reply (None: the reply had none)."""
    if isinstance(reply, dict) and set(reply) == {POSITION, "result"} and isinstance(reply[POSITION], int):
        return reply["result"], reply[POSITION]
    return reply, None


class WorkerApplication:
    """The service's `Application` as one worker sees it: the same object in every respect,
    plus the position the worker must read after and the highest position its commands
    reached."""

    def __init__(self, app: Application, read_after: int = 0, wait_s: float = 5.0) -> None:
        self._app, self.read_after, self.wait_s = app, read_after, wait_s
        self.reached = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def execute(self, stream_id: str, decider: Any, command: Any, context: CommandContext) -> Outcome[Any]:
        outcome = self._app.execute(stream_id, decider, command, context)
        self.reached = max(self.reached, outcome.position)
        return outcome

    def position(self) -> int:
        """Where the worker's commands left the store: their highest position, or the store's
        head when they recorded nothing (the answer then reflects no later state than that)."""
        return self.reached or self._app.store.head_position()

    def await_read_after(self) -> None:
        """Return once the read models hold `read_after`; refuse a position the store has not
        reached, and give up after `wait_s` rather than answer from older read models."""
        if not self.read_after:
            return
        head = self._app.store.head_position()
        if self.read_after > head:
            raise InvalidCommand(f"asks for position {self.read_after}, but the store ends at {head}: it was "
                                 "not issued by this platform's store", field=READ_AFTER)
        if not self._app.runner.catch_up_to(self.read_after, self.wait_s):
            raise Unavailable(
                f"this replica's read models did not reach position {self.read_after} within "
                f"{self.wait_s:g}s (they hold {self._app.runner.checkpoint()}); try again",
                code="read_models_behind")
