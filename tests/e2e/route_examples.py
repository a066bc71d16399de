"""A request that should succeed for every route of the table, for the tests generated from it.

A new route needs an entry here, or the role-matrix test fails: that is how a row
without a working example (and so without a tested rule) cannot slip in. An example
is made anew for each request, so one that consumes something (a reservation to
release, a deployed team to release) makes its own first, through `World`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.world import (
    Call,
    World,
    agreement_body,
    call_off_body,
    duty_post_body,
    incident_body,
    item_body,
    member_body,
    now_iso,
    request_body,
    reservation_body,
    site_body,
    team_body,
    township_body,
    transfer_body,
    unique,
    warehouse_body,
)

__all__ = ["EXAMPLES", "Call", "World", "unique"]
Example = Callable[[World], Call]


def some_number() -> int:
    """A small number, different from call to call (so that two calls are two commands)."""
    return 10 + int(unique("n")[-4:], 16) % 1000


INVENTORY: dict[str, Example] = {
    "list_items": lambda w: Call(query={"limit": 5}),
    "register_item": lambda w: Call(body=item_body(unique("item"))),
    "get_item": lambda w: Call({"item_id": w.item}),
    "get_item_stock": lambda w: Call({"item_id": w.item}),
    "list_warehouses": lambda w: Call(),
    "register_warehouse": lambda w: Call(body=warehouse_body(unique("depot"))),
    "get_warehouse": lambda w: Call({"warehouse_id": w.warehouse}),
    "close_warehouse": lambda w: Call({"warehouse_id": w.new_warehouse()}, {"reason": unique("merged")}),
    "get_stock": lambda w: Call({"warehouse_id": w.warehouse}),
    "get_stock_line": lambda w: Call(w.line()),
    "suggest_issue": lambda w: Call(w.line(), query={"quantity": 5}),
    "set_minimum_level": lambda w: Call(w.line(), {"minimum": some_number()}),
    "record_inspection": lambda w: Call(w.line(), {"result": "serviceable", "units_inspected": 3}),
    "reverse_movement": lambda w: Call(w.line(), {"version": w.receipt_version(), "reason": "typed twice"}),
    "explain_stocktake": lambda w: Call(w.line()),
    "list_movements": lambda w: Call({"warehouse_id": w.warehouse}, query={"item_id": w.item}),
    "record_movement": lambda w: Call({"warehouse_id": w.warehouse},
                                      {"kind": "receipt", "item_id": w.item, "quantity": 1}),
    "stock_as_of": lambda w: Call({"warehouse_id": w.warehouse}, query={"at": now_iso()}),
    "list_stocktakes": lambda w: Call({"warehouse_id": w.warehouse}),
    "count_stock": lambda w: Call({"warehouse_id": w.warehouse}, {"item_id": w.item, "counted": w.on_hand(),
                                                                 "reason": unique("count")}),
    "list_reservations": lambda w: Call({"warehouse_id": w.warehouse}),
    "reserve_stock": lambda w: Call({"warehouse_id": w.warehouse}, reservation_body(w)),
    "release_reservation": lambda w: Call({"warehouse_id": w.warehouse, "reservation_id": w.reservation()},
                                          {"item_id": w.item, "reason": unique("released")}),
    "district_stock": lambda w: Call(query={"limit": 5}),
    "list_shortages": lambda w: Call(),
    "expiring_lots": lambda w: Call(query={"within_days": 30}),
    "overdue_inspections": lambda w: Call(),
    "on_site_within": lambda w: Call(query={"within_hours": 24}),
    "district_stock_as_of": lambda w: Call(query={"at": now_iso(), "clock": "recorded"}),
    "incident_reservations": lambda w: Call(query={"incident_id": w.incident}),
    "export_stock": lambda w: Call(),
    "import_stock": lambda w: Call(csv=w.census_csv()),
    "get_import": lambda w: Call({"import_id": w.census}),
    "list_transfers": lambda w: Call(),
    "dispatch_transfer": lambda w: Call(body=transfer_body(unique("transfer"), w.warehouse, w.other_warehouse,
                                                           w.item)),
    "get_transfer": lambda w: Call({"transfer_id": w.transfer}),
    "receive_transfer": lambda w: Call({"transfer_id": w.inbound_transfer()},
                                       {"warehouse_id": w.warehouse, "received": 1}),
    "list_agreements": lambda w: Call(),
    "register_agreement": lambda w: Call(body=agreement_body(unique("agreement"), w.item)),
    "get_agreement": lambda w: Call({"agreement_id": w.agreement}),
    "renew_agreement": lambda w: Call({"agreement_id": w.new_agreement()}, {
        "valid_until": "2100-12-31", "contract_reference": unique("contract")}),
    "list_call_offs": lambda w: Call({"agreement_id": w.agreement}),
    "request_call_off": lambda w: Call({"agreement_id": w.agreement},
                                       call_off_body(unique("call-off"), w.item)),
    "record_call_off_delivery": lambda w: Call({"agreement_id": w.agreement, "call_off_id": w.call_off()},
                                               {"lines": [{"item_id": w.item, "quantity": 1}]}),
    "close_call_off": lambda w: Call({"agreement_id": w.agreement, "call_off_id": w.call_off()},
                                     {"reason": unique("returned")}),
}

TEAMS: dict[str, Example] = {
    "list_teams": lambda w: Call(),
    "register_team": lambda w: Call(body=team_body(unique("team"))),
    "get_team": lambda w: Call({"team_id": w.team}),
    "get_readiness": lambda w: Call({"team_id": w.team}),
    "report_readiness": lambda w: Call({"team_id": w.team}, {"status": "ready", "people_available": 18}),
    "report_equipment_status": lambda w: Call({"team_id": w.team}, {"item_id": "pump", "ready": 1,
                                                                    "maintenance": 1}),
    "list_deployments": lambda w: Call({"team_id": w.team}),
    "deploy_team": lambda w: Call({"team_id": w.ready_team()}, {"incident_id": w.incident}),
    "record_arrival": lambda w: Call({"team_id": w.deployed_team(w.team)}, {"incident_id": w.incident}),
    "release_team": lambda w: Call({"team_id": w.deployed_team()}, {"incident_id": w.incident}),
    "team_timeline": lambda w: Call({"team_id": w.team}),
    "list_members": lambda w: Call({"team_id": w.team}),
    "add_member": lambda w: Call({"team_id": w.team}, member_body(unique("member"))),
    "remove_member": lambda w: Call({"team_id": w.team, "member_id": w.member()},
                                    {"reason": unique("moved")}),
    "record_certificate": lambda w: Call({"team_id": w.team, "member_id": w.member()}, {
        "certificate_id": "boat-licence", "kind": "boat licence", "number": unique("no"),
        "expires_on": "2027-06-30"}),
    "expiring_certificates": lambda w: Call(query={"within_days": 3650}),
    "readiness_board": lambda w: Call(query={"capability": "flood_water_rescue"}),
    "capacity": lambda w: Call(),
    "candidate_teams": lambda w: Call(query={"capability": "flood_water_rescue", "township": w.township}),
    "list_townships": lambda w: Call(),
    "register_township": lambda w: Call(body=township_body(unique("town"))),
    "get_township": lambda w: Call({"township_id": w.township}),
    "list_duty_posts": lambda w: Call(),
    "register_duty_post": lambda w: Call(body=duty_post_body(unique("post"))),
}

def on_new(status: str, body: Callable[[], dict[str, Any]] = dict) -> Example:
    """A lifecycle step on a new incident taken to `status` first; each call's body is new."""
    return lambda w: Call({"incident_id": w.new_incident(status)}, body())


