"""The dashboard projection against a hand count, and its rules: accepted steps only, streak deltas,
attribution of orders and refunds, Fan Club joins from outcomes, peak concurrency from presence."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from analytics_fests import BASE, at, ev, fold, make_fest

from festengine.analytics import Metrics
from festengine.analytics.buckets import FestClock
from festengine.analytics.concurrency import add_view, peaks_by_bucket
from festengine.events import Event


def hand_stream() -> list[Event]:
    """Two creators, two streams on 1 June (local), a refund on 2 June; one duplicate, one rejected event."""
    click = ev("link_click", at(1, "19:55"), "u1", product_id="p1")
    s2 = {"creator_id": "c2", "stream_id": "s2"}
    return [
        ev("stream_started", at(1, "19:00"), "c1"),
        ev("view", at(1, "19:10"), "u1", seconds=600),  # u1 in s1: presence 19:00-19:10
        ev("view", at(1, "19:20"), "u2", seconds=900),  # u2 in s1: presence 19:05-19:20
        ev("like", at(1, "19:25"), "u1", count=10),
        ev("like", at(1, "19:26"), "u2", count=5),
        ev("comment", at(1, "19:30"), "u1", text="hi"),
        ev("comment", at(1, "19:31"), "u1", text="hello"),  # completes chat_twice (hello completed at 19:30)
        ev("gift", at(1, "19:40"), "u1", gift_id="rose", repeat_count=1, repeat_end=False),
        ev("gift", at(1, "19:40:05"), "u1", gift_id="rose", repeat_count=3, repeat_end=False),
        ev("gift", at(1, "19:40:10"), "u1", gift_id="rose", repeat_count=3, repeat_end=True),  # 3 roses in all
        ev("gift", at(1, "19:45"), "u2", gift_id="concert"),  # 500 coins
        ev("gift", at(1, "19:50"), "u2", gift_id="heart_me"),  # 1 coin, joins c1's Fan Club
        click,
        ev("link_click", at(1, "19:56"), "u2", product_id="p2"),
        click,  # delivered again: a Duplicate, ignored
        ev("purchase", at(1, "19:58"), "u1", creator_id="c1", stream_id="s1", order_id="o1", product_id="p1",
           price="20.00", quantity=2, discount="5.00", currency="USD"),  # paid 35.00
        ev("stream_started", at(1, "20:00"), "c2", **s2),
        ev("view", at(1, "20:05"), "u1", seconds=300),  # u1 in s1: 20:00-20:05
        ev("share", at(1, "20:10"), "u2"),
        ev("gift", at(1, "20:12"), "u2", gift_id="no_such_gift"),  # rejected, ignored
        ev("view", at(1, "20:20"), "u3", seconds=1200, **s2),  # u3 in s2: 20:00-20:20
        ev("view", at(1, "20:30"), "u1", seconds=600, **s2),  # u1 in s2: 20:20-20:30
        ev("follow", at(1, "20:31"), "u3", **s2),
        ev("fan_club_join", at(1, "20:40"), "u3", **s2),
        ev("link_click", at(1, "20:45"), "u3", product_id="p3", **s2),
        ev("stream_ended", at(1, "20:50"), "c2", **s2),
        ev("stream_ended", at(1, "21:00"), "c1"),
        ev("refund", at(2, "10:00"), "u1", order_id="o1", amount="10.00"),
    ]  # fmt: skip


def numbers(metrics: Metrics, *names: str) -> dict[str, Any]:
    data = metrics.to_dict()
    return {name: data[name] for name in names}


ENGAGEMENT = ("views", "unique_viewers", "peak_concurrent", "watch_seconds", "likes", "comments", "shares",
              "follows", "fan_club_joins", "mission_completions")  # fmt: skip
SALES = ("gifts", "gift_coins", "gift_value", "product_clicks", "orders", "gmv", "ctr", "conversion", "gpm",
         "refunds", "refunded")  # fmt: skip
FIELDS = ENGAGEMENT + SALES

# fmt: off
#: Counted by hand from hand_stream(), one row per scope: engagement, then gifts and sales.
EXPECTED_TOTALS = {
    #              views uniq peak watch likes comments shares follows joins completions
    "fest":       ((5,   3,   2,   3600, 15,   2,       1,     1,      2,    3),
    #              gifts coins value   clicks orders gmv      ctr       conversion gpm         refunds refunded
                   (5,   504,  "5.04", 3,     1,     "35.00", 0.6,      0.333333,  "7000.00",  1,      "10.00")),
    "creator:c1": ((3,   2,   2,   1800, 15,   2,       1,     0,      1,    2),
                   (5,   504,  "5.04", 2,     1,     "35.00", 0.666667, 0.5,       "11666.67", 1,      "10.00")),
    "creator:c2": ((2,   2,   1,   1800, 0,    0,       0,     1,      1,    1),
                   (0,   0,    "0",    1,     0,     "0",     0.5,      0.0,       "0.00",     0,      "0")),
    "stream:s1":  ((3,   2,   2,   1800, 15,   2,       1,     0,      1,    2),
                   (5,   504,  "5.04", 2,     1,     "35.00", 0.666667, 0.5,       "11666.67", 1,      "10.00")),
    "stream:s2":  ((2,   2,   1,   1800, 0,    0,       0,     1,      1,    1),
                   (0,   0,    "0",    1,     0,     "0",     0.5,      0.0,       "0.00",     0,      "0")),
}
#: The fest per local hour with activity (c1's stream_ended makes 21:00 one) and per local day.
EXPECTED_BUCKETS = {
    "2026-06-01T19:00-07:00": ((2, 2, 2, 1500, 15, 2, 0, 0, 1, 2),
                               (5, 504, "5.04", 2, 1, "35.00", 1.0, 0.5, "17500.00", 0, "0")),
    "2026-06-01T20:00-07:00": ((3, 2, 2, 2100, 0, 0, 1, 1, 1, 1),
                               (0, 0, "0", 1, 0, "0", 0.333333, 0.0, "0.00", 0, "0")),
    "2026-06-01T21:00-07:00": ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                               (0, 0, "0", 0, 0, "0", 0.0, 0.0, "0.00", 0, "0")),
    "2026-06-02T10:00-07:00": ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                               (0, 0, "0", 0, 0, "0", 0.0, 0.0, "0.00", 1, "10.00")),
    "2026-06-01":             ((5, 3, 2, 3600, 15, 2, 1, 1, 2, 3),
                               (5, 504, "5.04", 3, 1, "35.00", 0.6, 0.333333, "7000.00", 0, "0")),
    "2026-06-02":             ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                               (0, 0, "0", 0, 0, "0", 0.0, 0.0, "0.00", 1, "10.00")),
}
# fmt: on


def expected(rows: tuple[tuple[Any, ...], tuple[Any, ...]]) -> dict[str, Any]:
    return dict(zip(FIELDS, rows[0] + rows[1], strict=True))


@pytest.fixture(scope="module")
def result() -> Any:
    return fold(make_fest(), hand_stream())


def test_totals_per_scope_match_the_hand_count(result: Any) -> None:
    """Fest, creator and stream totals equal the table counted by hand (completions: hello and
    chat_twice by u1 in s1, follow_one by u3 in s2)."""
    dashboard = result.dashboard
    scopes = {"fest": dashboard.fest}
    scopes |= {f"creator:{c.id}": c for c in dashboard.creators}
    scopes |= {f"stream:{s.id}": s for s in dashboard.streams}
    assert sorted(scopes) == sorted(EXPECTED_TOTALS)
    for name, row in EXPECTED_TOTALS.items():
        assert numbers(scopes[name].total, *FIELDS) == expected(row), name


def test_hourly_and_daily_buckets_match_the_hand_count(result: Any) -> None:
    """Local hours and days of the fest, labelled in fest time."""
    fest = result.dashboard.fest
    buckets = {b.label: b.metrics for b in (*fest.hourly, *fest.daily)}
    assert sorted(buckets) == sorted(EXPECTED_BUCKETS)
    for label, row in EXPECTED_BUCKETS.items():
        assert numbers(buckets[label], *FIELDS) == expected(row), label


def test_streams_know_their_creator_and_gifters_are_ranked_by_coins(result: Any) -> None:
    dashboard = result.dashboard
    assert {s.id: s.creator_id for s in dashboard.streams} == {"s1": "c1", "s2": "c2"}
    assert [(g.user_id, g.gifts, g.coins, g.value) for g in dashboard.gifters] == [
        ("u2", 2, 501, Decimal("5.01")),
        ("u1", 3, 3, Decimal("0.03")),
    ]


def test_creator_daily_buckets_split_the_refund_to_its_day(result: Any) -> None:
    """A refund is counted in the scope of its order and the bucket of its own time."""
    c1 = result.dashboard.creator("c1")
    assert [(b.label, b.metrics.orders, b.metrics.refunds, b.metrics.refunded) for b in c1.daily] == [
        ("2026-06-01", 1, 0, Decimal(0)),
        ("2026-06-02", 0, 1, Decimal("10.00")),
    ]


def test_only_accepted_steps_count() -> None:
    """Duplicates and rejected events change nothing: folding them again gives the same dashboard."""
    fest = make_fest()
    events = hand_stream()
    again = [*events, *events[1:5], ev("gift", at(2, "11:00"), "u9", gift_id="nope")]
    assert fold(fest, again).dashboard.to_dict() == fold(fest, events).dashboard.to_dict()


def test_fan_club_joins_come_from_events_without_a_fan_club_layer() -> None:
    """A fest without a Fan Club reports no join outcomes, so fan_club_join events are counted instead."""
    result = fold(make_fest(fan_club=None), hand_stream())
    assert result.dashboard.fest.total.fan_club_joins == 1  # only u3's fan_club_join event
    assert result.insights.fan_club is None


def test_gift_values_fall_back_to_the_coin_value_without_conversion_outcomes() -> None:
    """Coins x the channel's coin value when no gift_converted outcome names the value."""
    from festengine.analytics.dashboard import DashboardProjection
    from festengine.engine.core import Step

    fest = make_fest()
    projection = DashboardProjection(fest)
    gift = ev("gift", at(1, "10:00"), "u1", gift_id="concert")
    projection.observe(gift, Step(gift.event_id, ()))
    assert projection.finish().fest.total.gift_value == Decimal("5.00")


