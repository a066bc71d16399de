"""One rule for time at every edge: aware UTC inside, China Standard Time for a time with no zone.

The bureau's users are in China, so a time written without an offset
(`2024-07-01T08:00:00`) is read as China Standard Time (UTC+08:00, no daylight
saving) and stored as `2024-07-01T00:00:00+00:00`. A time that cannot be represented
in UTC between the years 1900 and 9999 is refused with a message naming the field,
never a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def to_utc(value: datetime) -> datetime:
    """`value` in UTC; a naive value is China Standard Time. Raises ValueError out of range."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_STANDARD_TIME)
    try:
        result = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the years 1900 to 9999 once converted to UTC") from None
    if result < EARLIEST:
        raise ValueError("must not be before 1900-01-01T00:00:00Z")
    return result


#: A point in time as a client writes it: ISO 8601, with or without an offset (see module doc).
Timestamp = Annotated[datetime, AfterValidator(to_utc)]
