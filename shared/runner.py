"""`python -m services.<name>`: validate the configuration, then run one nameko service.

The caller's `__main__` monkey-patches eventlet before importing anything else, as
nameko requires. SIGTERM and Ctrl-C stop the service gracefully (nameko's own loop).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from shared.config import ConfigError, load_settings


def serve(service_cls: Any) -> None:
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {service_cls.name} %(levelname)s %(message)s"
    )
    try:
        settings = load_settings(service_cls.name)
    except ConfigError as error:
        sys.exit(f"anbei {service_cls.name}: configuration error: {error}")
    from nameko.cli.run import run

    run([service_cls], {
        "AMQP_URI": settings.amqp_uri,
        "WEB_SERVER_ADDRESS": f"{settings.gateway_host}:{settings.gateway_port}",
    })
