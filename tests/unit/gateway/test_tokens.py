"""The token book: issued tokens work, revoked ones do not, and only hashes are stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mongomock
import pytest

from services.gateway.tokens import TokenBook, hash_secret, split_token
from shared.errors import Conflict, InvalidCommand, NotFound
from shared.projections import iter_all
from shared.store import EventStore
from shared.store.memory import InMemoryEventStore
from shared.store.mongo import MongoEventStore
from shared.store.sqlite import SQLiteEventStore


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
def book(store: InMemoryEventStore) -> TokenBook:
    return TokenBook(store)


def test_an_issued_token_speaks_for_its_user_role_and_scope(book: TokenBook) -> None:
    token = book.issue("keeper-li", "warehouse_keeper", warehouses=["jinan-flood-reserve"])
    principal = book.authenticate(token)
    assert principal is not None
    assert (principal.user, principal.role) == ("keeper-li", "warehouse_keeper")
    assert principal.warehouses == {"jinan-flood-reserve"} and principal.teams == frozenset()


def test_only_a_hash_of_the_secret_is_stored(book: TokenBook, store: InMemoryEventStore) -> None:
    token = book.issue("operator-chen", "commander")
    _, secret = split_token(token) or ("", "")
    [issued] = list(iter_all(store))
    assert secret not in issued.model_dump_json()
    assert issued.data["secret_hash"] == hash_secret(secret)
    assert all("secret_hash" not in doc for doc in book.list())


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: t[:-1], lambda t: t.replace("anb.", "xyz."),
                                    lambda t: "anb.t-0000000000000000." + t.rsplit(".", 1)[1],
                                    lambda t: "", lambda t: "anb..", lambda t: "anb"])
def test_a_wrong_or_malformed_token_authenticates_no_one(book: TokenBook, mangle: object) -> None:
    token = book.issue("operator-chen", "commander")
    assert callable(mangle)
    assert book.authenticate(mangle(token)) is None


def test_a_revoked_token_stops_working_and_revoking_again_changes_nothing(book: TokenBook) -> None:
    token = book.issue("observer-province", "observer", token_id="province-feed")
    assert book.revoke("province-feed", "contract ended") is True
    assert book.authenticate(token) is None
    assert book.revoke("province-feed") is False
    [doc] = book.list()
    assert (doc["revoke_reason"], doc["revoked_by"]) == ("contract ended", "cli")


def two_stores(kind: str, tmp_path: Path) -> tuple[EventStore, EventStore]:
    """Two handles on one store, as two gateway replicas (or the tool and a replica) hold them."""
    if kind == "sqlite":
        path = tmp_path / "gateway-events.db"
        return SQLiteEventStore(path), SQLiteEventStore(path)
    if kind == "mongomock":
        database: Any = mongomock.MongoClient(tz_aware=True)["anbei_gateway"]
        return MongoEventStore(database), MongoEventStore(database)
    shared = InMemoryEventStore()
    return shared, shared


@pytest.mark.parametrize("kind", ["memory", "sqlite", "mongomock"])
def test_another_replica_on_the_same_store_sees_issues_and_revocations_at_once(
    kind: str, tmp_path: Path
) -> None:
    first, second = (TokenBook(store) for store in two_stores(kind, tmp_path))
    token = first.issue("leader-wang", "team_leader", teams=["longma"], token_id="wang")
    assert second.authenticate(token) is not None
    first.revoke("wang")
    assert second.authenticate(token) is None


@pytest.mark.parametrize(("role", "scope", "field"), [
    ("warehouse_keeper", {}, "warehouses"),
    ("team_leader", {}, "teams"),
    ("team_leader", {"teams": ["a-team", "b-team"]}, "teams"),
    ("commander", {"warehouses": ["jinan-flood-reserve"]}, "warehouses"),
    ("observer", {"teams": ["a-team"]}, "teams"),
    ("superuser", {}, "role"),
])
def test_a_role_gets_exactly_the_scope_it_can_have(
    book: TokenBook, role: str, scope: dict[str, list[str]], field: str
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        book.issue("someone", role, warehouses=scope.get("warehouses", ()), teams=scope.get("teams", ()))
    assert refused.value.field == field


def test_the_first_admin_token_is_created_once(book: TokenBook) -> None:
    first = book.ensure_initial_admin()
    assert first is not None and book.authenticate(first) is not None
    assert book.ensure_initial_admin() is None


def test_a_token_id_is_issued_once_and_an_unknown_one_cannot_be_revoked(book: TokenBook) -> None:
    book.issue("a-user", "observer", token_id="same")
    with pytest.raises(Conflict):
        book.issue("b-user", "admin", token_id="same")
    with pytest.raises(NotFound):
        book.revoke("never-issued")
