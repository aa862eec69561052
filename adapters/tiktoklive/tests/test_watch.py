"""Watch time derived from presence: slots, the presence window, the stream's end, stable ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festengine_tiktoklive import WatchTracker

T0 = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # a slot boundary (60 s and 300 s)
T0_S = int(T0.timestamp())


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def tracker(slot: int = 60, presence: int = 300) -> WatchTracker:
    return WatchTracker("r1", "c1", slot=slot, presence=presence)


def seconds_by_slot(views: list[dict[str, Any]]) -> dict[tuple[str, int], int]:
    return {(v["user_id"], int(v["event_id"].rsplit("-", 1)[1]) - T0_S): v["seconds"] for v in views}


def test_viewer_is_credited_slot_by_slot_until_presence_runs_out() -> None:
    """A viewer seen once at 30 s is present until 330 s: 30 s of the first slot, whole slots, then 30 s."""
    watch = tracker()
    watch.seen("u1", at(30))
    views = watch.advance(at(400))
    assert seconds_by_slot(views) == {("u1", 0): 30, ("u1", 60): 60, ("u1", 120): 60, ("u1", 180): 60,
                                      ("u1", 240): 60, ("u1", 300): 30}  # fmt: skip
    assert views[0] == {
        "event_id": f"tiktok-r1-watch-u1-{T0_S}",
        "type": "view",
        "occurred_at": "2026-12-05T20:01:00Z",
        "user_id": "u1",
        "creator_id": "c1",
        "stream_id": "r1",
        "seconds": 30,
    }
    assert watch.advance(at(1000)) == []


def test_a_slot_is_credited_once_its_end_has_passed() -> None:
    """Nothing is credited for a slot the clock has not left; then each slot once."""
    watch = tracker()
    watch.seen("u1", at(0))
    assert watch.advance(at(59)) == []
    assert seconds_by_slot(watch.advance(at(61))) == {("u1", 0): 60}
    assert watch.advance(at(100)) == []


def test_activity_extends_presence() -> None:
    """Each sign of a viewer extends presence to ``presence`` seconds after it."""
    watch = tracker(presence=100)
    watch.seen("u1", at(0))
    watch.seen("u1", at(90))
    assert sum(v["seconds"] for v in watch.advance(at(600))) == 190


def test_a_sign_after_a_gap_starts_a_new_presence() -> None:
    """A viewer gone longer than ``presence`` is not credited for the gap, and both presences are credited."""
    watch = tracker(presence=30)
    watch.seen("u1", at(0))
    watch.seen("u1", at(45))  # 45 > 0 + 30: a new presence; [0, 30) and [45, 75) are credited
    assert seconds_by_slot(watch.advance(at(120))) == {("u1", 0): 45, ("u1", 60): 15}


def test_stream_end_closes_the_partial_slot_and_nobody_stays() -> None:
    """The end credits up to the end time, in the same slot ids, and forgets every viewer."""
    watch = tracker()
    watch.seen("u1", at(10))
    watch.seen("u2", at(70))
    views = watch.finish(at(100))
    assert seconds_by_slot(views) == {("u1", 0): 50, ("u1", 60): 40, ("u2", 60): 30}
    assert watch.advance(at(1000)) == []


def test_late_sign_is_not_credited_before_the_closed_time() -> None:
    """A sign older than the slots already credited starts presence at the credited time, not before."""
    watch = tracker()
    watch.seen("u1", at(0))
    watch.advance(at(120))
    watch.seen("u2", at(10))
    assert seconds_by_slot(watch.advance(at(180))) == {("u1", 120): 60, ("u2", 120): 60}


def test_bad_settings_are_refused() -> None:
    """Slots of 1-3600 seconds and a presence of 1-86400 seconds."""
    with pytest.raises(ValueError, match="slot is 1-3600 seconds"):
        tracker(slot=0)
    with pytest.raises(ValueError, match="presence 1-86400"):
        tracker(presence=86_401)


signs = st.lists(st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.integers(0, 3_000)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(signs=signs, slot=st.sampled_from([7, 60, 90]), presence=st.integers(1, 400))
def test_credit_is_bounded_and_ids_are_unique(signs: list[tuple[str, int]], slot: int, presence: int) -> None:
    """Whatever the signs: each view is at most one slot long, no (viewer, slot) is credited twice, a
    viewer's total is at most the time from their first sign to the end, and views come in time order
    to within a slot (so the engine's allowed lateness is not exceeded)."""
    watch = tracker(slot, presence)
    views: list[dict[str, Any]] = []
    for user_id, second in sorted(signs, key=lambda s: s[1]):
        views += watch.advance(at(second))
        watch.seen(user_id, at(second))
    views += watch.finish(at(3_500))
    times = [datetime.fromisoformat(v["occurred_at"]) for v in views]
    assert all(earlier - later < timedelta(seconds=slot) for earlier, later in pairwise(times))
    ids = [v["event_id"] for v in views]
    assert len(ids) == len(set(ids))
    assert all(1 <= v["seconds"] <= slot for v in views)
    for user_id in {u for u, _ in signs}:
        first = min(s for u, s in signs if u == user_id)
        assert sum(v["seconds"] for v in views if v["user_id"] == user_id) <= 3_500 - first


@settings(max_examples=100, deadline=None)
@given(signs=signs)
def test_same_signs_same_views(signs: list[tuple[str, int]]) -> None:
    """Two trackers fed the same signs make the same views: the ids a restarted process makes again."""
    runs = []
    for _ in range(2):
        watch = tracker()
        views: list[dict[str, Any]] = []
        for user_id, second in sorted(signs, key=lambda s: s[1]):
            views += watch.advance(at(second))
            watch.seen(user_id, at(second))
        runs.append(views + watch.finish(at(3_500)))
    assert runs[0] == runs[1]
