"""Backup and restore of the SQLite stores: what a backup holds, and every way a restore refuses."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest

from services.backup.catalog import STORES, ReadModels, local_paths
from services.backup.manifest import MANIFEST, BackupError, load_manifest
from services.backup.restore import check_backup, restore
from services.backup.take import take_backup
from shared.config import SERVICES
from shared.envelope import EventEnvelope
from shared.keyring import Keyring
from shared.projections import ProjectionRunner, iter_all
from shared.store.sqlite import SQLiteEventStore
from shared.views import Views, ViewStore
from tests.backup_support import local_keyring, write


def sources(data_dir: Path) -> dict[str, Path]:
    return {service: local_paths(service, data_dir)[0] for service in STORES}


@pytest.fixture
def platform_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "platform"
    write(data_dir, 6)
    return data_dir


@pytest.fixture
def keyring(platform_dir: Path) -> Keyring:
    return local_keyring(platform_dir)


@pytest.fixture
def backup(platform_dir: Path, keyring: Keyring, tmp_path: Path) -> Path:
    dest = tmp_path / "backups" / "monday"
    take_backup(sources(platform_dir), dest, keyring)
    return dest


def events_of(path: Path, keyring: Keyring) -> list[EventEnvelope]:
    store = SQLiteEventStore(path, keyring=keyring)
    try:
        return list(iter_all(store))
    finally:
        store.close()


def refusal(backup: Path, target: Path, keyring: Keyring) -> str:
    with pytest.raises(BackupError) as refused:
        restore(backup, target, keyring)
    assert not target.exists() or list(target.iterdir()) == [], "a refused restore left files behind"
    return str(refused.value)


def test_every_service_store_is_in_the_backup_catalogue() -> None:
    assert set(SERVICES) <= set(STORES)


def test_a_restore_holds_exactly_the_backed_up_events_and_read_models_equal_to_a_rebuild(
    platform_dir: Path, keyring: Keyring, backup: Path, tmp_path: Path
) -> None:
    target = tmp_path / "restored"
    report = restore(backup, target, keyring)

    for service in STORES:
        events, views = local_paths(service, target)
        assert events_of(events, keyring) == events_of(local_paths(service, platform_dir)[0], keyring)
        assert views.is_file() == STORES[service].on_disk
        store = SQLiteEventStore(events, keyring=keyring)
        live = ViewStore(views if STORES[service].on_disk else ":memory:", owner=service)
        runner = ProjectionRunner(store, live, STORES[service].projections, STORES[service].upcasters,
                                  name=service)
        assert runner.verify().ok and runner.lag() == 0
        store.close()
        live.close()
    assert [check.service for check in report.checks] == list(STORES)
    assert not [entry for entry in target.iterdir() if entry.name.startswith(".")]


def test_the_manifest_names_head_seals_checksums_version_and_signing_key(
    platform_dir: Path, keyring: Keyring, backup: Path
) -> None:
    manifest = load_manifest(backup)
    assert manifest.platform_version == metadata.version("anbei")
    assert manifest.signing_key_id == keyring.current_key_id == "local-1"
    assert manifest.signature_problem(keyring) is None
    for service, entry in manifest.stores.items():
        copy = backup / str(entry.file)
        assert entry.sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()
        assert entry.bytes == copy.stat().st_size
        store = SQLiteEventStore(local_paths(service, platform_dir)[0], keyring=keyring)
        seal = store.last_seal()
        assert seal is not None
        assert entry.facts.head_position == store.head_position() == entry.facts.sealed_through
        assert (entry.facts.last_seal and entry.facts.last_seal.digest) == seal.digest
        assert entry.facts.key_ids == ["local-1"]
        store.close()


def test_the_key_ring_is_not_in_the_backup(platform_dir: Path, keyring: Keyring, backup: Path) -> None:
    [(_, secret)] = keyring.keys
    for file in backup.rglob("*"):
        content = file.read_bytes()
        assert secret not in content and base64.b64encode(secret) not in content, file
    assert sorted(entry.name for entry in backup.iterdir()) == sorted(
        [MANIFEST, *(f"{service}-events.db" for service in STORES)])


def test_a_backup_copy_is_one_self_contained_file_per_store(backup: Path) -> None:
    for copy in backup.glob("*.db"):
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_restore_refuses_a_non_empty_target_and_leaves_it_alone(backup: Path, keyring: Keyring,
                                                                tmp_path: Path) -> None:
    target = tmp_path / "in-use"
    target.mkdir()
    (target / "inventory-events.db").write_bytes(b"today's record")
    with pytest.raises(BackupError, match=r"data folder \S*in-use is not empty \(it holds inventory-events"):
        restore(backup, target, keyring)
    assert [entry.name for entry in target.iterdir()] == ["inventory-events.db"]
    assert (target / "inventory-events.db").read_bytes() == b"today's record"


def test_restore_refuses_a_missing_file_naming_it(backup: Path, keyring: Keyring, tmp_path: Path) -> None:
    (backup / "teams-events.db").unlink()
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "teams-events.db (teams) is missing from the backup" in message


def test_restore_refuses_a_changed_byte_naming_the_file(backup: Path, keyring: Keyring,
                                                        tmp_path: Path) -> None:
    copy = backup / "inventory-events.db"
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0x01
    copy.write_bytes(bytes(content))
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "inventory-events.db (inventory) was changed or truncated" in message


def test_restore_refuses_a_truncated_file(backup: Path, keyring: Keyring, tmp_path: Path) -> None:
    copy = backup / "incidents-events.db"
    copy.write_bytes(copy.read_bytes()[:4096])
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "incidents-events.db (incidents) was changed or truncated: it has 4096 bytes" in message


def test_restore_refuses_a_store_from_another_backup_naming_that_backup(
    platform_dir: Path, keyring: Keyring, backup: Path, tmp_path: Path
) -> None:
    write(platform_dir, 2, services=["teams"])
    tuesday = tmp_path / "backups" / "tuesday"
    other = take_backup(sources(platform_dir), tuesday, keyring)
    shutil.copyfile(tuesday / "teams-events.db", backup / "teams-events.db")
    message = refusal(backup, tmp_path / "restored", keyring)
    assert (f"teams-events.db (teams) comes from another backup ({other.backup_id}), not from this one "
            f"({load_manifest(backup).backup_id})") in message


def test_restore_refuses_stores_swapped_between_services(backup: Path, keyring: Keyring,
                                                         tmp_path: Path) -> None:
    inventory, teams = backup / "inventory-events.db", backup / "teams-events.db"
    inventory.rename(backup / "swap")
    teams.rename(inventory)
    (backup / "swap").rename(teams)
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "inventory-events.db (inventory) holds the teams store, not the inventory store" in message
    assert "teams-events.db (teams) holds the inventory store, not the teams store" in message


def test_restore_refuses_an_edited_manifest(backup: Path, keyring: Keyring, tmp_path: Path) -> None:
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["stores"]["inventory"]["facts"]["head_position"] -= 1
    (backup / MANIFEST).write_text(json.dumps(manifest))
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "manifest.json fails its signature (signature does not match)" in message


def test_restore_refuses_a_key_ring_the_platform_did_not_sign_with(backup: Path, tmp_path: Path) -> None:
    message = refusal(backup, tmp_path / "restored", Keyring.generate("someone-else"))
    assert "signed with key 'local-1', which is not in the key ring" in message


def test_restore_refuses_a_folder_that_is_not_a_finished_backup(backup: Path, keyring: Keyring,
                                                                 tmp_path: Path) -> None:
    (backup / MANIFEST).unlink()
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "holds no manifest.json: not a backup, or one that did not finish" in message


def test_restore_refuses_an_edited_event_even_when_the_checksums_were_made_to_match(
    backup: Path, keyring: Keyring, tmp_path: Path
) -> None:
    """The chain check does not rely on the manifest: here someone able to re-sign the manifest
    (with the key) edited an event's data and recomputed the file's checksum."""
    copy = backup / "inventory-events.db"
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE events SET data = json_set(data, '$.quantity', 9999) WHERE position = 4")
    manifest = load_manifest(backup)
    entry = manifest.stores["inventory"].model_copy(update={
        "sha256": hashlib.sha256(copy.read_bytes()).hexdigest(), "bytes": copy.stat().st_size})
    forged = manifest.model_copy(update={"stores": {**manifest.stores, "inventory": entry}})
    forged.signed(keyring).write(backup)
    message = refusal(backup, tmp_path / "restored", keyring)
    assert "inventory: the hash chain of stream" in message and "(position 4)" in message


def test_a_failed_restore_leaves_nothing_behind(
    backup: Path, keyring: Keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NeverHolds:
        name, collections = "never", ("never",)

        def apply(self, views: Views, event: EventEnvelope) -> None:
            views.put("never", str(event.position), {})

        def invariant_violations(self, views: Views) -> list[str]:
            return ["an invariant that never holds"]

    monkeypatch.setitem(STORES, "incidents", ReadModels((NeverHolds(),)))  # the last store restored
    target = tmp_path / "restored"
    message = refusal(backup, target, keyring)
    assert "incidents: an invariant that never holds" in message
    assert not target.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    refusal(backup, empty, keyring)
    assert empty.is_dir() and list(empty.iterdir()) == []


def test_a_backup_can_be_proved_whole_without_restoring_it(backup: Path, keyring: Keyring) -> None:
    report = check_backup(backup, keyring)
    assert [check.problems for check in report.checks] == [[]] * len(STORES)
    (backup / "teams-events.db").unlink()
    with pytest.raises(BackupError, match=r"teams-events\.db"):
        check_backup(backup, keyring)


def test_backup_refuses_a_folder_that_is_not_empty(platform_dir: Path, keyring: Keyring,
                                                   backup: Path) -> None:
    with pytest.raises(BackupError, match=r"the backup folder \S* is not empty"):
        take_backup(sources(platform_dir), backup, keyring)


def test_backup_refuses_a_missing_store_and_writes_nothing(platform_dir: Path, keyring: Keyring,
                                                           tmp_path: Path) -> None:
    stores = sources(platform_dir) | {"teams": platform_dir / "nowhere-events.db"}
    with pytest.raises(BackupError, match=r"no event store for teams \(.*nowhere-events.db\)"):
        take_backup(stores, tmp_path / "backup", keyring)
    assert not (tmp_path / "backup").exists()


def test_backup_refuses_a_store_that_fails_its_integrity_check(platform_dir: Path, keyring: Keyring,
                                                               tmp_path: Path) -> None:
    with sqlite3.connect(local_paths("incidents", platform_dir)[0]) as db:
        db.execute("UPDATE events SET data = json_set(data, '$.affected_people', 3) WHERE position = 2")
    with pytest.raises(BackupError, match="incidents: the live store fails its integrity check"):
        take_backup(sources(platform_dir), tmp_path / "backup", keyring)
    assert not (tmp_path / "backup").exists()


def test_a_restore_says_which_stores_the_backup_did_not_have(
    backup: Path, keyring: Keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STORES, "dispatch", ReadModels((), on_disk=False))  # a store added after the backup
    report = restore(backup, tmp_path / "restored", keyring)
    assert report.notes == [
        "the backup holds no dispatch store (taken before there was one): it starts empty"]


def test_a_store_whose_read_models_live_in_memory_is_checked_but_gets_no_read_model_file(
    backup: Path, keyring: Keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STORES, "incidents", ReadModels(STORES["incidents"].projections, on_disk=False))
    report = restore(backup, tmp_path / "restored", keyring)
    assert report.checks[-1].report is not None and report.checks[-1].report.ok
    assert not local_paths("incidents", tmp_path / "restored")[1].exists()
    assert local_paths("incidents", tmp_path / "restored")[0].exists()


def test_backup_refuses_a_file_that_is_not_an_event_store(platform_dir: Path, keyring: Keyring,
                                                          tmp_path: Path) -> None:
    stray = tmp_path / "notes-events.db"
    stray.write_bytes(b"minutes of the flood-season meeting" * 200)
    with pytest.raises(BackupError, match=r"teams: cannot read \S*notes-events.db: file is not a database"):
        take_backup(sources(platform_dir) | {"teams": stray}, tmp_path / "backup", keyring)
    assert not (tmp_path / "backup").exists()
