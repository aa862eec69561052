"""Time buckets in fest time: local hours and local days of the fest's time zone.

An hourly bucket is named by the UTC instant it starts at (POSIX seconds, an ``int``): the local
midnight of its fest day plus whole hours. On a day with a daylight-saving change the day has 23
or 25 such hours; in zones with half-hour offsets the buckets still start on the local hour.
A daily bucket is the fest's day index (0 = the fest's first local day).
"""

from __future__ import annotations

from datetime import UTC, datetime

from festengine.catalog.calendar import FestCalendar

__all__ = ["FestClock"]


class FestClock:
    """Maps instants to local hour and day buckets, remembering the current day for speed."""

    __slots__ = ("_calendar", "_day", "_high", "_low")

    def __init__(self, calendar: FestCalendar) -> None:
        self._calendar = calendar
        self._day = 0
        self._low = 1.0
        self._high = 0.0

    def day_of(self, ts: float) -> int:
        """The fest day of POSIX time ``ts``."""
        if not self._low <= ts < self._high:
            self._day = self._calendar.day_of(ts)
            self._low = self._calendar.day_start(self._day).timestamp()
            self._high = self._calendar.day_start(self._day + 1).timestamp()
        return self._day

    def hour_of(self, ts: float) -> int:
        """The start (POSIX seconds) of the local hour bucket holding ``ts``."""
        self.day_of(ts)
        low = self._low
        return int(low + (ts - low) // 3600 * 3600)

    def day_of_hour(self, hour: int) -> int:
        return self.day_of(hour)

    def hour_label(self, hour: int) -> str:
        """The bucket's local start time, e.g. ``2026-06-15T19:00-07:00``."""
        local = datetime.fromtimestamp(hour, UTC).astimezone(self._calendar.timezone)
        return local.isoformat(timespec="minutes")

    def day_label(self, day: int) -> str:
        """The fest day's local date, e.g. ``2026-06-15``."""
        return self._calendar.local_date(day).isoformat()
