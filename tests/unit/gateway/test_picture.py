"""The district picture, gathered from fake services: what is placed where, and how we know."""

from __future__ import annotations

from services.gateway import picture as district
from services.gateway.gather import Gatherer
from tests.unit.gateway.fake_services import NOW, WAREHOUSES, FakeServices, gatherer


def test_the_picture_places_what_has_coordinates_and_lists_the_rest() -> None:
    services = FakeServices()
    services.lists["inventory", "list_warehouses"] = [
        {**WAREHOUSES[0], "latitude": 31.75, "longitude": 116.5}, WAREHOUSES[1]]
    picture = district.picture(Gatherer(services, lambda: NOW), {})
    places = {(place["kind"], place["id"]): place for place in picture["places"]}
    assert (places["warehouse", "depot-a"]["latitude"], places["warehouse", "depot-b"]["latitude"]) == (
        31.75, None)
    assert ("incident", "old") not in places and ("incident", "false-alarm") not in places
    assert ("incident", "flood-1") in places
    assert places["team", "militia"]["status"] == "unknown"



def test_teams_are_placed_where_they_reported_else_where_registered_else_at_their_township_seat() -> None:
    places = {(place["kind"], place["id"]): place
              for place in district.picture(gatherer(), {})["places"]}
    where = {team: (places["team", team]["latitude"], places["team", team]["placed_by"])
             for team in ("longma", "militia", "blue-sky")}
    assert where == {"longma": (31.8, "reported"), "militia": (31.6, "registered"),
                     "blue-sky": (31.9, "township")}
    assert (places["team", "blue-sky"]["stale"], places["team", "longma"]["incident_id"]) == (True, "flood-1")



def test_townships_are_on_the_picture_and_place_incidents_where_reported_else_at_their_seat() -> None:
    services = FakeServices()
    flood, crash = services.lists["incidents", "list_incidents"][:2]
    services.lists["incidents", "list_incidents"] = [{**flood, "coordinates": None}, crash,
                                                      {**flood, "incident_id": "placed"}]
    places = {(place["kind"], place["id"]): place
              for place in district.picture(Gatherer(services, lambda: NOW), {})["places"]}
    assert (places["township", "dongqiao"]["longitude"], places["township", "mujiang"]["name_zh"]) == (
        116.7, "木厂镇")
    seat = places["incident", "flood-1"]  # its township is "Dongqiao": the seat of Dongqiao town
    assert (seat["latitude"], seat["longitude"], seat["placed_by"]) == (31.7, 116.7, "township")
    reported = places["incident", "placed"]  # the coordinates its report gave
    assert (reported["latitude"], reported["longitude"], reported["placed_by"]) == (31.75, 116.72, "reported")
    assert places["incident", "crash-1"]["latitude"] is None  # Sanshipu is not on record here



def test_the_picture_with_teams_down_still_shows_warehouses_and_incidents_unplaced() -> None:
    picture = district.picture(gatherer(down=("teams",)), {})
    assert (picture["partial"], picture["unavailable"]) == (True, ["teams"])
    assert {place["kind"] for place in picture["places"]} == {"warehouse", "incident"}


