"""Fest time: days and weeks in the fest's time zone, precomputed as UTC instants.

A fest day starts at local midnight, so a day across a daylight-saving change lasts 23 or 25
hours. The calendar computes every local midnight of the fest once, as UTC POSIX seconds, and
answers "which fest day is this instant in?" with one binary search and no time-zone arithmetic
on the hot path.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

__all__ = ["FestCalendar", "build_calendar"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@attrs.frozen(slots=True)
class FestCalendar:
    """Local days of the fest (plus one day of margin either side) as UTC instants.

    Day ``0`` is the local date the fest starts on; days before it are negative. Week ``0`` is
    the week (starting on ``week_starts_on``) that contains day ``0``.
    """

    timezone: ZoneInfo
    first_date: date
    #: POSIX seconds of each local midnight from ``first_date`` on; one more than the days covered.
    boundaries: tuple[float, ...] = attrs.field(repr=False)
    #: index in ``boundaries`` of the fest's first local day
    origin: int
    #: offset (0-6) of day ``0`` inside its week
    week_offset: int

    def day_of(self, ts: float) -> int:
        """The fest day index of POSIX time ``ts``."""
        position = bisect_right(self.boundaries, ts) - 1
        if position < 0 or position >= len(self.boundaries) - 1:
            return self._far_day(ts)
        return position - self.origin

    def week_of(self, ts: float) -> int:
        """The fest week index of POSIX time ``ts``."""
        return (self.day_of(ts) + self.week_offset) // 7

    def week_of_day(self, day: int) -> int:
        return (day + self.week_offset) // 7

    def day_start(self, day: int) -> datetime:
        """The UTC instant the fest day ``day`` starts (local midnight)."""
        position = day + self.origin
        if 0 <= position < len(self.boundaries):
            return datetime.fromtimestamp(self.boundaries[position], UTC)
        return _local_midnight(self.first_date + timedelta(days=position), self.timezone)

    def day_end(self, day: int) -> datetime:
        return self.day_start(day + 1)

    def week_start(self, week: int) -> datetime:
        return self.day_start(week * 7 - self.week_offset)

    def week_end(self, week: int) -> datetime:
        return self.week_start(week + 1)

    def local_date(self, day: int) -> date:
        return self.first_date + timedelta(days=day + self.origin)

    def _far_day(self, ts: float) -> int:
        local = datetime.fromtimestamp(ts, UTC).astimezone(self.timezone).date()
        return (local - self.first_date).days - self.origin


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC (midnight may not exist on a DST day)."""
    naive = datetime.combine(day, time(0))
    local = naive.replace(tzinfo=zone)
    # A midnight inside a spring-forward gap does not exist; zoneinfo folds it forward.
    return local.astimezone(UTC)


def build_calendar(
    zone: ZoneInfo, starts_at: datetime, ends_at: datetime, margin: timedelta, week_starts_on: str
) -> FestCalendar:
    """Precompute the local midnights from one day before ``starts_at`` to after ``ends_at + margin``."""
    first_local = starts_at.astimezone(zone).date()
    last_local = (ends_at + margin).astimezone(zone).date()
    origin = 1
    first = first_local - timedelta(days=origin)
    days = (last_local - first).days + 3
    boundaries = tuple(_local_midnight(first + timedelta(days=i), zone).timestamp() for i in range(days))
    week_offset = (first_local.weekday() - _WEEKDAYS.index(week_starts_on)) % 7
    return FestCalendar(timezone=zone, first_date=first, boundaries=boundaries, origin=origin, week_offset=week_offset)
