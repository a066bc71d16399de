"""The floor the gateway is measured against: a bare nameko HTTP -> RPC round trip doing no work.

    python -m loadtests.report.floor backend     # the RPC service: answers a constant
    python -m loadtests.report.floor http PORT   # the HTTP service: one RPC per request

Both read `AMQP_URI`; they run as two processes, as the gateway and a service do, with the
same nameko runner and GIL switch interval (`shared.runner`), so the only difference from
the gateway is what the gateway does: tokens, validation, the command's work.
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402 - eventlet must patch before anything else loads
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.web.handlers import http  # noqa: E402

from shared.runner import SWITCH_INTERVAL_S  # noqa: E402


class FloorBackend:
    name = "floor_backend"

    @rpc
    def command(self, body: str) -> dict[str, Any]:
        return {"ok": True, "size": len(body)}

    @rpc
    def read(self) -> dict[str, Any]:
        return {"ok": True}


class FloorHttp:
    name = "floor_http"
    backend = RpcProxy("floor_backend")

    @http("POST", "/command")
    def command(self, request: Any) -> str:
        return json.dumps(self.backend.command(request.get_data(as_text=True)))

    @http("GET", "/read")
    def read(self, request: Any) -> str:
        return json.dumps(self.backend.read())


def main(argv: list[str]) -> None:
    from nameko.cli.run import run

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    service: Any = FloorBackend if argv[0] == "backend" else FloorHttp
    port = argv[1] if len(argv) > 1 else "0"
    run([service], {"AMQP_URI": os.environ["AMQP_URI"], "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})


if __name__ == "__main__":
    main(sys.argv[1:])
