"""Run the inventory service: `python -m services.inventory` (configured by environment variables)."""

import eventlet

eventlet.monkey_patch()

from services.inventory.service import InventoryService  # noqa: E402
from shared.runner import serve  # noqa: E402 - eventlet must patch before anything else loads

serve(InventoryService)
