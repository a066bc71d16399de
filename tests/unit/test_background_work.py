"""Long background work (a cold fold) gives way to foreground work (RPC answers), within a share.

The counting itself runs in a monkey-patched process, as in a service: a job offloaded to
eventlet's native threads is foreground until it says it is background.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import shared.blocking
from shared.blocking import GIVE_WAY_SHARE, Background


class FakeTime:
    """A clock that only moves when someone sleeps, and foreground work that ends after some naps."""

    def __init__(self, foreground_for_naps: int | None = None) -> None:
        self.now, self.naps, self.ends_after = 100.0, 0, foreground_for_naps

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.naps += 1
        if self.naps == self.ends_after:
            shared.blocking._work.add(-1)


@pytest.fixture
def one_foreground_job() -> object:
    shared.blocking._work.add(1)
    yield
    shared.blocking._work.foreground = 0


def background(time: FakeTime, worked_s: float) -> Background:
    work = Background(clock=time.clock, sleep=time.sleep)
    time.now += worked_s
    return work


def test_background_work_does_not_pause_when_nothing_runs_in_the_foreground() -> None:
    time = FakeTime()
    background(time, 0.010).give_way()
    assert time.naps == 0


def test_background_work_pauses_while_foreground_work_runs(one_foreground_job: object) -> None:
    time = FakeTime(foreground_for_naps=3)
    background(time, 0.010).give_way()
    assert time.naps == 3


def test_background_work_never_pauses_longer_than_its_share_of_the_time_it_worked(
    one_foreground_job: object,
) -> None:
    time = FakeTime()  # the foreground job never ends (it waits on something itself)
    work = background(time, 0.010)
    for _ in range(5):
        work.give_way()
        time.now += 0.002  # works on between the pauses
    assert work.waited <= GIVE_WAY_SHARE * (time.now - 100.0 - work.waited) + shared.blocking.GIVE_WAY_STEP_S
    assert work.waited >= 0.010  # but it did give way


COUNTING = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    from shared.blocking import foreground_jobs, in_background, offload

    def background_job():
        with in_background():
            return foreground_jobs()

    print(foreground_jobs(), offload(foreground_jobs), offload(background_job),
          offload(lambda: offload(foreground_jobs)), foreground_jobs())
""")


def test_an_offloaded_job_counts_as_foreground_until_it_says_it_is_background() -> None:
    result = subprocess.run([sys.executable, "-c", COUNTING], capture_output=True, text=True, timeout=60,
                            check=True)
    assert result.stdout.split() == ["0", "1", "0", "1", "0"]


FOLDING = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    from shared.application import FOLD_PAGE, Application, CommandContext
    from shared.blocking import foreground_jobs, offload
    from shared.projections import ProjectionRunner
    from shared.store.memory import InMemoryEventStore
    from shared.views import ViewStore
    from tests.unit.test_snapshots import Move, Moved, Shelf, decide, evolve
    from shared.decider import Decider

    seen = []

    def counting(state, event):
        seen.append(foreground_jobs())
        return evolve(state, event)

    shelf = Decider(decide, counting, Shelf(), (Moved,))
    store = InMemoryEventStore()
    app = Application(store, ProjectionRunner(store, ViewStore(":memory:"), []), snapshot_every=10_000)
    for n in range(FOLD_PAGE * 3):
        app.execute("shelf:1", shelf, Move(item="boats", quantity=1), CommandContext(command_id=f"m{n}"))
    restarted = Application(store, ProjectionRunner(store, ViewStore(":memory:"), []))
    seen.clear()
    offload(restarted.load, "shelf:1", shelf)
    print(FOLD_PAGE, seen.count(1), seen.count(0), foreground_jobs())
""")


def test_a_cold_fold_is_foreground_for_its_first_page_and_background_after() -> None:
    result = subprocess.run([sys.executable, "-c", FOLDING], capture_output=True, text=True, timeout=60,
                            check=True)
    page, foreground, background, after = map(int, result.stdout.split())
    assert (foreground, background, after) == (page, 2 * page, 0)


WORKERS = textwrap.dedent("""
    import eventlet
    from eventlet.event import Event
    eventlet.monkey_patch()
    from shared.blocking import foreground_jobs, in_background, offload, worker_finished, worker_started

    def background_job():
        with in_background():
            return foreground_jobs()

    def worker(seen):
        worker_started()
        seen += [foreground_jobs(), offload(foreground_jobs), offload(background_job), foreground_jobs()]
        worker_finished()
        seen.append(foreground_jobs())

    def waiting_worker(started, release):
        worker_started()
        started.send()
        release.wait()
        worker_finished()

    alone, beside_another = [], []
    eventlet.spawn(worker, alone).wait()
    started, release = Event(), Event()
    other = eventlet.spawn(waiting_worker, started, release)
    started.wait()
    eventlet.spawn(worker, beside_another).wait()
    release.send()
    other.wait()
    print(*alone, "|", *beside_another, "|", foreground_jobs())
""")


def test_a_worker_counts_once_from_start_to_finish_however_often_it_offloads() -> None:
    result = subprocess.run([sys.executable, "-c", WORKERS], capture_output=True, text=True, timeout=60,
                            check=True)
    assert result.stdout.split() == ["1", "1", "0", "1", "0", "|", "2", "2", "1", "2", "1", "|", "0"]


SERVICE_WORKER = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    from shared.blocking import foreground_jobs
    from shared.nameko_kit import EventSourcing

    provider = EventSourcing([])  # what every event-sourced service declares

    def worker():
        provider.worker_setup(None)
        during = foreground_jobs()
        provider.worker_teardown(None)
        return during, foreground_jobs()

    print(*eventlet.spawn(worker).wait())
""")


def test_an_event_sourced_service_counts_each_worker_as_foreground_until_it_is_torn_down() -> None:
    result = subprocess.run([sys.executable, "-c", SERVICE_WORKER], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["1", "0"]
