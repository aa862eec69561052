"""Spike detection: median + k x robust scale over a creator's trailing active hours."""

from __future__ import annotations

import math

from analytics_fests import at, ev, fold, make_fest

from festengine.analytics import SpikeDetector, SpikeSettings
from festengine.events import Event


def feed_all(detector: SpikeDetector, values: list[float], metric: str = "product_clicks") -> list[object]:
    found = []
    for hour, value in enumerate(values):
        spike = detector.feed("c1", metric, hour * 3600, f"h{hour}", value)
        if spike is not None:
            found.append(spike)
    return found


def test_a_flat_series_has_no_spike() -> None:
    """Constant values: MAD 0, value never above median + k x scale."""
    assert feed_all(SpikeDetector(SpikeSettings()), [5.0] * 40) == []


def test_an_injected_spike_is_found_with_its_size() -> None:
    """Ten hours of 5 clicks, then 50: baseline 5, MAD 0, scale = max(0, sqrt(5), 1) = 2.236."""
    found = feed_all(SpikeDetector(SpikeSettings()), [5.0] * 10 + [50.0] + [5.0] * 5)
    assert len(found) == 1
    spike = found[0]
    assert (spike.hour, spike.at, spike.scope, spike.scope_id, spike.metric) == (36_000, "h10", "creator", "c1",
                                                                                  "product_clicks")  # fmt: skip
    assert (spike.value, spike.baseline, spike.mad) == (50.0, 5.0, 0.0)
    assert spike.threshold == round(5 + 5 * math.sqrt(5), 3)
    assert spike.size == round(45 / math.sqrt(5), 3)


def test_noise_within_the_robust_scale_is_not_a_spike() -> None:
    """Values that wander by a few MADs stay below the threshold; one outlier in the history does not lift it."""
    values = [10.0, 12.0, 9.0, 11.0, 30.0, 10.0, 13.0, 8.0, 11.0, 12.0, 9.0, 14.0, 10.0]
    assert feed_all(SpikeDetector(SpikeSettings()), values) == []


def test_too_little_history_and_too_small_values_are_not_spikes() -> None:
    """No judgement before min_history hours; a jump from 0 to 2 orders is below min_value."""
    detector = SpikeDetector(SpikeSettings(min_history=6))
    assert feed_all(detector, [0.0, 0.0, 0.0, 100.0]) == []
    assert feed_all(SpikeDetector(SpikeSettings()), [0.0] * 10 + [2.0], metric="orders") == []


def test_the_baseline_is_the_trailing_window() -> None:
    """After a lasting level shift, once the window is mostly the new level, it is the new normal."""
    detector = SpikeDetector(SpikeSettings(window=6, min_history=6))
    found = feed_all(detector, [2.0] * 6 + [40.0] * 8)
    assert [s.at for s in found] == ["h6", "h7", "h8"]  # then 40 is the median


def clicks(hour: int, count: int, creator: str = "c1") -> list[Event]:
    return [
        ev("link_click", at(2, f"{hour:02d}:{minute:02d}"), f"u{minute}", product_id="p1", creator_id=creator,
           stream_id=f"{creator}-s")
        for minute in range(count)
    ]  # fmt: skip


def test_the_projection_reports_an_injected_click_spike_per_creator_hour() -> None:
    """Creator c1 has 3 clicks an hour from 08:00 to 19:00, 25 at 20:00; c2 stays flat and has none."""
    events: list[Event] = []
    for hour in range(8, 22):
        events += clicks(hour, 25 if hour == 20 else 3) + clicks(hour, 3, "c2")
    spikes = fold(make_fest(), events).dashboard.spikes
    assert [(s.scope_id, s.metric, s.at, s.value, s.baseline) for s in spikes] == [
        ("c1", "product_clicks", "2026-06-02T20:00-07:00", 25.0, 3.0)
    ]


def test_a_flat_fest_has_no_spikes() -> None:
    """The same activity every hour: nothing is unusual."""
    events: list[Event] = []
    for hour in range(6, 23):
        events += clicks(hour, 4) + clicks(hour, 4, "c2")
    assert fold(make_fest(), events).dashboard.spikes == ()


def test_offline_hours_are_not_part_of_the_baseline() -> None:
    """A creator live two hours a day: each day's hours compare with earlier live hours, not with zeros."""
    events: list[Event] = []
    for day in range(2, 8):
        for hour in (19, 20):
            events += [
                ev("link_click", at(day, f"{hour}:{minute:02d}"), f"u{minute}", product_id="p1", stream_id=f"s{day}")
                for minute in range(4)
            ]  # fmt: skip
    assert fold(make_fest(), events).dashboard.spikes == ()