def test_peak_concurrency_sweeps_presence_minutes() -> None:
    """Each view is present from (end - seconds) to end, at least one minute; peaks are per bucket."""
    presence: dict[int, int] = {}
    add_view(presence, 600.0, 600, 0.0)  # minutes 0-9
    add_view(presence, 900.0, 600, 0.0)  # minutes 5-14
    add_view(presence, 3_630.0, 5, 0.0)  # a 5-second view in minute 60
    add_view(presence, 7_260.0, 3_660, 0.0)  # minutes 60-120: spans hours 1 and 2
    peaks = peaks_by_bucket(presence, lambda ts: int(ts // 3600) * 3600)
    assert peaks == {0: 2, 3600: 2, 7200: 1}


def test_hour_buckets_follow_local_midnight_across_daylight_saving() -> None:
    """On the spring-forward day (23 hours) the bucket 2.5 hours after local midnight is 03:00 PDT."""
    fest = make_fest(fest={**BASE["fest"], "starts_at": "2026-03-07T00:00:00-08:00",
                           "ends_at": "2026-03-10T00:00:00-07:00"},
                     economy={k: v for k, v in BASE["economy"].items() if k != "conversions"})  # fmt: skip
    clock = FestClock(fest.calendar)
    midnight = datetime(2026, 3, 8, 8, 0, tzinfo=UTC).timestamp()  # 00:00 PST
    hour = clock.hour_of(midnight + 2.5 * 3600)
    assert hour == midnight + 2 * 3600
    assert clock.hour_label(hour) == "2026-03-08T03:00-07:00"
    assert clock.day_label(clock.day_of(hour)) == "2026-03-08"
