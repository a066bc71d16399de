"""The event stores a backup copies, by the service that owns each, and how their read models rebuild.

This is the one list to extend when a process gets an event store of its own (the
gateway's token book, for one): add its service name and its projections here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from services.gateway.tokens import ActiveTokens
from services.incidents.projections import PROJECTIONS as INCIDENTS
from services.incidents.upcasters import UPCASTERS as INCIDENTS_UPCASTERS
from services.inventory.projections import PROJECTIONS as INVENTORY
from services.teams.projections import PROJECTIONS as TEAMS
from services.teams.upcasters import UPCASTERS as TEAMS_UPCASTERS
from shared.config import load_settings
from shared.projections import Projection
from shared.upcasting import Upcasters


@dataclass(frozen=True)
class ReadModels:
    """What a restore replays a service's events into."""

    projections: Sequence[Projection]
    upcasters: Upcasters = field(default_factory=Upcasters)
    #: False for a process that keeps its read models in memory: a restore then only checks
    #: that they rebuild, and writes no file for them.
    on_disk: bool = True


STORES: dict[str, ReadModels] = {
    "inventory": ReadModels(INVENTORY),
    "teams": ReadModels(TEAMS, TEAMS_UPCASTERS),
    "incidents": ReadModels(INCIDENTS, INCIDENTS_UPCASTERS),
    # the gateway's token book: who was given access, by whom, and when it was revoked
    "gateway": ReadModels((ActiveTokens(),), on_disk=False),
}


def local_paths(service: str, data_dir: Path) -> tuple[Path, Path]:
    """Where a local platform keeps `service`'s event store and read models under `data_dir`
    (the configuration's defaults, so the naming rule lives in one place)."""
    settings = load_settings(service, {"DATA_DIR": str(data_dir)})
    return Path(settings.event_store_url.removeprefix("sqlite:///")), settings.view_store_path


def mongo_database(service: str) -> str:
    """The MongoDB database of `service`'s store when EVENT_STORE_URL names none (the launcher's rule)."""
    return f"anbei_{service}"
