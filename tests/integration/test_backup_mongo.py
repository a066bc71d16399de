"""MongoDB: the manifest taken before `mongodump --oplog`, checked against the stores after
`mongorestore --oplogReplay`. mongomock stands in for the server (see the README's MongoDB section)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mongomock
import pymongo
import pytest

from services.backup.catalog import STORES, mongo_database
from services.backup.cli import main
from services.backup.manifest import load_manifest
from shared.keyring import Keyring
from shared.store.mongo import MongoEventStore
from shared.views import ViewStore
from tests.backup_support import application, write_into

SERVER, OTHER_SERVER = "mongodb://mongo.test:27017", "mongodb://mongo-other.test:27017"
KEYS = Keyring.generate("k8s-2026-11")


@pytest.fixture(autouse=True)
def servers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    with mongomock.patch(servers=(("mongo.test", 27017), ("mongo-other.test", 27017))):
        monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("EVENT_STORE_URL", SERVER)
        monkeypatch.setenv("EVENT_HMAC_KEYS", KEYS.serialize())
        yield


def fill(count: int, url: str = SERVER, *, seal: bool = True) -> None:
    for service in STORES:
        store = MongoEventStore.from_url(url, default_database=mongo_database(service), keyring=KEYS)
        views = ViewStore(":memory:")
        write_into(application(service, store, views), service, count, seal=seal)
        views.close()
        store.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--nice", "0"] if argv[0] == "backup" else list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_mongo_backup_is_a_signed_manifest_to_take_before_mongodump(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(3)
    code, out, err = run(capsys, "backup", str(tmp_path / "backup"))
    assert (code, err) == (0, "")
    assert f"mongodump --uri='{SERVER}' --oplog --gzip --archive={tmp_path}/backup/mongodump.archive" in out
    manifest = load_manifest(tmp_path / "backup")
    assert manifest.backend == "mongodb" and manifest.signature_problem(KEYS) is None
    assert {service: entry.facts.head_position for service, entry in manifest.stores.items()} == {
        "inventory": 5, "teams": 4, "incidents": 3, "gateway": 3}
    assert all(entry.file is None for entry in manifest.stores.values())


def test_restored_stores_holding_every_listed_event_pass_with_what_the_dump_added_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(3)
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    fill(2)  # written while mongodump ran: in the dump, after the manifest's point
    code, out, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", SERVER)
    assert (code, err) == (0, "")
    assert "inventory: 5 events through position 5 in 3 streams, then 2 more written after the backup " \
           "point; sealed through 7; chains and seals verify, read models equal a rebuild" in out


def test_events_unsealed_at_the_manifest_and_sealed_before_the_dump_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(3)
    fill(1, seal=False)  # the relay had not sealed these yet when the manifest was taken
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    fill(0)  # the relay seals them while mongodump runs
    code, out, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", SERVER)
    assert (code, err) == (0, ""), err
    assert "teams: 5 events through position 5 in 1 stream; sealed through 5;" in out


def test_a_restored_store_with_an_edited_event_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fill(3)
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(SERVER)
    commits = client[mongo_database("teams")]["commits"]
    commit = commits.find_one({"_id": 3})
    assert commit is not None
    commit["events"][0]["data"]["people_available"] = 18
    commits.replace_one({"_id": 3}, commit)
    code, out, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", SERVER)
    assert code == 1 and out == ""
    assert "verify-backup refused: the stores do not hold what the backup's manifest lists: teams: " \
           "the hash chain of stream" in err
    assert "(position 3)" in err


def test_stores_from_another_cluster_or_day_are_refused(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    fill(3)
    fill(3, OTHER_SERVER)
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    code, _, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", OTHER_SERVER)
    assert code == 1
    assert "inventory: log_digest is" in err and "the manifest says" in err


def test_stores_that_lack_events_the_manifest_lists_are_refused(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    fill(2, OTHER_SERVER)
    fill(3)
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    code, _, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", OTHER_SERVER)
    assert code == 1
    assert "inventory: head_position is 4, the manifest says 5" in err


def test_verify_backup_refuses_a_store_url_that_names_a_database(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    fill(1)
    assert run(capsys, "backup", str(tmp_path / "backup"))[0] == 0
    code, _, err = run(capsys, "verify-backup", str(tmp_path / "backup"), "--store", f"{SERVER}/anbei")
    assert code == 1 and "leave the database out of the MongoDB URL" in err


def test_a_sqlite_restore_is_refused_on_a_mongo_platform(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    code, _, err = run(capsys, "restore", str(tmp_path / "backup"))
    assert code == 1 and "restore with mongorestore --oplogReplay" in err
