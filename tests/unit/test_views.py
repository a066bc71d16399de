"""Read-model files: each belongs to one service."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.views import ViewStore, ViewStoreOwnedElsewhere


def test_a_read_model_file_is_refused_to_another_service(tmp_path: Path) -> None:
    ViewStore(tmp_path / "views.db", owner="teams").close()
    ViewStore(tmp_path / "views.db", owner="teams").close()  # its owner may open it again
    with pytest.raises(ViewStoreOwnedElsewhere, match="holds the read models of teams, not inventory"):
        ViewStore(tmp_path / "views.db", owner="inventory")
