"""Read-model files: each belongs to one service."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.views import ViewStore, ViewStoreOwnedElsewhere


def test_a_read_model_file_is_refused_to_another_service(tmp_path: Path) -> None:
    ViewStore(tmp_path / "views.db", owner="teams").close()
    ViewStore(tmp_path / "views.db", owner="teams").close()  # its owner may open it again
    with pytest.raises(ViewStoreOwnedElsewhere, match="holds the read models of teams, not inventory"):
        ViewStore(tmp_path / "views.db", owner="inventory")


# --- a write transaction holds its documents and writes them when it commits -------------------

@pytest.fixture(params=["file", "memory"])
def views(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ViewStore]:
    store = ViewStore(tmp_path / "views.db" if request.param == "file" else ":memory:")
    yield store
    store.close()


def test_a_transaction_reads_back_what_it_wrote_by_key_by_range_and_from_a_nested_read(
    views: ViewStore,
) -> None:
    with views.transaction() as writing:
        writing.put("lines", "w1/sandbags", {"on_hand": 5})
        writing.put("lines", "w1/pumps", {"on_hand": 2})
        writing.put("lines", "w1/sandbags", {"on_hand": 7})
        assert writing.get("lines", "w1/sandbags") == {"on_hand": 7}
        assert writing.list("lines", "w1/") == [{"on_hand": 2}, {"on_hand": 7}]
        assert writing.page("lines", "w1/", limit=1) == ([{"on_hand": 2}], "w1/pumps")
        assert views.get("lines", "w1/sandbags") == {"on_hand": 7}  # a query called by a projection
        with views.reading() as nested:
            assert nested.list("lines") == [{"on_hand": 2}, {"on_hand": 7}]
        writing.put("lines", "w1/pumps", {"on_hand": 3})  # written again after a range read
    assert views.list("lines") == [{"on_hand": 3}, {"on_hand": 7}]


def test_a_document_read_in_a_transaction_is_a_copy_that_changes_nothing_unless_put(
    views: ViewStore,
) -> None:
    with views.transaction() as writing:
        writing.put("lines", "w1/sandbags", {"on_hand": 5, "lots": {"L1": 5}})
    with views.transaction() as writing:
        line = writing.get("lines", "w1/sandbags")
        assert line is not None
        line["lots"]["L2"] = 1
        put = {"on_hand": 6, "lots": {"L1": 6}}
        writing.put("lines", "w1/pumps", put)
        put["on_hand"] = 99  # changing an object after putting it changes nothing either
        assert writing.get("lines", "w1/sandbags") == {"on_hand": 5, "lots": {"L1": 5}}
    assert views.get("lines", "w1/sandbags") == {"on_hand": 5, "lots": {"L1": 5}}
    assert views.get("lines", "w1/pumps") == {"on_hand": 6, "lots": {"L1": 6}}


def test_deletes_and_clears_in_a_transaction_are_seen_by_it_and_land_on_commit(views: ViewStore) -> None:
    with views.transaction() as writing:
        for key in ("a", "b", "c"):
            writing.put("shortages", key, {"key": key})
        writing.put("other", "x", {"key": "x"})
    with views.transaction() as writing:
        assert writing.get("shortages", "a") == {"key": "a"}  # now held by the transaction
        writing.delete("shortages", "a")
        assert writing.get("shortages", "a") is None
        assert writing.list("shortages") == [{"key": "b"}, {"key": "c"}]
        writing.put("shortages", "d", {"key": "d"})
        writing.clear("shortages")
        assert writing.get("shortages", "b") is None
        assert writing.get("shortages", "d") is None
        writing.put("shortages", "e", {"key": "e"})
        writing.delete("other", "x")
        writing.put("other", "x", {"key": "x again"})
    assert views.list("shortages") == [{"key": "e"}]
    assert views.list("other") == [{"key": "x again"}]


def test_a_transaction_that_fails_leaves_nothing_it_held(views: ViewStore) -> None:
    with views.transaction() as writing:
        writing.put("lines", "kept", {"n": 1})
    with pytest.raises(RuntimeError), views.transaction() as writing:
        writing.put("lines", "kept", {"n": 2})
        writing.put("lines", "new", {"n": 1})
        writing.list("lines")  # flushed to SQL before the failure: rolled back all the same
        writing.put("lines", "later", {"n": 1})
        raise RuntimeError("a projection failed half way")
    assert views.list("lines") == [{"n": 1}]
    with views.transaction() as writing:  # and the next transaction starts with nothing held
        assert writing.get("lines", "new") is None


def test_another_thread_sees_a_transaction_s_documents_only_after_it_commits(tmp_path: Path) -> None:
    views = ViewStore(tmp_path / "views.db")
    seen: list[object] = []
    connected, asked, answered = threading.Event(), threading.Event(), threading.Event()

    def read_elsewhere() -> None:
        seen.append(views.get("lines", "w1/sandbags"))  # opens its own connection first
        connected.set()
        asked.wait(10)
        seen.append(views.get("lines", "w1/sandbags"))
        answered.set()

    elsewhere = threading.Thread(target=read_elsewhere)
    elsewhere.start()
    assert connected.wait(10)
    with views.transaction() as writing:
        writing.put("lines", "w1/sandbags", {"on_hand": 5})
        asked.set()
        assert answered.wait(10)
    elsewhere.join()
    after = views.get("lines", "w1/sandbags")
    views.close()
    assert seen == [None, None]
    assert after == {"on_hand": 5}


def test_a_read_nested_in_a_read_shares_its_snapshot(views: ViewStore) -> None:
    with views.transaction() as writing:
        writing.put("lines", "w1/sandbags", {"on_hand": 5})
    with views.reading() as outer:
        assert views.get("lines", "w1/sandbags") == {"on_hand": 5}  # a query calling another
        assert outer.list("lines") == [{"on_hand": 5}]


def test_a_range_read_can_stop_below_a_key(views: ViewStore) -> None:
    with views.transaction() as writing:
        for period in ("2023-11", "2024-01", "2024-02", "2024-03"):
            writing.put("buckets", f"w1/M/{period}/sandbags", {"period": period})
        writing.put("buckets", "w2/M/2024-01/sandbags", {"period": "other warehouse"})
        assert writing.list("buckets", "w1/M/2024", below="w1/M/2024-03") == [
            {"period": "2024-01"}, {"period": "2024-02"}]
    before_february = views.list("buckets", "w1/M/", below="w1/M/2024-02")
    assert before_february == [{"period": "2023-11"}, {"period": "2024-01"}]
    assert views.list("buckets", "w1/M/", below="w9") == views.list("buckets", "w1/M/")  # the prefix ends it


def test_a_write_outside_a_write_transaction_lands_at_once(views: ViewStore) -> None:
    with views.reading() as reading:
        reading.put("lines", "w1/sandbags", {"on_hand": 5})
        reading.put("lines", "w1/pumps", {"on_hand": 2})
        reading.delete("lines", "w1/pumps")
    assert views.list("lines") == [{"on_hand": 5}]
