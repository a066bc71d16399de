"""The Decider shape every aggregate follows: `decide(command, state) -> events`, `evolve(state, event)`.

Pure: no I/O, no clock. Commands are imperative, events are facts in the past tense;
both are frozen pydantic models. The event's type name on the wire is its class name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import InvalidCommand


class Command(BaseModel):
    """Base for commands: strict about unknown fields, trims text."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Event(BaseModel):
    """Base for domain events (the payload inside an envelope).

    Events are a published contract (`services.contracts`): each event class states its
    meaning in the first line of its docstring (English) and in `meaning_zh` (Chinese),
    and raises `schema_version` when its shape changes in a way a reader could trip on.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: ClassVar[int] = 1
    #: The event's one-line meaning in Chinese, beside the docstring's English first line.
    meaning_zh: ClassVar[str]

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


C = TypeVar("C", bound=Command)
S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    """An aggregate's behaviour: how it decides, how it evolves, which events it knows.

    The state must be a typed frozen dataclass or pydantic model (the kernel snapshots
    it with pydantic). Raise `state_version` whenever `evolve` or the state's shape
    changes: snapshots taken under another version are ignored.
    """

    decide: Callable[[C, S], list[Event]]
    evolve: Callable[[S, Event], S]
    initial_state: S
    event_types: tuple[type[Event], ...]
    state_version: int = 1
    _by_name: dict[str, type[Event]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {t.type_name(): t for t in self.event_types})
        _KNOWN.setdefault(self.identity, self)

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two deciders fold alike: the same evolve, state type, state version and
        events. A decider rebuilt per call (e.g. `replace(d, decide=...)`) keeps its identity."""
        return (self.evolve, type(self.initial_state), self.state_version, self.event_types)

    def fold(self, events: Iterable[Event], state: S | None = None) -> S:
        current = self.initial_state if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current

    def event_from(self, type_name: str, data: dict[str, Any]) -> Event:
        return self._by_name[type_name].model_validate(data)


def evolved(state: S, **changes: Any) -> S:
    """`dataclasses.replace(state, **changes)` for a frozen state dataclass of plain fields (no
    `__post_init__`, no `__slots__`), at a fraction of its cost: a fold calls it once per event."""
    unknown = changes.keys() - state.__dataclass_fields__.keys()  # type: ignore[attr-defined]
    if unknown:
        raise TypeError(f"{type(state).__name__} has no field {', '.join(sorted(unknown))}")
    new = object.__new__(type(state))
    new.__dict__.update(state.__dict__, **changes)
    return new


_KNOWN: dict[tuple[object, ...], Decider[Any, Any]] = {}


def known_deciders() -> tuple[Decider[Any, Any], ...]:
    """One decider of each identity defined so far, e.g. to check their snapshots."""
    return tuple(_KNOWN.values())


def parse(model: type[M], payload: Any) -> M:
    """Validate a payload into `model`; a failure names the first offending field."""
    if not isinstance(payload, dict):
        raise InvalidCommand("expected a JSON object", field="body")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidCommand(message, field=where) from None
