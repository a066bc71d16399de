"""`python -m services backup | restore | verify-backup` on a local platform's SQLite stores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.backup.cli import main
from shared.keyring import Keyring
from tests.backup_support import write


@pytest.fixture
def platform_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in ("EVENT_STORE_URL", "EVENT_HMAC_KEYS", "VIEW_STORE_PATH"):
        monkeypatch.delenv(variable, raising=False)
    data_dir = tmp_path / "platform"
    write(data_dir, 3)
    return data_dir


def shell(*argv: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if key not in ("EVENT_STORE_URL", "EVENT_HMAC_KEYS", "VIEW_STORE_PATH")}
    return subprocess.run([sys.executable, "-m", "services", *argv], capture_output=True, text=True,
                          timeout=120, check=False, env=clean | {"DATA_DIR": str(data_dir)} | env)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data_dir: Path,
        *argv: str) -> tuple[int, str, str]:
    """The command in this process (a backup at its own priority, not lowering the tests')."""
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    code = main([*argv, "--nice", "0"] if argv[0] == "backup" else list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_backup_and_a_restore_from_a_shell(platform_dir: Path, tmp_path: Path) -> None:
    backup, restored = tmp_path / "backups" / "2026-11-29", tmp_path / "restored"
    taken = shell("backup", str(backup), data_dir=platform_dir)
    assert taken.returncode == 0, taken.stderr
    assert "keep the key ring elsewhere" in taken.stdout and taken.stderr == ""
    assert "inventory: 5 events through position 5, sealed through 5, as of" in taken.stdout

    key_file = platform_dir / "secrets" / "event-hmac-keys"
    done = shell("restore", str(backup), "--key-file", str(key_file), data_dir=restored)
    assert done.returncode == 0, done.stderr
    assert f"into {restored}:" in done.stdout
    assert "teams: 4 events through position 4 in 1 stream; sealed through 4; chains and seals verify, " \
           "read models equal a rebuild" in done.stdout
    installed = restored / "secrets" / "event-hmac-keys"
    assert installed.read_text() == key_file.read_text()
    assert installed.stat().st_mode & 0o777 == 0o600

    proved = shell("verify-backup", str(backup), data_dir=platform_dir)
    assert proved.returncode == 0, proved.stderr
    assert "restores whole" in proved.stdout


def test_a_refused_restore_exits_1_naming_the_problem_without_a_traceback(platform_dir: Path,
                                                                          tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    assert shell("backup", str(backup), data_dir=platform_dir).returncode == 0
    (backup / "teams-events.db").unlink()
    refused = shell("restore", str(backup), "--key-file", str(platform_dir / "secrets" / "event-hmac-keys"),
                    data_dir=tmp_path / "restored")
    assert refused.returncode == 1
    assert refused.stderr == ("restore refused: the backup is not whole: teams-events.db (teams) is missing "
                              "from the backup\n")
    assert not (tmp_path / "restored").exists()


def test_restore_asks_for_the_key_ring_kept_apart_from_the_backups(
    platform_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup"
    assert run(capsys, monkeypatch, platform_dir, "backup", str(backup))[0] == 0
    code, _, err = run(capsys, monkeypatch, tmp_path / "restored", "restore", str(backup))
    assert code == 1 and "no key ring: set EVENT_HMAC_KEYS or pass --key-file" in err

    not_keys = tmp_path / "notes.txt"
    not_keys.write_text("remember the milk")
    code, _, err = run(capsys, monkeypatch, tmp_path / "restored", "restore", str(backup),
                       "--key-file", str(not_keys))
    assert code == 1 and f"{not_keys} is not a key ring: entry 1: expected key_id:base64secret" in err

    code, _, err = run(capsys, monkeypatch, tmp_path / "restored", "restore", str(backup),
                       "--key-file", str(tmp_path / "nowhere"))
    assert code == 1 and "--key-file" in err and "No such file or directory" in err
    assert not (tmp_path / "restored").exists()


def test_restore_with_the_key_ring_in_the_environment_installs_no_key_file(
    platform_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup"
    assert run(capsys, monkeypatch, platform_dir, "backup", str(backup))[0] == 0
    keys = (platform_dir / "secrets" / "event-hmac-keys").read_text()
    monkeypatch.setenv("EVENT_HMAC_KEYS", keys)
    code, _, err = run(capsys, monkeypatch, tmp_path / "both", "restore", str(backup), "--key-file",
                       str(platform_dir / "secrets" / "event-hmac-keys"))
    assert code == 1 and "both EVENT_HMAC_KEYS and --key-file give a key ring: give one" in err
    code, _, err = run(capsys, monkeypatch, tmp_path / "restored", "restore", str(backup))
    assert (code, err) == (0, "")
    assert not (tmp_path / "restored" / "secrets").exists()


def test_a_bad_variable_stops_the_command_naming_it(
    platform_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENT_HMAC_KEYS", "k1:not base64!")
    code, _, err = run(capsys, monkeypatch, platform_dir, "backup", str(tmp_path / "backup"))
    assert code == 2 and err.startswith("configuration error: EVENT_HMAC_KEYS:")


def test_a_backup_never_makes_up_a_key_ring(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "never-ran"
    code, _, err = run(capsys, monkeypatch, empty, "backup", str(tmp_path / "backup"))
    assert code == 1 and "no key ring" in err
    assert not empty.exists()


def test_verify_backup_uses_the_key_ring_it_is_given(
    platform_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup"
    assert run(capsys, monkeypatch, platform_dir, "backup", str(backup))[0] == 0
    other = tmp_path / "other-keys"
    other.write_text(Keyring.generate("other").serialize())
    code, _, err = run(capsys, monkeypatch, platform_dir, "verify-backup", str(backup),
                       "--key-file", str(other))
    assert code == 1 and "signed with key 'local-1', which is not in the key ring" in err


def test_a_backup_yields_the_cpu_to_the_services_by_default(
    platform_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    niceness: list[int] = []
    monkeypatch.setattr(os, "nice", niceness.append)
    monkeypatch.setenv("DATA_DIR", str(platform_dir))
    assert main(["backup", str(tmp_path / "backup")]) == 0
    assert niceness == [10]
