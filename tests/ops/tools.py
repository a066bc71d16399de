"""The command-line tools the ops tests drive: promtool, kubectl, kubernetes-validate.

`./scripts/test` installs them when missing; a missing tool fails a test, never skips it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
RULES = K8S / "base" / "prometheus" / "rules.yml"


def tool(name: str) -> str:
    """The tool on PATH, or the one `./scripts/test` put into the virtual environment."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    assert found is not None, f"{name} is not installed: ./scripts/test installs it"
    return found


def run(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool(command[0]), *command[1:]], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)
