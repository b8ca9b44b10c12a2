"""Due times from an anchor: hours, calendar days, or working days on a country's calendar.

A country's calendar is data in its pack; `geo.calendars.calendar_of` reads it into a `Calendar`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib


class OffsetUnit:
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Calendar:
    country: str
    timezone: str = "UTC"
    public_holidays: bool = True
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    working_days_on_weekend: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days_on_weekend:
            return True
        if day.weekday() >= 5 or day in self.extra_days_off:
            return False
        return not (self.public_holidays and day in _public_holidays(self.country, day.year))


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays_lib.country_holidays(country, years=year).keys())
    except NotImplementedError:
        return frozenset()


def due_at(anchor: datetime, *, offset: int, unit: str, calendar: Calendar) -> datetime:
    """Hours and calendar days run from the anchor instant. N working days end at the close of
    the N-th working day after the anchor's local date (the day of the event does not count)."""
    # In UTC: Python adds a timedelta to the wall clock of an aware local time, which across a
    # change of summer time would make 24 hours last 23 or 25.
    if unit == OffsetUnit.HOURS:
        return anchor.astimezone(UTC) + timedelta(hours=offset)
    if unit == OffsetUnit.CALENDAR_DAYS:
        return anchor.astimezone(UTC) + timedelta(days=offset)
    if unit != OffsetUnit.WORKING_DAYS:
        raise ValueError(unit)
    zone = calendar.zone
    day = anchor.astimezone(zone).date()
    remaining = offset
    while remaining > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    end_of_day = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
    return end_of_day
