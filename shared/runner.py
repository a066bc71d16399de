"""`python -m services.<name>`: validate the configuration, then run one nameko service.

The caller's `__main__` monkey-patches eventlet before importing anything else, as
nameko requires. SIGTERM and Ctrl-C stop the service gracefully (nameko's own loop).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from shared.config import SERVICES, ConfigError, load_keyring, load_settings
from shared.errors import AnbeiError
from shared.store import StoreFormatError
from shared.views import ViewStore, ViewStoreOwnedElsewhere


class ExpectedErrorsOnOneLine(logging.Filter):
    """An answer a client caused (a 4xx: invalid, not found, conflict) is not a fault.

    nameko logs every exception a worker raises with its traceback; for the kernel's
    own errors this turns the record into one line naming the entrypoint and the code,
    and keeps tracebacks for real faults.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, AnbeiError):
            worker_ctx = record.args[0] if isinstance(record.args, tuple) and record.args else None
            entrypoint = getattr(getattr(worker_ctx, "entrypoint", None), "method_name", "?")
            record.msg, record.args = "%s answered %s: %s", (entrypoint, error.code, error)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def configure_logging(name: str) -> None:
    """One line per record, naming the process: the service, or with replicas `inventory-2`."""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    logging.getLogger("nameko.containers").addFilter(ExpectedErrorsOnOneLine())


#: How often (seconds) a thread holding the GIL hands it over. Python's default (5 ms) lets a
#: command folding a long history in a native thread keep the event loop waiting 5 ms per
#: step; RPC answers and the relay need many steps. 1 ms keeps them moving.
SWITCH_INTERVAL_S = 0.001


def serve(service_cls: Any) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        settings = load_settings(service_cls.name)
        configure_logging(settings.replica_name)
        if service_cls.name in SERVICES:
            load_keyring(settings)
            ViewStore(settings.view_store_path, owner=service_cls.name).close()
    except (ConfigError, ViewStoreOwnedElsewhere, StoreFormatError) as error:
        sys.exit(f"anbei {service_cls.name}: configuration error: {error}")
    from nameko.cli.run import run

    run([service_cls], {
        "AMQP_URI": settings.amqp_uri,
        "WEB_SERVER_ADDRESS": f"{settings.gateway_host}:{settings.gateway_port}",
    })
