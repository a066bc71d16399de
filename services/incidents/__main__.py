"""Run the incidents service: `python -m services.incidents` (configured by environment variables)."""

import eventlet

eventlet.monkey_patch()

from services.incidents.service import IncidentsService  # noqa: E402
from shared.runner import serve  # noqa: E402 - eventlet must patch before anything else loads

serve(IncidentsService)
