"""Tamper evidence on every backend: keyed hash chains per stream and chained seals over the log.

Each case changes stored history behind the store's back, as someone with the
database but without the key ring could, and checks that the change is found.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest

from shared.envelope import NewEvent, hashed_message
from shared.integrity import BrokenLink, BrokenSeal, first_broken_link, first_broken_seal, stored_record
from shared.keyring import Keyring
from shared.projections import iter_all
from shared.sealing import seal_pending
from shared.store.base import EventStore
from tests.contract.conftest import KEYRING, Backend

WHEN = datetime(2024, 7, 1, 8, 30, tzinfo=UTC)


def new(**data: object) -> NewEvent:
    return NewEvent(type="StockReceived", occurred_at=WHEN, data=data or {"quantity": 1})


def history(store: EventStore) -> tuple[str, str]:
    """Two streams of three events each, interleaved, all sealed."""
    a, b = f"stock:a-{uuid.uuid4().hex[:6]}:x", f"stock:b-{uuid.uuid4().hex[:6]}:x"
    for version in range(3):
        store.append(a, version, [new(quantity=version + 1)])
        store.append(b, version, [new(quantity=10 + version)])
    assert seal_pending(store, page=4) == 6  # two seals: positions 1-4 and 5-6
    return a, b


def findings(store: EventStore) -> tuple[BrokenLink | None, BrokenSeal | None]:
    broken_seal, _ = first_broken_seal(store.read_seals(), iter_all(store), store.keyring)
    return first_broken_link(iter_all(store), store.keyring), broken_seal


def test_an_untouched_history_passes_every_check(backend: Backend) -> None:
    store = backend.open()
    history(store)
    assert findings(store) == (None, None)
    assert [(s.after_position, s.through_position) for s in store.read_seals()] == [(0, 4), (4, 6)]


def test_an_edited_event_is_named(backend: Backend) -> None:
    store = backend.open()
    a, _ = history(store)
    target = store.read_stream(a)[1]
    backend.tamper(target.position, {"quantity": 300})
    link, _ = findings(store)
    assert link is not None and (link.stream_id, link.version) == (a, 2)


def test_an_edit_with_the_chain_recomputed_without_the_key_is_named(backend: Backend) -> None:
    store = backend.open()
    a, _ = history(store)
    guessed = Keyring.generate(KEYRING.current_key_id)  # same key id, a secret the attacker made up
    previous = ""
    for event in store.read_stream(a):
        record = stored_record(event) | ({"data": {"quantity": 999}} if event.version == 2 else {})
        forged = guessed.sign(hashed_message(previous, record))
        backend.rewrite(event.position, {"data": record["data"], "hash": forged})
        previous = forged
    link, seal = findings(store)
    assert link is not None and (link.stream_id, link.version) == (a, 1)
    assert "does not match" in link.reason
    assert seal is not None


def test_an_unkeyed_sha256_chain_is_refused() -> None:
    assert KEYRING.verify(b"message", "0" * 64) is not None


def test_deleting_the_newest_event_of_a_stream_breaks_its_seal(backend: Backend) -> None:
    store = backend.open()
    a, _ = history(store)
    newest = store.read_stream(a)[-1]
    backend.delete(newest.position)
    link, seal = findings(store)
    assert link is None  # the stream's own chain cannot tell: nothing follows the newest event
    assert seal is not None and seal.after_position < newest.position <= seal.through_position


def test_deleting_a_whole_stream_breaks_the_seals(backend: Backend) -> None:
    store = backend.open()
    _, b = history(store)
    for event in store.read_stream(b):
        backend.delete(event.position)
    link, seal = findings(store)
    assert link is None
    assert seal is not None and seal.after_position == 0


def test_moving_an_event_to_another_position_is_named(backend: Backend) -> None:
    store = backend.open()
    a, _ = history(store)
    first = store.read_stream(a)[0]
    store.append("stock:late:x", 0, [new()])  # position 7, unsealed
    backend.delete(7)
    backend.rewrite(first.position, {"position": 7})
    link, _ = findings(store)
    assert link is not None and link.stream_id == a


def test_removing_a_seal_is_named(backend: Backend) -> None:
    store = backend.open()
    history(store)
    backend.delete_seal(0)
    _, broken = findings(store)
    assert broken is not None and "missing" in broken.reason


def test_events_signed_with_a_rotated_key_verify_while_the_old_key_is_kept(backend: Backend) -> None:
    store = backend.open()
    a, _ = history(store)
    rotated = Keyring(((("next"), b"a-new-secret-of-32-bytes-length!"), *KEYRING.keys))
    store.keyring = rotated
    store.append(a, 3, [new()])
    seal_pending(store)
    assert findings(store) == (None, None)
    store.keyring = Keyring(rotated.keys[:1])  # the old key was dropped too early
    link, _ = findings(store)
    assert link is not None and "not in the key ring" in link.reason


def test_concurrent_sealers_never_fork_the_chain(backend: Backend) -> None:
    writer = backend.open()
    for n in range(60):
        writer.append(f"stock:s{n}:x", 0, [new()])

    def seal() -> None:
        handle = backend.open()
        for _ in range(5):
            seal_pending(handle, page=7)

    threads = [threading.Thread(target=seal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    seals = writer.read_seals()
    assert [s.after_position for s in seals] == [0, *[s.through_position for s in seals[:-1]]]
    assert seals[-1].through_position == 60
    assert findings(writer) == (None, None)


@pytest.mark.parametrize("keys", ["", "no-colon", "k:not*base64", "k:c2hvcnQ=",
                                  "a:QUFBQUFBQUFBQUFBQUFBQQ==,a:QUFBQUFBQUFBQUFBQUFBQQ=="])
def test_a_malformed_key_ring_is_refused(keys: str) -> None:
    with pytest.raises(ValueError):
        Keyring.parse(keys)
