"""The gateway's HTTP entrypoints: routes that forward to the services over nameko RPC."""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Request

from shared.config import SERVICES
from shared.nameko_kit import service_settings

from .http import api, command_meta, json_body, with_path_id
from .web import http

Result = tuple[int, Any]


class GatewayService:
    name = "gateway"
    inventory = RpcProxy("inventory")
    teams = RpcProxy("teams")
    incidents = RpcProxy("incidents")
    settings = service_settings()

    def _call(self, service: str, method: str, *args: Any) -> Any:
        with eventlet.Timeout(self.settings.rpc_timeout_s):
            return getattr(getattr(self, service), method)(*args)

    @http("GET", "/healthz")
    @api
    def healthz(self, request: Request) -> Result:
        return 200, {"status": "ok"}

    @http("GET", "/readyz")
    @api
    def readyz(self, request: Request) -> Result:
        checks = {service: self._ping(service) for service in SERVICES}
        ready = all(state == "ok" for state in checks.values())
        return (200 if ready else 503), {"status": "ready" if ready else "not_ready", "services": checks}

    def _ping(self, service: str) -> str:
        try:
            with eventlet.Timeout(2):
                getattr(self, service).ping()
        except eventlet.Timeout:
            return "timeout"
        except Exception as error:
            return f"unavailable: {type(error).__name__}"
        return "ok"

    # inventory

    @http("GET", "/api/v1/items")
    @api
    def list_items(self, request: Request) -> Result:
        return 200, self._call("inventory", "list_items", dict(request.args))

    @http("POST", "/api/v1/items")
    @api
    def register_item(self, request: Request) -> Result:
        return 201, self._call("inventory", "register_item", json_body(request), command_meta(request))

    @http("GET", "/api/v1/items/<string:item_id>")
    @api
    def get_item(self, request: Request, item_id: str) -> Result:
        return 200, self._call("inventory", "get_item", item_id)

    @http("GET", "/api/v1/warehouses")
    @api
    def list_warehouses(self, request: Request) -> Result:
        return 200, self._call("inventory", "list_warehouses", dict(request.args))

    @http("POST", "/api/v1/warehouses")
    @api
    def register_warehouse(self, request: Request) -> Result:
        return 201, self._call("inventory", "register_warehouse", json_body(request), command_meta(request))

    @http("GET", "/api/v1/warehouses/<string:warehouse_id>")
    @api
    def get_warehouse(self, request: Request, warehouse_id: str) -> Result:
        return 200, self._call("inventory", "get_warehouse", warehouse_id)

    @http("GET", "/api/v1/warehouses/<string:warehouse_id>/stock")
    @api
    def get_stock(self, request: Request, warehouse_id: str) -> Result:
        return 200, self._call("inventory", "get_stock", warehouse_id, dict(request.args))

    @http("GET", "/api/v1/warehouses/<string:warehouse_id>/movements")
    @api
    def list_movements(self, request: Request, warehouse_id: str) -> Result:
        return 200, self._call("inventory", "list_movements", warehouse_id, dict(request.args))

    @http("POST", "/api/v1/warehouses/<string:warehouse_id>/movements")
    @api
    def record_movement(self, request: Request, warehouse_id: str) -> Result:
        body = with_path_id(json_body(request), "warehouse_id", warehouse_id)
        return 201, self._call("inventory", "record_movement", body, command_meta(request))

    # teams

    @http("GET", "/api/v1/teams")
    @api
    def list_teams(self, request: Request) -> Result:
        return 200, self._call("teams", "list_teams", dict(request.args))

    @http("POST", "/api/v1/teams")
    @api
    def register_team(self, request: Request) -> Result:
        return 201, self._call("teams", "register_team", json_body(request), command_meta(request))

    @http("GET", "/api/v1/teams/<string:team_id>")
    @api
    def get_team(self, request: Request, team_id: str) -> Result:
        return 200, self._call("teams", "get_team", team_id)

    @http("GET", "/api/v1/teams/<string:team_id>/readiness")
    @api
    def get_readiness(self, request: Request, team_id: str) -> Result:
        return 200, self._call("teams", "get_readiness", team_id)

    @http("POST", "/api/v1/teams/<string:team_id>/readiness")
    @api
    def report_readiness(self, request: Request, team_id: str) -> Result:
        body = with_path_id(json_body(request), "team_id", team_id)
        return 201, self._call("teams", "report_readiness", body, command_meta(request))

    @http("GET", "/api/v1/readiness")
    @api
    def readiness_board(self, request: Request) -> Result:
        return 200, self._call("teams", "readiness_board", dict(request.args))

    # incidents

    @http("GET", "/api/v1/incidents")
    @api
    def list_incidents(self, request: Request) -> Result:
        return 200, self._call("incidents", "list_incidents", dict(request.args))

    @http("POST", "/api/v1/incidents")
    @api
    def report_incident(self, request: Request) -> Result:
        return 201, self._call("incidents", "report_incident", json_body(request), command_meta(request))

    @http("GET", "/api/v1/incidents/<string:incident_id>")
    @api
    def get_incident(self, request: Request, incident_id: str) -> Result:
        return 200, self._call("incidents", "get_incident", incident_id)
