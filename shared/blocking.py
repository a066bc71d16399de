"""Blocking work (SQLite, pymongo, decoding long histories) off the green-thread loop.

A nameko service runs every worker as a green thread on one eventlet hub; SQLite
calls never yield, so one slow command would freeze every other RPC, the relay and
the health checks. `offload` runs a function in eventlet's pool of native threads
when the process is monkey-patched (a running service) and simply calls it
otherwise (unit tests, benchmarks, command-line tools).

Code that runs offloaded must use native locks (`native_lock`), never green ones: a
green lock taken in a native thread would wait on a hub that never runs there.

Offloaded work is *foreground* (an RPC answer someone waits for) unless it says it is
long (`in_background`): a command folding a long history then gives way (`give_way`)
while foreground work runs, because under the GIL a busy thread makes every other
thread wait a switch interval each time it wants to run, and an answer needs many turns
(each SQLite step and each pipe wake-up hands the GIL over).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: Background work's pauses add up to at most this share of the time it has spent working, so
#: under a steady stream of answers it still spends half its time or more working (and a
#: foreground job that itself waits, for a lock or for read models, cannot stall it).
GIVE_WAY_SHARE = 1.0
#: The steps in which it waits: each releases the GIL (and the core) for the whole step.
GIVE_WAY_STEP_S = 0.0002


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
    if not green() or hasattr(_work.mine, "foreground"):  # already in a pool thread: run here
        return function(*args, **kwargs)
    from eventlet import tpool

    # counted from the event loop's side, so its own wake-ups are covered too; a worker's green
    # thread counts already, from its start to its reply
    counted_here = worker_started()
    try:
        return tpool.execute(_foreground, function, *args, **kwargs)  # type: ignore[no-any-return]
    finally:
        if counted_here:
            worker_finished()


def worker_started() -> bool:
    """A worker (an RPC, an event handler) began on this green thread: foreground work until
    `worker_finished`, including what the event loop does for it around its offloaded body
    (decoding the request, sending the reply), and counted once however often it offloads.
    False when this green thread counts already."""
    if not green() or getattr(_work.green, "counted", False):
        return False
    _work.green.counted = True
    _work.add(1)
    return True


def worker_finished() -> None:
    if getattr(_work.green, "counted", False):
        _work.green.counted = False
        _work.add(-1)


class _Work:
    """How many jobs run in the foreground now (offloaded jobs and workers), whether this native
    thread runs one (`mine.foreground`, set in every pool thread once it has run a job), and
    whether this green thread counts already (`green.counted`)."""

    def __init__(self) -> None:
        self.lock = _original_threading().Lock()
        self.foreground = 0
        self.mine = _original_threading().local()
        self.green = _green_local()

    def add(self, delta: int) -> None:
        with self.lock:
            self.foreground += delta


def _green_local() -> Any:
    """Per-green-thread storage (per native thread where there are no green threads)."""
    try:
        from eventlet.corolocal import local
    except ImportError:  # pragma: no cover
        return threading.local()
    return local()


_work = _Work()


def _foreground(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    _work.mine.foreground = True
    try:
        return function(*args, **kwargs)
    finally:
        _work.mine.foreground = False


class Background:
    """Long work in an offloaded job that gives way to the foreground (`in_background`)."""

    def __init__(self, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.clock = clock or _original_time().monotonic
        self.sleep = sleep or _original_time().sleep
        self.started, self.waited = self.clock(), 0.0

    def give_way(self) -> None:
        """Pause, the GIL released, while foreground work runs, within the share."""
        while _work.foreground:
            worked = self.clock() - self.started - self.waited
            if self.waited >= worked * GIVE_WAY_SHARE:
                return
            paused = self.clock()
            self.sleep(GIVE_WAY_STEP_S)
            self.waited += self.clock() - paused


@contextmanager
def in_background() -> Iterator[Background]:
    """Run the block as background work: it no longer counts as foreground, and gives way."""
    counted = getattr(_work.mine, "foreground", False)
    if counted:
        _work.mine.foreground = False
        _work.add(-1)
    try:
        yield Background()
    finally:
        if counted:
            _work.add(1)
            _work.mine.foreground = True


def foreground_jobs() -> int:
    """How many offloaded jobs run in the foreground now."""
    return _work.foreground


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
