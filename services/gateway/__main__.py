"""`python -m services.gateway`: run the gateway; `python -m services.gateway tokens …`: manage tokens."""

import sys
import warnings

if sys.argv[1:2] == ["tokens"]:
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    from services.gateway.cli import main

    sys.exit(main(sys.argv[2:]))

import eventlet

eventlet.monkey_patch()

from services.gateway.service import GatewayService  # noqa: E402
from shared.runner import serve  # noqa: E402 - eventlet must patch before anything else loads

serve(GatewayService)
