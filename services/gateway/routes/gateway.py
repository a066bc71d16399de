"""Routes the gateway answers itself: the caller, the event feeds and the aggregated views."""

from __future__ import annotations

from .. import picture, schemas, views
from . import READ, reader, view

ROUTES = (
    view("whoami", "/me", views.me, "Who the presented token speaks for", READ, response=schemas.Me),
    view("feed", "/feed/<service>", views.feed,
         "A service's committed events in global order from any position (0 = the beginning)",
         reader("commander", "observer"), response=schemas.FeedPage, query=schemas.FeedQuery),
    view("overview", "/overview", views.overview,
         "The command centre's overview: open incidents by level, overdue relief, stock shortages and "
         "expiring lots, readiness and stale teams", READ, response=schemas.Overview),
    view("picture", "/picture", picture.picture,
         "The district picture: warehouses, teams, townships and open incidents with their coordinates",
         READ,
         response=schemas.Picture),
)
