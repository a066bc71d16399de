"""How the gateway gathers from several services: bounded calls, whole lists, partial answers.

A view is built from sections, one per service it reads. Each section runs in its own
green thread with the RPC timeout, so a slow service costs at most that long, and a
section whose service is down or too slow is left out: the answer then says
`"partial": true` and names the services in `unavailable`, and still carries every
section that could be gathered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol

import eventlet
from eventlet.greenpool import GreenPool

from shared.errors import AnbeiError

from .schemas import Json
from .tokens import Principal

PAGE = 1000
log = logging.getLogger(__name__)


class ServiceUnavailable(AnbeiError):
    """A service did not answer (not running, or too slow)."""

    default_code = "service_unavailable"
    outcome = "unavailable"

    def __init__(self, message: str, service: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.service, self.timed_out = service, timed_out


class Caller(Protocol):
    """Calls one RPC of one service, raising `ServiceUnavailable` when it does not answer."""

    def __call__(self, service: str, method: str, *args: Any) -> Any: ...


class Gatherer:
    """What a view handler gets: RPC calls, whole lists, concurrent sections, the clock and
    who asks."""

    def __init__(self, call: Caller, clock: Callable[[], datetime],
                 principal: Principal | None = None) -> None:
        self.call, self.now, self.principal = call, clock, principal

    def everything(self, service: str, method: str, *args: Any,
                   filters: Json | None = None) -> Iterator[Json]:
        """Every item of a paged list RPC (with the list's own `filters`), following its cursor
        to the end."""
        query: Json = {**(filters or {}), "limit": PAGE}
        while True:
            page = self.call(service, method, *args, query)
            yield from page["items"]
            if page["next"] is None:
                return
            query = {**(filters or {}), "limit": PAGE, "after": page["next"]}

    def sections(self, builders: dict[str, Callable[[], Any]]) -> Json:
        """Build every section at once; the ones whose service is down come back as None."""
        pool = GreenPool(len(builders) or 1)
        threads = {name: pool.spawn(_unless_unavailable, build) for name, build in builders.items()}
        results = {name: thread.wait() for name, thread in threads.items()}
        unavailable = sorted(service for name, (_, service) in results.items() if service is not None)
        return {"partial": bool(unavailable), "unavailable": unavailable,
                **{name: value for name, (value, _) in results.items()}}


def _unless_unavailable(build: Callable[[], Any]) -> tuple[Any, str | None]:
    try:
        return build(), None
    except ServiceUnavailable as error:
        return None, error.service


def bounded_call(proxies: Callable[[str], Any], timeout_s: float) -> Caller:
    """A `Caller` over nameko proxies that gives up after `timeout_s` with a 503 naming the service,
    and answers a 503 too when the request cannot even be sent because the broker is out of reach
    (its connection refused or cut: a broker outage, not a fault of the gateway)."""
    from amqp.exceptions import AMQPError
    from kombu.exceptions import KombuError
    from nameko.exceptions import UnknownService

    def call(service: str, method: str, *args: Any) -> Any:
        try:
            with eventlet.Timeout(timeout_s):
                return getattr(proxies(service), method)(*args)
        except UnknownService:
            raise ServiceUnavailable(f"the {service} service is not running", service) from None
        except eventlet.Timeout:
            raise ServiceUnavailable(f"the {service} service did not answer within {timeout_s:g}s",
                                     service, timed_out=True) from None
        except (OSError, KombuError, AMQPError) as error:
            log.warning("calling %s.%s: the message broker is out of reach: %s", service, method, error)
            raise ServiceUnavailable(f"the {service} service cannot be reached: the message broker is "
                                     "unavailable", service) from None

    return call
