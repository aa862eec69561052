"""Mission windows in fest time: which window instance an instant falls in, and when it closes.

A resolver maps an event to ``(key, closes_at)``: ``key`` names the window instance (``"fest"``,
``"phase:week1"``, ``"day:2026-06-15"``, ``"week:2026-06-15"``, ``"stream:s1"``, ``"between"``)
and ``closes_at`` is the POSIX time after which no event can count in it any more (its end plus
the fest's allowed lateness; ``None`` for a stream, which closes when the stream ends). ``None``
instead of a pair means the event is outside the mission's window.
"""

from __future__ import annotations

from collections.abc import Callable

from festengine.catalog.model import Fest, Window, WindowKind
from festengine.events import Event

__all__ = ["Resolver", "fixed_bounds", "make_resolver"]

Resolver = Callable[[float, Event], tuple[str, float | None] | None]


def _fixed(key: str, start: float, end: float, lateness: float) -> Resolver:
    closes = end + lateness

    def resolve(ts: float, _event: Event) -> tuple[str, float | None] | None:
        if start <= ts < end:
            return key, closes
        return None

    return resolve


def _daily(fest: Fest, lateness: float) -> Resolver:
    calendar = fest.calendar
    cache: dict[int, tuple[str, float | None]] = {}

    def resolve(ts: float, _event: Event) -> tuple[str, float | None] | None:
        day = calendar.day_of(ts)
        found = cache.get(day)
        if found is None:
            found = cache[day] = (
                f"day:{calendar.local_date(day).isoformat()}",
                calendar.day_end(day).timestamp() + lateness,
            )
        return found

    return resolve


def _weekly(fest: Fest, lateness: float) -> Resolver:
    calendar = fest.calendar
    cache: dict[int, tuple[str, float | None]] = {}

    def resolve(ts: float, _event: Event) -> tuple[str, float | None] | None:
        week = calendar.week_of(ts)
        found = cache.get(week)
        if found is None:
            first_day = week * 7 - calendar.week_offset
            found = cache[week] = (
                f"week:{calendar.local_date(first_day).isoformat()}",
                calendar.week_end(week).timestamp() + lateness,
            )
        return found

    return resolve


def _stream(_ts: float, event: Event) -> tuple[str, float | None] | None:
    stream = event.stream_id
    if stream is None:
        return None
    return "stream:" + stream, None


def fixed_bounds(fest: Fest, window: Window) -> tuple[str, float, float]:
    """The key, start and end (POSIX seconds) of a window that is one fixed span of time."""
    kind = window.kind
    if kind is WindowKind.FEST:
        return "fest", fest.starts_at.timestamp(), fest.ends_at.timestamp()
    if kind is WindowKind.PHASE:
        phase = fest.phases[window.phase or ""]
        return f"phase:{phase.id}", phase.starts_at.timestamp(), phase.ends_at.timestamp()
    if kind is WindowKind.BETWEEN:
        assert window.starts_at is not None  # noqa: S101 - the compiler sets it
        assert window.ends_at is not None  # noqa: S101 - the compiler sets it
        return "between", window.starts_at.timestamp(), window.ends_at.timestamp()
    raise ValueError(f"a {kind.value} window is not one fixed span of time")


def make_resolver(fest: Fest, window: Window) -> Resolver:
    """The resolver of one mission window."""
    lateness = fest.allowed_lateness.total_seconds()
    kind = window.kind
    if kind is WindowKind.DAILY:
        return _daily(fest, lateness)
    if kind is WindowKind.WEEKLY:
        return _weekly(fest, lateness)
    if kind is WindowKind.STREAM:
        return _stream
    return _fixed(*fixed_bounds(fest, window), lateness)
