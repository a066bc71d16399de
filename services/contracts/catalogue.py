"""Every event the services publish, found in their domain models, with its meaning.

A service publishes everything its event store holds: its outbox relay sends each
committed event to the exchange `<service>.events`, routing key = the event's type. So a
service's published events are the event classes its domain package defines, and each
states its meaning beside its model: the first line of its docstring in English and
`meaning_zh` in Chinese. A class without either is refused (`MissingMeaning`).

The gateway's token events (`TokenIssued`, `TokenRevoked`) are left out on purpose
(`UNPUBLISHED`): they stay in the gateway's own store, which no relay publishes and no
feed serves, and who holds which role and scope is not for other systems to consume.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from shared.config import SERVICES
from shared.decider import Event
from shared.upcasting import Upcasters

#: The services whose events other systems receive (each runs an outbox relay and a feed).
PUBLISHERS: tuple[str, ...] = SERVICES
#: Services with event stores of their own that publish nothing, and why.
UNPUBLISHED: dict[str, str] = {
    "gateway": "its token events stay in the gateway's own store: no relay publishes them, no feed "
               "serves them, and who holds which role is not for other systems",
}


class CatalogueError(ValueError):
    """The published events cannot be catalogued as they are; the message lists every problem."""


class MissingMeaning(CatalogueError):
    """An event class does not say what it means, in English or in Chinese."""


@dataclass(frozen=True)
class Meaning:
    en: str
    zh: str


@dataclass(frozen=True)
class PublishedEvent:
    """One event type as other systems receive it: who publishes it, where, and what it means."""

    service: str
    model: type[Event]
    meaning: Meaning

    @property
    def type(self) -> str:
        return self.model.type_name()

    @property
    def schema_version(self) -> int:
        return self.model.schema_version

    @property
    def exchange(self) -> str:
        return f"{self.service}.events"

    @property
    def routing_key(self) -> str:
        return self.type


def meaning(model: type[Event]) -> Meaning:
    """The model's own meaning: its docstring's first line and its `meaning_zh` (never inherited)."""
    own = vars(model)
    docstring = own.get("__doc__") or ""
    english = inspect.cleandoc(docstring).split("\n", 1)[0].strip()
    chinese = str(own.get("meaning_zh") or "").strip()
    missing = [what for what, text in (("a docstring whose first line says what happened", english),
                                       ("meaning_zh", chinese)) if not text]
    if missing:
        raise MissingMeaning(f"{model.__module__}.{model.__qualname__} needs {' and '.join(missing)}")
    return Meaning(english, chinese)


def domain_events(service: str) -> list[type[Event]]:
    """The event classes defined in `services.<service>.domain`, by type name."""
    package = importlib.import_module(f"services.{service}.domain")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    prefix = f"{package.__name__}."
    return sorted((cls for cls in _subclasses(Event) if cls.__module__.startswith(prefix)),
                  key=lambda cls: cls.type_name())


def published_events(services: Sequence[str] = PUBLISHERS) -> tuple[PublishedEvent, ...]:
    """Every published event type, service by service; refuses a missing meaning or a type
    name used twice in one service (one routing key would then carry two shapes)."""
    events: list[PublishedEvent] = []
    problems: list[str] = []
    for service in services:
        models = domain_events(service)
        names = [model.type_name() for model in models]
        problems += [f"{service} defines two events named {name}" for name in sorted(set(names))
                     if names.count(name) > 1]
        for model in models:
            try:
                events.append(PublishedEvent(service, model, meaning(model)))
            except MissingMeaning as error:
                problems.append(str(error))
    if problems:
        raise CatalogueError("; ".join(problems))
    return tuple(events)


def upcasters_of(service: str) -> Upcasters:
    """The upcasters a service reads its old event shapes with (`services.<service>.upcasters`)."""
    name = f"services.{service}.upcasters"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return Upcasters()
    upcasters = module.UPCASTERS
    assert isinstance(upcasters, Upcasters), f"{name}.UPCASTERS must be an Upcasters registry"
    return upcasters


def _subclasses(cls: type[Event]) -> Iterator[type[Event]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)
