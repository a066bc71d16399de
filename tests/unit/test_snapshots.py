"""Snapshots and the state cache: a cache of the fold, never trusted over the events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.application import Application, CommandContext
from shared.decider import Command, Decider, Event
from shared.envelope import EventEnvelope
from shared.projections import ProjectionRunner
from shared.store.memory import InMemoryEventStore
from shared.upcasting import Upcasters
from shared.views import ViewStore


class Move(Command):
    item: str
    quantity: int


class Moved(Event):
    item: str
    quantity: int


@dataclass(frozen=True)
class Shelf:
    """A state with the shapes real deciders use: counts, a mapping, a history tuple."""

    moves: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    recent: tuple[str, ...] = ()


def decide(command: Move, state: Shelf) -> list[Event]:
    return [Moved(item=command.item, quantity=command.quantity)]


def evolve(state: Shelf, event: Event) -> Shelf:
    assert isinstance(event, Moved)
    levels = {**state.levels, event.item: state.levels.get(event.item, 0) + event.quantity}
    return Shelf(state.moves + 1, levels, (*state.recent, event.item)[-3:])


shelf = Decider[Move, Shelf](decide, evolve, Shelf(), (Moved,))


class CountingStore(InMemoryEventStore):
    """Counts how many events commands read back from the store."""

    read = 0

    def read_stream(
        self, stream_id: str, from_version: int = 1, limit: int | None = None
    ) -> list[EventEnvelope]:
        events = super().read_stream(stream_id, from_version, limit)
        self.read += len(events)
        return events


def application(store: InMemoryEventStore, views: ViewStore | None = None, every: int = 5,
                upcasters: Upcasters | None = None, capacity: int = 100) -> Application:
    return Application(store, ProjectionRunner(store, views or ViewStore(":memory:"), []), upcasters,
                       snapshot_every=every, cache_capacity=capacity)


def run(app: Application, moves: list[tuple[str, int]], stream: str = "shelf:1", prefix: str = "m") -> None:
    for n, (item, quantity) in enumerate(moves):
        context = CommandContext(command_id=f"{prefix}{n}")
        app.execute(stream, shelf, Move(item=item, quantity=quantity), context)


def replayed(store: InMemoryEventStore, stream: str = "shelf:1") -> Shelf:
    return shelf.fold(shelf.event_from(e.type, e.data) for e in store.read_stream(stream))


moves = st.lists(st.tuples(st.sampled_from(["boats", "pumps", "jackets"]), st.integers(-5, 50)),
                 min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(moves, st.integers(1, 7))
def test_a_state_loaded_from_a_snapshot_equals_a_replay_of_the_events(
    history: list[tuple[str, int]], every: int
) -> None:
    store, views = InMemoryEventStore(), ViewStore(":memory:")
    run(application(store, views, every), history)
    fresh = application(store, views, every)  # a restart: no cache, only the snapshot on disk
    assert fresh.load("shelf:1", shelf) == (replayed(store), len(history))
    codec = fresh.states.codec(shelf)
    assert codec.load(codec.dump(replayed(store))) == replayed(store)


def test_a_command_reads_only_the_events_after_the_snapshot() -> None:
    store, views = CountingStore(), ViewStore(":memory:")
    run(application(store, views, every=50), [("boats", 1)] * 120)
    restarted = application(store, views, every=50)
    store.read = 0
    run(restarted, [("boats", 1)], prefix="after")
    assert store.read == 20  # versions 101-120 after the snapshot at 100, not all 120
    store.read = 0
    run(restarted, [("boats", 1)], prefix="cached")
    assert store.read == 0  # the cache already holds version 121


def test_a_snapshot_that_cannot_be_read_is_ignored_and_reported() -> None:
    store, views = InMemoryEventStore(), ViewStore(":memory:")
    run(application(store, views, every=3), [("boats", 2)] * 4)
    fingerprint, version, _ = views.load_snapshot("shelf:1") or ("", 0, "")
    views.save_snapshot("shelf:1", fingerprint, version, '{"moves": "many"}')
    restarted = application(store, views, every=3)
    assert any("cannot be read" in problem for problem in restarted.verify().snapshot_problems)
    assert restarted.load("shelf:1", shelf) == (replayed(store), 4)
    assert restarted.states.ignored == 1
    assert restarted.verify().snapshot_problems == []  # replaced by a good one on the way


def test_a_snapshot_that_disagrees_with_its_events_is_reported_by_verify() -> None:
    store, views = InMemoryEventStore(), ViewStore(":memory:")
    app = application(store, views, every=3)
    run(app, [("boats", 2)] * 4)
    assert app.verify().ok
    fingerprint, version, _ = views.load_snapshot("shelf:1") or ("", 0, "")
    wrong = application(store, views).states.codec(shelf).dump(Shelf(moves=3, levels={"boats": 600}))
    views.save_snapshot("shelf:1", fingerprint, version, wrong)
    report = application(store, views, every=3).verify()
    assert report.snapshot_problems == ["shelf:1: snapshot at version 3 differs from its events"]
    assert not report.ok


def test_an_upcaster_change_invalidates_the_snapshots() -> None:
    store, views = InMemoryEventStore(), ViewStore(":memory:")
    run(application(store, views, every=3), [("boats", 2)] * 3)
    fingerprint, version, _ = views.load_snapshot("shelf:1") or ("", 0, "")
    poisoned = application(store, views).states.codec(shelf).dump(Shelf(moves=3, levels={"boats": 999}))
    views.save_snapshot("shelf:1", fingerprint, version, poisoned)
    assert application(store, views, every=3).load("shelf:1", shelf)[0].levels == {"boats": 999}

    upcasters = Upcasters()

    @upcasters.register("Moved", from_version=1)
    def double(data: dict[str, Any]) -> dict[str, Any]:  # a new reading of old events
        return {**data, "quantity": data["quantity"] * 2}

    upcast_app = application(store, views, every=3, upcasters=upcasters)
    state, _ = upcast_app.load("shelf:1", shelf)
    assert state.levels == {"boats": 12}  # folded from the upcast events, not from the old snapshot


def test_a_new_state_version_invalidates_the_snapshots() -> None:
    store, views = InMemoryEventStore(), ViewStore(":memory:")
    run(application(store, views, every=2), [("boats", 2)] * 2)
    bumped = Decider[Move, Shelf](decide, evolve, Shelf(), (Moved,), state_version=2)
    app = application(store, views, every=2)
    assert app.states.codec(bumped).fingerprint != app.states.codec(shelf).fingerprint


def test_the_cache_holds_at_most_its_capacity_of_streams() -> None:
    store = InMemoryEventStore()
    app = application(store, capacity=3)
    for n in range(10):
        run(app, [("boats", 1)], stream=f"shelf:{n}", prefix=f"s{n}-")
    assert len(app.states._memory) == 3


def test_a_decider_rebuilt_for_each_command_shares_one_codec_and_one_registration() -> None:
    from dataclasses import replace

    from shared.decider import known_deciders

    before = len(known_deciders())
    app = application(InMemoryEventStore())
    rebuilt = [replace(shelf, decide=decide) for _ in range(50)]  # as a handler passing facts does
    assert {app.states.codec(d).fingerprint for d in rebuilt} == {app.states.codec(shelf).fingerprint}
    assert len(app.states._codecs) == 1
    assert len(known_deciders()) == before


def test_a_long_history_is_folded_page_by_page_to_the_same_state(monkeypatch: Any) -> None:
    import shared.application

    store = CountingStore()
    run(application(store, every=1000), [("boats", n) for n in range(1, 11)])
    monkeypatch.setattr(shared.application, "FOLD_PAGE", 3)
    restarted = application(store, every=1000)
    assert restarted.load("shelf:1", shelf) == (replayed(store), 10)
    run(restarted, [("boats", 1)], prefix="later")
    assert restarted.load("shelf:1", shelf)[1] == 11


def test_a_long_history_is_folded_from_the_upcast_shape_of_its_events(monkeypatch: Any) -> None:
    import shared.application

    store = InMemoryEventStore()
    run(application(store, every=1000), [("boats", 1)] * 10)
    upcasters = Upcasters()

    @upcasters.register("Moved", from_version=1)
    def double(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "quantity": data["quantity"] * 2}

    monkeypatch.setattr(shared.application, "FOLD_PAGE", 3)  # a first page, then three more
    state, version = application(store, every=1000, upcasters=upcasters).load("shelf:1", shelf)
    assert (state.levels, version) == ({"boats": 20}, 10)
