"""A restore rebuilds each service's read models as the service itself does: same projections,
same upcasters (without them, a store holding an older event shape cannot be restored)."""

from __future__ import annotations

import pytest

from services.backup.catalog import STORES
from services.incidents.service import IncidentsService
from services.inventory.service import InventoryService
from services.teams.service import TeamsService
from shared.nameko_kit import EventSourcing

SERVICES = {"inventory": InventoryService, "teams": TeamsService, "incidents": IncidentsService}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_restore_rebuilds_with_the_services_own_projections_and_upcasters(name: str) -> None:
    provider = SERVICES[name].es
    assert isinstance(provider, EventSourcing)
    restored = STORES[name]
    assert list(restored.projections) == list(provider.projections)
    assert restored.upcasters.fingerprint() == provider.upcasters.fingerprint()
