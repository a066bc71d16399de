"""What the dispatch asks the other services before it plans, turned into the domain's options.

Inventory: an item's district total with each warehouse's share (`get_item_stock`), each
warehouse's coordinates (`get_warehouse`), and what agreement reserves can deliver within the
relief target (`on_site_within`). Teams: a named team's readiness (`get_readiness`), candidates
for a capability nearest to a township first (`candidate_teams`), a township's seat
(`get_township`). A refusal (`NotFound`…) means "none"; a failure to answer propagates, so the
reactor offers the event again later.
"""

from __future__ import annotations

from typing import Any

from shared.errors import InvalidCommand, NotFound
from shared.reactors import Effects

from ..domain.kinds import GeoPoint
from ..domain.sourcing import CALL_OFF_WITHIN_HOURS, AgreementOption, Candidate, StockOption, distance_km

PAGE = 1000


_KIND_WORDS = ("subdistrict", "town", "township")


def _names(doc: dict[str, Any]) -> set[str]:
    """Every name a report may use for a township: its id, its names, its name without "town"."""
    words = doc["name"].split()
    bare = " ".join(words[:-1]) if len(words) > 1 and words[-1].casefold() in _KIND_WORDS else doc["name"]
    return {name.casefold() for name in (doc["township_id"], doc["name"], doc["name_zh"], bare)}


def township(effects: Effects, reported: str) -> tuple[str, GeoPoint] | None:
    """The register's township a report names (by id or by name), and its seat; None when the
    register has no such township."""
    try:
        doc = effects.call("teams", "get_township", reported)
    except (NotFound, InvalidCommand):  # not an id: look it up by name
        query: dict[str, Any] = {"limit": PAGE}
        while True:
            page = effects.call("teams", "list_townships", query)
            doc = next((d for d in page["items"] if reported.strip().casefold() in _names(d)), None)
            if doc is not None or page["next"] is None:
                break
            query = {**query, "after": page["next"]}
        if doc is None:
            return None
    return doc["township_id"], GeoPoint(lat=doc["location"]["lat"], lon=doc["location"]["lon"])


def _warehouse_place(effects: Effects, warehouse_id: str) -> tuple[bool, GeoPoint | None]:
    """Whether the warehouse is open, and where it is (None when not on record)."""
    doc = effects.call("inventory", "get_warehouse", warehouse_id)
    lat, lon = doc.get("latitude"), doc.get("longitude")
    known = isinstance(lat, float | int) and isinstance(lon, float | int)
    place = GeoPoint(lat=float(lat), lon=float(lon)) if known else None
    return doc.get("status", "open") == "open", place


Places = dict[str, tuple[bool, GeoPoint | None]]


def stock_options(effects: Effects, item_id: str, origin: GeoPoint | None,
                  places: Places | None = None) -> list[StockOption]:
    """Every open warehouse with the item available, and its distance from `origin` if known
    (`places` keeps the warehouses already looked up for this plan). Raises `NotFound` for an
    item not in the catalogue."""
    total = effects.call("inventory", "get_item_stock", item_id)
    places = {} if places is None else places
    options = []
    for warehouse_id, line in sorted(total["by_warehouse"].items()):
        if line["available"] <= 0:
            continue
        if warehouse_id not in places:
            places[warehouse_id] = _warehouse_place(effects, warehouse_id)
        is_open, place = places[warehouse_id]
        if is_open:
            distance = distance_km(origin, place) if origin is not None and place is not None else None
            options.append(StockOption(warehouse_id, line["available"], distance))
    return options


def agreement_options(effects: Effects, item_id: str) -> list[AgreementOption]:
    """Valid agreements that can deliver the item within the relief target, and how much each can."""
    query: dict[str, Any] = {"within_hours": CALL_OFF_WITHIN_HOURS, "limit": PAGE}
    while True:
        answer = effects.call("inventory", "on_site_within", query)
        for line in answer["items"]:
            if line["item_id"] == item_id:
                return [AgreementOption(a["agreement_id"], a["quantity"], a["lead_time_hours"])
                        for a in line["by_agreement"]]
        if answer["next"] is None:
            return []
        query = {**query, "after": answer["next"]}


def people_available(effects: Effects, team_id: str) -> int | None:
    """The people a team's latest readiness report gives (None: never reported). NotFound propagates."""
    people = effects.call("teams", "get_readiness", team_id)["people_available"]
    return people if isinstance(people, int) else None


def candidates(effects: Effects, capability: str, people: int, township_id: str | None) -> list[Candidate]:
    """Ready teams with the capability and not deployed, nearest to the township's seat first
    (in no order of place when the township is not in the register)."""
    query: dict[str, Any] = {"capability": capability, "people": people, "limit": PAGE}
    if township_id is not None:
        query["township"] = township_id
    answer = effects.call("teams", "candidate_teams", query)
    return [Candidate(doc["team_id"], doc["people_available"] or 0, doc.get("distance_km"))
            for doc in answer["items"]]
