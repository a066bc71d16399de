"""Blocking work (SQLite, pymongo, decoding long histories) off the green-thread loop.

A nameko service runs every worker as a green thread on one eventlet hub; SQLite
calls never yield, so one slow command would freeze every other RPC, the relay and
the health checks. `offload` runs a function in eventlet's pool of native threads
when the process is monkey-patched (a running service) and simply calls it
otherwise (unit tests, benchmarks, command-line tools).

Code that runs offloaded must use native locks (`native_lock`), never green ones: a
green lock taken in a native thread would wait on a hub that never runs there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def _original_threading() -> Any:
    try:
        from eventlet import patcher
    except ImportError:  # pragma: no cover - eventlet comes with nameko
        return threading
    return patcher.original("threading") if patcher.is_monkey_patched("thread") else threading


def green() -> bool:
    """True in a monkey-patched (eventlet) process."""
    try:
        from eventlet import patcher
    except ImportError:  # pragma: no cover
        return False
    return bool(patcher.is_monkey_patched("thread"))


def offload(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a native thread when green, else right here."""
    if green():
        from eventlet import tpool

        return tpool.execute(function, *args, **kwargs)  # type: ignore[no-any-return]
    return function(*args, **kwargs)


def cooperate() -> None:
    """Let other green threads run (a long loop on the event loop calls this now and then)."""
    if green():
        import eventlet

        eventlet.sleep(0)


def yield_to_others() -> None:
    """Hand the GIL over now (from a native thread doing long work), so the event loop runs."""
    _original_time().sleep(0)


def _original_time() -> Any:
    try:
        from eventlet import patcher
    except ImportError:  # pragma: no cover
        import time

        return time
    return patcher.original("time")


def native_local() -> threading.local:
    """Per-thread storage keyed by native thread, even in a monkey-patched process."""
    return _original_threading().local()  # type: ignore[no-any-return]


def native_lock() -> threading.RLock:
    """A re-entrant lock that works across native threads even in a monkey-patched process."""
    return _original_threading().RLock()  # type: ignore[no-any-return]
