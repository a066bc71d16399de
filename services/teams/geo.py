"""Distance between two points on the Earth (great circle), for "nearest first"."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import Any

EARTH_RADIUS_KM = 6371.0088


def distance_km(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Haversine distance between `{"lat", "lon"}` points, in kilometres."""
    lat1, lat2 = radians(a["lat"]), radians(b["lat"])
    dlat, dlon = lat2 - lat1, radians(b["lon"] - a["lon"])
    h = sin(dlat / 2) ** 2 + cos(lat1) * cos(lat2) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
