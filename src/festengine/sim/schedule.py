"""When things happen: the daily rhythm of a LIVE platform in the fest's time zone, and each
creator's streams day by day.

Audiences follow the local clock: quiet at night, a lunchtime bump, busiest in the evening
(``HOUR_WEIGHTS``), and more on Friday to Sunday (``WEEKDAY_FACTORS``). Creators mostly go LIVE
around their preferred evening hour.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import attrs

from festengine.catalog.calendar import FestCalendar
from festengine.sim.population import Creator

__all__ = ["HOUR_WEIGHTS", "WEEKDAY_FACTORS", "Stream", "hour_weight", "streams_of_day"]

#: Relative audience by local hour of the day (0-23): evenings are busiest.
HOUR_WEIGHTS: tuple[float, ...] = (
    0.35, 0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6,
    0.7, 0.7, 0.65, 0.65, 0.75, 0.9, 1.1, 1.35, 1.5, 1.45, 1.1, 0.7,
)  # fmt: skip
_HOUR_MEAN = sum(HOUR_WEIGHTS) / len(HOUR_WEIGHTS)

#: Relative audience by local weekday, Monday first.
WEEKDAY_FACTORS: tuple[float, ...] = (0.95, 0.95, 1.0, 1.0, 1.1, 1.25, 1.2)


@attrs.define(slots=True)
class Stream:
    """One LIVE: who, and from when to when (POSIX seconds, end excluded)."""

    id: str
    creator: Creator
    start: int
    end: int


def hour_weight(local_hour: int, weekday: int) -> float:
    """How busy a local hour is, relative to an average hour of an average day (mean about 1)."""
    return HOUR_WEIGHTS[local_hour % 24] / _HOUR_MEAN * WEEKDAY_FACTORS[weekday]


def _stream(rng: random.Random, creator: Creator, day_start: int, hour: int, number: int, day: int) -> Stream:
    start = day_start + max(0, min(23, hour)) * 3600 + rng.randrange(60) * 60
    minutes = max(20.0, min(360.0, creator.minutes * rng.lognormvariate(0.0, 0.3)))
    return Stream(f"{creator.id}-d{day + 1:02d}-{number}", creator, start, start + int(minutes * 60))


def streams_of_day(
    rng: random.Random, calendar: FestCalendar, creators: Sequence[Creator], day: int, horizon: tuple[int, int]
) -> list[Stream]:
    """The streams that start on fest day ``day`` inside ``horizon`` (start, end), sorted by start.

    Each creator goes LIVE with their own chance (more at weekends), around their preferred hour;
    some also do a short afternoon stream. Streams are cut at the horizon's end.
    """
    day_start = int(calendar.day_start(day).timestamp())
    weekday = calendar.local_date(day).weekday()
    boost = WEEKDAY_FACTORS[weekday]
    streams = []
    for creator in creators:
        if rng.random() < min(0.97, creator.live_chance * boost):
            main = _stream(rng, creator, day_start, creator.start_hour + rng.randint(-2, 1), 1, day)
            streams.append(main)
            if rng.random() < 0.12:
                extra = _stream(rng, creator, day_start, creator.start_hour - rng.randint(5, 8), 2, day)
                extra.end = min(extra.end, main.start - 300)
                if extra.end - extra.start >= 600:
                    streams.append(extra)
    low, high = horizon
    kept = []
    for stream in streams:
        if low <= stream.start < high - 60:
            stream.end = min(stream.end, high - 1)
            kept.append(stream)
    kept.sort(key=lambda s: (s.start, s.id))
    return kept
