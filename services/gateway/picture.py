"""The district picture (一张图): warehouses, teams, townships and open incidents, placed on the map.

Where a thing is, and how we know (`placed_by`):
- a warehouse by its registered coordinates, else its township's seat;
- a team by the coordinates of its latest readiness report (where it said it was), else
  its registered coordinates, else its home township's seat;
- a township by its seat;
- an open incident (neither closed nor dismissed) by the coordinates its report gave, else its
  township's seat.

A township is named by its id, or by its name in either language (`Dongqiao` finds
`Dongqiao town`). Anything that cannot be placed is still listed, with null coordinates,
so the dashboard can say what is missing.
"""

from __future__ import annotations

from typing import Any

from .gather import Gatherer
from .schemas import Json

#: Incidents that are over (closed, or dismissed as a false report) are not on the picture.
ENDED = frozenset({"closed", "dismissed"})
_KIND_WORDS = ("subdistrict", "town", "township")


def picture(g: Gatherer, query: Json) -> Json:
    """Every place, with what could not be gathered named in `unavailable`."""
    sections = g.sections({
        "warehouses": lambda: list(g.everything("inventory", "list_warehouses")),
        "teams": lambda: _teams_and_townships(g),
        "incidents": lambda: [doc for doc in g.everything("incidents", "list_incidents")
                              if doc["status"] not in ENDED],
    })
    teams, board, townships = sections.pop("teams") or ([], {}, [])
    seats = Seats(townships)
    places = [_warehouse(doc, seats) for doc in sections.pop("warehouses") or []]
    places += [_team(doc, board.get(doc["team_id"]), seats) for doc in teams]
    places += [_township(doc) for doc in townships]
    places += [_incident(doc, seats) for doc in sections.pop("incidents") or []]
    return {**sections, "places": places}


def _teams_and_townships(g: Gatherer) -> tuple[list[Json], dict[str, Json], list[Json]]:
    board = {line["team_id"]: line for line in g.everything("teams", "readiness_board")}
    return list(g.everything("teams", "list_teams")), board, list(g.everything("teams", "list_townships"))


class Seats:
    """Township seats by every name a record may use for the township."""

    def __init__(self, townships: list[Json]) -> None:
        self.by_name: dict[str, Json] = {}
        for doc in townships:
            for name in (doc["township_id"], doc["name"], doc["name_zh"], _bare(doc["name"])):
                self.by_name.setdefault(name.casefold(), doc["location"])

    def of(self, township: Any) -> Json | None:
        return self.by_name.get(township.strip().casefold()) if isinstance(township, str) else None


def _bare(name: str) -> str:
    """`Dongqiao town` → `Dongqiao`."""
    words = name.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1].casefold() in _KIND_WORDS else name


def _place(kind: str, place_id: str, doc: Json, status: str | None, point: Json | None,
           placed_by: str | None) -> Json:
    return {"kind": kind, "id": place_id, "name": doc.get("name") or doc.get("title") or place_id,
            "name_zh": doc.get("name_zh"), "township": doc.get("township"),
            "latitude": point["lat"] if point else None, "longitude": point["lon"] if point else None,
            "placed_by": placed_by if point else None, "status": status, "stale": None, "incident_id": None}


def _first(*candidates: tuple[Json | None, str]) -> tuple[Json | None, str | None]:
    """The first point on record, and how it was found."""
    return next(((point, how) for point, how in candidates if point is not None), (None, None))


def _warehouse(doc: Json, seats: Seats) -> Json:
    own = None
    if isinstance(doc.get("latitude"), float | int) and isinstance(doc.get("longitude"), float | int):
        own = {"lat": doc["latitude"], "lon": doc["longitude"]}
    point, how = _first((own, "registered"), (seats.of(doc.get("township")), "township"))
    return _place("warehouse", doc["warehouse_id"], doc, doc.get("status"), point, how)


def _team(doc: Json, line: Json | None, seats: Seats) -> Json:
    point, how = _first((doc["readiness"]["coordinates"], "reported"), (doc["location"], "registered"),
                        (seats.of(doc["township"]), "township"))
    status = line["status"] if line else doc["readiness"]["status"]
    place = _place("team", doc["team_id"], doc, status, point, how)
    deployment = (line or doc)["deployment"]
    return {**place, "stale": line["stale"] if line else None,
            "incident_id": deployment["incident_id"] if deployment else None}


def _township(doc: Json) -> Json:
    return _place("township", doc["township_id"], doc, None, doc["location"], "township")


def _incident(doc: Json, seats: Seats) -> Json:
    point, how = _first((doc.get("coordinates"), "reported"), (seats.of(doc.get("township")), "township"))
    return _place("incident", doc["incident_id"], doc, doc["status"], point, how)
