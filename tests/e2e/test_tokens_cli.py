"""`python -m services.gateway tokens issue|list|revoke` against a running platform's gateway store."""

from __future__ import annotations

import json
import subprocess
import sys

from services.launcher import Platform
from tests.api_client import Api


def tokens(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.gateway", "tokens", *args], env=platform.env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_token_issued_on_the_command_line_works_until_it_is_revoked(platform: Platform) -> None:
    issued = tokens(platform, "issue", "--user", "keeper-zhang", "--role", "warehouse_keeper",
                    "--warehouse", "jinan-flood-reserve", "--id", "keeper-zhang-1", "--note", "Mayan depot")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    keeper = Api(platform.url, token)
    me = keeper.get("/me").json()
    assert (me["user"], me["role"], me["warehouses"]) == ("keeper-zhang", "warehouse_keeper",
                                                         ["jinan-flood-reserve"])

    listed = [json.loads(line) for line in tokens(platform, "list").stdout.splitlines()]
    mine = next(doc for doc in listed if doc["token_id"] == "keeper-zhang-1")
    assert mine["note"] == "Mayan depot" and mine["revoked_at"] is None
    assert token.rsplit(".", 1)[1] not in json.dumps(listed) and "secret_hash" not in mine

    revoked = tokens(platform, "revoke", "keeper-zhang-1", "--reason", "moved to another depot")
    assert revoked.returncode == 0 and "revoked keeper-zhang-1" in revoked.stdout
    assert keeper.get("/me").status_code == 401


def test_the_command_line_refuses_a_scope_the_role_cannot_have(platform: Platform) -> None:
    refused = tokens(platform, "issue", "--user", "leader-li", "--role", "team_leader")
    assert refused.returncode == 1
    assert "teams: a team_leader leads exactly one team" in refused.stderr
    unknown = tokens(platform, "revoke", "no-such-token")
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