def discharge(site: str, incident: str) -> Call:
    return Call({"site_id": site}, {"incident_id": incident, "people": 4})


INCIDENTS_AND_GATEWAY: dict[str, Example] = {
    "list_incidents": lambda w: Call(),
    "report_incident": lambda w: Call(body=incident_body(unique("flood"))),
    "get_incident": lambda w: Call({"incident_id": w.incident}),
    "open_incidents": lambda w: Call(query={"level": "none", "limit": 5}),
    "incident_statistics": lambda w: Call(query={"from": "2024-01-01T00:00:00"}),
    "incident_timeline": lambda w: Call({"incident_id": w.incident}),
    "file_follow_up": on_new("reported", lambda: {"reported_by": "officer Zhou", "affected_people": 40,
                                                  "description": unique("more seepage")}),
    "verify_incident": on_new("reported", lambda: {"assessment": unique("confirmed on site")}),
    "dismiss_incident": on_new("verified", lambda: {"reason": unique("duplicate of an earlier report")}),
    "activate_response": on_new("verified", lambda: {"level": "III", "basis": {"reason": unique("breach")}}),
    "change_response_level": on_new("response_active", lambda: {"level": "II",
                                                                "basis": {"reason": unique("deaths")}}),
    "declare_contained": on_new("response_active", lambda: {"note": unique("held")}),
    "begin_recovery": on_new("contained", lambda: {"note": unique("receding")}),
    "close_incident": on_new("recovering", lambda: {"note": unique("after-action review on Monday")}),
    "record_relief": on_new("response_active", lambda: {"people": 30, "provided": unique("drinking water")}),
    "list_requests": lambda w: Call({"incident_id": w.raised_request()["incident_id"]}),
    "raise_request": lambda w: Call({"incident_id": w.new_incident("response_active")},
                                    request_body(unique("request"))),
    "get_request": lambda w: Call(w.raised_request()),
    "approve_request": lambda w: Call(w.raised_request(), {"changes": [{"line": "m1", "quantity": 3}]}),
    "reject_request": lambda w: Call(w.raised_request(), {"reason": unique("the township depot covers it")}),
    "cancel_request": lambda w: Call(w.raised_request(), {"reason": unique("water receding")}),
    "pledge_materials": lambda w: Call(w.raised_request(), {
        "pledge_id": unique("pledge"), "pledged_by": "Yu'an District", "kind": "neighbouring_district",
        "lines": [{"item_id": "never-stocked", "quantity": 2}]}),
    "list_sites": lambda w: Call(),
    "register_site": lambda w: Call(body=site_body(unique("site"))),
    "get_site": lambda w: Call({"site_id": w.new_site()}),
    "admit_evacuees": lambda w: Call({"site_id": w.new_site()},
                                     {"incident_id": w.new_incident("response_active"), "people": 5}),
    "discharge_evacuees": lambda w: discharge(*w.sheltering()),
    "whoami": lambda w: Call(),
    "feed": lambda w: Call({"service": "inventory"}, query={"after": 0, "limit": 5}),
    "overview": lambda w: Call(),
    "picture": lambda w: Call(),
}

EXAMPLES: dict[str, Example] = {**INVENTORY, **TEAMS, **INCIDENTS_AND_GATEWAY}
