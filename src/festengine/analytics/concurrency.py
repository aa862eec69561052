"""Peak concurrent viewers, estimated from view events.

A ``view`` event says a viewer watched ``seconds`` of a stream; its ``occurred_at`` is when the
viewing ended (a feed reports watch time once it is known). So each view is a *presence interval*
``[occurred_at - seconds, occurred_at)``. At minute resolution, a viewer is present in every
minute the interval touches (at least one). Concurrency in a minute is the number of intervals
present in it, and a bucket's peak is the highest concurrency of its minutes.

Counting it is a sweep: each interval adds +1 at its first minute and -1 after its last, so a
scope keeps one small ``minute -> change`` table (at most one entry per minute it was watched);
creator and fest peaks sweep the sum of their streams' tables. A viewer who sends several views of
one stream with overlapping intervals counts more than once: the estimate is only as good as the
feed's view events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

__all__ = ["Presence", "add_deltas", "add_view", "peaks_by_bucket"]

Presence = dict[int, int]


def add_view(presence: Presence, ended_at: float, seconds: int, not_before: float) -> None:
    """Add one presence interval ending at ``ended_at`` (clamped to start at ``not_before``)."""
    start = max(ended_at - seconds, not_before)
    first = int(start // 60)
    after = max(first + 1, math.ceil(ended_at / 60))
    presence[first] = presence.get(first, 0) + 1
    presence[after] = presence.get(after, 0) - 1


def add_deltas(total: Presence, other: Mapping[int, int]) -> None:
    """Add ``other``'s changes to ``total`` (to sweep several streams as one scope)."""
    for minute, change in other.items():
        total[minute] = total.get(minute, 0) + change


def peaks_by_bucket(presence: Mapping[int, int], bucket_of: Callable[[float], int]) -> dict[int, int]:
    """The peak concurrency per bucket (``bucket_of`` maps POSIX seconds to a bucket key).

    Sweeps the changes in minute order; the level between two changes holds for every minute in
    between, so each bucket those minutes fall in sees it.
    """
    peaks: dict[int, int] = {}
    minutes = sorted(presence)
    level = 0
    for index, minute in enumerate(minutes):
        level += presence[minute]
        if level <= 0 or index + 1 == len(minutes):
            continue
        for bucket in _buckets_between(minute, minutes[index + 1], bucket_of):
            if peaks.get(bucket, 0) < level:
                peaks[bucket] = level
    return peaks


def _buckets_between(first: int, after: int, bucket_of: Callable[[float], int]) -> Iterable[int]:
    """The hour buckets of the minutes ``first`` up to (not including) ``after``, in order.

    Steps an hour at a time (an hour bucket is never longer than 60 minutes), then the last minute.
    """
    found: list[int] = []
    for minute in (*range(first, after, 60), after - 1):
        bucket = bucket_of(minute * 60)
        if not found or found[-1] != bucket:
            found.append(bucket)
    return found
