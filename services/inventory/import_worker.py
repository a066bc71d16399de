"""The service's background importer: runs staged census imports outside any RPC.

Staging answers at once; rows are then received here, on a managed green thread
that hands the blocking work to a native thread (`shared.blocking.offload`). It wakes
when an import is staged and every few seconds otherwise, so an import interrupted
by a restart resumes on its own.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from nameko.extensions import DependencyProvider

from shared.application import Application
from shared.blocking import offload
from shared.nameko_kit import EventSourcing

from . import import_flow

log = logging.getLogger(__name__)


def run_pending(app: Application, stop: threading.Event) -> None:
    for import_id in import_flow.running(app):
        if stop.is_set():
            return
        import_flow.run(app, import_id, stop)


class ImportWorker(DependencyProvider):  # type: ignore[misc]
    def __init__(self, poll_s: float = 3.0) -> None:
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wakeup = threading.Event()

    def start(self) -> None:
        provider = next(d for d in self.container.dependencies if isinstance(d, EventSourcing))
        self.app: Application = provider.app
        self.container.spawn_managed_thread(self._loop)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                offload(run_pending, self.app, self._stop)
            except Exception:
                log.exception("census import failed; retrying in %.0fs", self.poll_s)
            self._wakeup.wait(self.poll_s)
            self._wakeup.clear()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        if worker_ctx.entrypoint.method_name == "import_stock":
            self._wakeup.set()

    def stop(self) -> None:
        self._stop.set()
        self._wakeup.set()

    def get_dependency(self, worker_ctx: Any) -> None:
        return None


def import_worker() -> Any:
    """Declare `importer = import_worker()` on the service class."""
    return ImportWorker()
