"""Numbers and times as an operator reads them: the report's text formatting, in one place.

* counts are whole numbers with thousands separators (``91,311``, never ``91,311.0``);
* money has two decimals and separators (``25,000.00``);
* ratios (click-through rate, conversion, budget used) are percentages (``26.5%``);
* an hour of the fest is said in words in the fest's time zone (``Saturday 20 June, 8 pm to 9 pm PDT``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

__all__ = ["clock_in_words", "count", "duration", "hour_in_words", "money", "number", "percent"]


def count(value: float) -> str:
    """A count as a whole number with thousands separators: ``91311.0`` -> ``91,311``."""
    return f"{round(value):,}"


def number(value: float) -> str:
    """A measured value: whole when it is whole (``12``), else one decimal (``2.5``)."""
    rounded = round(value, 1)
    return count(rounded) if rounded == int(rounded) else f"{rounded:,.1f}"


def money(value: Decimal) -> str:
    """An amount with two decimals and thousands separators: ``25000`` -> ``25,000.00``."""
    return f"{value:,.2f}"


def percent(ratio: float) -> str:
    """A ratio as a percentage with one decimal: ``0.2646`` -> ``26.5%``; a tiny share says so."""
    if 0 < ratio < 0.0005:
        return "under 0.1%"
    return f"{ratio * 100:,.1f}%"


def duration(seconds: float) -> str:
    """A length of time in words: ``624.3`` -> ``10 min 24 s``; under a minute ``42 s``."""
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    hours, minutes = divmod(minutes, 60)
    text = f"{minutes} min {rest} s"
    return f"{hours} h {text}" if hours else text


def clock_in_words(moment: datetime) -> str:
    """A local time of day as people say it: ``8 pm``, ``8:30 am``, ``noon``, ``midnight``."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "noon"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


def hour_in_words(hour_start: float, zone: ZoneInfo) -> str:
    """The local hour starting at POSIX ``hour_start``: ``Saturday 20 June, 8 pm to 9 pm PDT``."""
    start = datetime.fromtimestamp(hour_start, UTC).astimezone(zone)
    end = datetime.fromtimestamp(hour_start + 3600, UTC).astimezone(zone)  # an hour later, across DST too
    day = f"{start:%A} {start.day} {start:%B}"
    if start.tzname() != end.tzname():  # the hour the clocks change
        return f"{day}, {clock_in_words(start)} {start:%Z} to {clock_in_words(end)} {end:%Z}"
    return f"{day}, {clock_in_words(start)} to {clock_in_words(end)} {start:%Z}"
