"""Run the gateway service: `python -m services.gateway` (configured by environment variables)."""

import eventlet

eventlet.monkey_patch()

from services.gateway.service import GatewayService  # noqa: E402
from shared.runner import serve  # noqa: E402 - eventlet must patch before anything else loads

serve(GatewayService)
