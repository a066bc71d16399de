"""Run the teams service: `python -m services.teams` (configured by environment variables)."""

import eventlet

eventlet.monkey_patch()

from services.teams.service import TeamsService  # noqa: E402
from shared.runner import serve  # noqa: E402 - eventlet must patch before anything else loads

serve(TeamsService)
