"""Mission measures: count, sum of a field, distinct values and streaks of periods (with grace)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fests import ev, make_fest, mission, of, progress_of, run

from festengine.assembly import Engine
from festengine.engine.missions import DistinctInstance, MissionInstance, longest_run
from festengine.engine.outcomes import MissionClaimed, MissionCompleted, MissionProgressed
from festengine.engine.transitions import MissionState


def test_count_adds_one_per_event() -> None:
    """A count mission on an unweighted type adds 1 per matching event and completes at the target."""
    engine = Engine(make_fest(mission("chat", "comment", 3)))
    steps = run(
        engine,
        ev("e1", "comment", "2026-03-02T10:00:00Z"),
        ev("e2", "comment", "2026-03-02T10:01:00Z"),
        ev("e3", "comment", "2026-03-02T10:02:00Z"),
    )
    assert [o.progress for o in of(steps, MissionProgressed)] == [1, 2, 3]
    [done] = of(steps, MissionCompleted)
    assert (done.event_id, done.mission_id, done.window, done.completion) == ("e3", "chat", "fest", 1)
    assert of(steps[:2], MissionCompleted) == []


def test_count_of_likes_and_gifts_is_weighted_by_count() -> None:
    """Likes and gifts count their ``count`` (a like event may stand for many taps)."""
    engine = Engine(make_fest(mission("taps", "like", 20)))
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z", count=15),
        ev("e2", "like", "2026-03-02T10:01:00Z"),
        ev("e3", "like", "2026-03-02T10:02:00Z", count=4),
    )
    assert [o.progress for o in of(steps, MissionProgressed)] == [15, 16, 20]
    assert len(of(steps[2], MissionCompleted)) == 1


def test_count_with_a_filter_counts_only_matching_events() -> None:
    """``counts.where`` conditions select which events count."""
    engine = Engine(
        make_fest(mission("long_views", "view", 2, counts={"event": "view", "where": {"seconds": {"at_least": 60}}}))
    )
    steps = run(
        engine,
        ev("e1", "view", "2026-03-02T10:00:00Z", seconds=59),
        ev("e2", "view", "2026-03-02T10:01:00Z", seconds=60),
        ev("e3", "view", "2026-03-02T10:02:00Z", seconds=3600),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e2", 1), ("e3", 2)]


def test_sum_of_watch_seconds() -> None:
    """A sum mission adds the named field of each event."""
    engine = Engine(make_fest(mission("watch", "view", 120, measure={"kind": "sum", "field": "seconds"})))
    steps = run(
        engine,
        ev("e1", "view", "2026-03-02T10:00:00Z", seconds=45),
        ev("e2", "view", "2026-03-02T10:01:00Z", seconds=0),
        ev("e3", "view", "2026-03-02T10:02:00Z", seconds=90),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e1", 45), ("e3", 135)]
    assert steps[1].outcomes == ()  # adding 0 is no progress
    assert of(steps[2], MissionCompleted)[0].mission_id == "watch"


@pytest.mark.parametrize(
    ("event_type", "measure", "fields"),
    [
        ("view", {"kind": "sum", "field": "seconds"}, {"seconds": 0}),
        ("product_view", {"kind": "distinct", "field": "creator_id"}, {"stream_id": "s1"}),
    ],
)
@pytest.mark.parametrize("window", [{"kind": "daily"}, {"kind": "stream"}, {"kind": "fest"}])
def test_an_event_that_adds_nothing_opens_no_instance(
    event_type: str, measure: dict[str, Any], fields: dict[str, Any], window: dict[str, Any]
) -> None:
    """An event that adds nothing to a new instance (a sum of 0, a distinct value missing) stores no
    instance, and so leaves nothing for its window's closing either, however many such events come."""
    engine = Engine(make_fest(mission("m", event_type, 500, measure=measure, window=window)))
    for i in range(3):
        step = engine.apply(ev(f"e{i}", event_type, f"2026-03-02T10:0{i}:00Z", **fields))
        assert step.outcomes == ()
    state = engine.component("missions").dump()
    assert state["viewers"] == {}  # no instance kept with the viewer (nor anything else for them)
    assert state["members"] == []
    assert state["open"] == []  # no table for a day, a week or the stream
    assert engine._routing.timers == []  # and no timer to close them
    assert engine.missions("u1")[0].window is None  # no row for a window taken part in


def test_sum_of_purchase_amounts_is_exact_decimal() -> None:
    """Summing purchase amounts (price * quantity - discount) is exact decimal arithmetic."""
    engine = Engine(make_fest(mission("spend", "purchase", 25, measure={"kind": "sum", "field": "amount"})))
    buy = {"order_id": "o1", "product_id": "p1", "currency": "USD"}
    steps = run(
        engine,
        ev("e1", "purchase", "2026-03-02T10:00:00Z", price="12.99", quantity=2, discount="1.00", **buy),
        ev("e2", "purchase", "2026-03-02T10:01:00Z", price="0.01", **{**buy, "order_id": "o2"}),
        ev("e3", "purchase", "2026-03-02T10:02:00Z", price="0.01", **{**buy, "order_id": "o3"}),
    )
    progress = [o.progress for o in of(steps, MissionProgressed)]
    assert progress == [Decimal("24.98"), Decimal("24.99"), Decimal("25.00")]
    assert all(isinstance(p, Decimal) for p in progress)
    assert len(of(steps, MissionCompleted)) == 1
    assert progress_of(engine, "u1", "spend").progress == Decimal("25.00")


def test_sum_of_gift_coins() -> None:
    """A sum of ``coins`` adds each gift's coins (a derived field: coins of the gift x gifts added)."""
    engine = Engine(make_fest(mission("coins", "gift", 30_000, measure={"kind": "sum", "field": "coins"})))
    steps = run(
        engine,
        ev("e1", "gift", "2026-03-02T10:00:00Z", gift_id="lion"),
        ev("e2", "gift", "2026-03-02T10:01:00Z", gift_id="rose"),
    )
    assert [o.progress for o in of(steps, MissionProgressed)] == [29_999, 30_000]
    assert len(of(steps[1], MissionCompleted)) == 1


def test_distinct_counts_each_value_once() -> None:
    """A distinct mission counts different values of a field; a value seen before is no progress."""
    engine = Engine(
        make_fest(mission("browse", "product_view", 3, measure={"kind": "distinct", "field": "product_id"}))
    )
    steps = run(
        engine,
        ev("e1", "product_view", "2026-03-02T10:00:00Z", product_id="p1"),
        ev("e2", "product_view", "2026-03-02T10:01:00Z", product_id="p2"),
        ev("e3", "product_view", "2026-03-02T10:02:00Z", product_id="p1"),
        ev("e4", "product_view", "2026-03-02T10:03:00Z", product_id="p3"),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e1", 1), ("e2", 2), ("e4", 3)]
    assert steps[2].outcomes == ()
    assert len(of(steps[3], MissionCompleted)) == 1


def test_distinct_of_an_optional_field_ignores_events_without_it() -> None:
    """Events whose distinct field is absent do not count as a value."""
    engine = Engine(
        make_fest(mission("creators", "product_view", 2, measure={"kind": "distinct", "field": "creator_id"}))
    )
    steps = run(
        engine,
        ev("e1", "product_view", "2026-03-02T10:00:00Z"),
        ev("e2", "product_view", "2026-03-02T10:01:00Z", creator_id="c1"),
        ev("e3", "product_view", "2026-03-02T10:02:00Z", creator_id="c2"),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e2", 1), ("e3", 2)]


def test_longest_run_with_grace() -> None:
    """The streak is the longest chain of met periods where gaps of up to ``grace`` periods are forgiven."""
    assert longest_run([], 0) == 0
    assert longest_run([5], 0) == 1
    assert longest_run([1, 2, 3, 5, 6], 0) == 3
    assert longest_run([1, 2, 3, 5, 6], 1) == 5
    assert longest_run([1, 3, 5, 8], 1) == 3
    assert longest_run([1, 4], 2) == 2
    assert longest_run([1, 5], 2) == 1


def test_streak_of_days_without_grace() -> None:
    """A daily streak counts consecutive fest days with activity; a missed day restarts the run."""
    engine = Engine(make_fest(mission("habit", "check_in", 3, measure={"kind": "streak"})))
    steps = run(
        engine,
        ev("e1", "check_in", "2026-03-02T18:00:00Z"),  # day 2026-03-02 (10:00 local)
        ev("e2", "check_in", "2026-03-02T19:00:00Z"),  # same day: no progress
        ev("e3", "check_in", "2026-03-04T18:00:00Z"),  # gap: the longest run is still 1
        ev("e4", "check_in", "2026-03-05T18:00:00Z"),
        ev("e5", "check_in", "2026-03-06T18:00:00Z"),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e1", 1), ("e4", 2), ("e5", 3)]
    assert steps[1].outcomes == ()
    assert steps[2].outcomes == ()
    assert len(of(steps[4], MissionCompleted)) == 1


def test_streak_with_a_grace_day() -> None:
    """With grace 1 a single missed day does not break the streak; two missed days do."""
    engine = Engine(make_fest(mission("habit", "check_in", 4, measure={"kind": "streak", "grace": 1})))
    steps = run(
        engine,
        ev("e1", "check_in", "2026-03-02T18:00:00Z"),
        ev("e2", "check_in", "2026-03-04T18:00:00Z"),  # 03-03 missed: forgiven
        ev("e3", "check_in", "2026-03-07T18:00:00Z"),  # 03-05 and 03-06 missed: a new run
        ev("e4", "check_in", "2026-03-08T18:00:00Z"),
        ev("e5", "check_in", "2026-03-10T18:00:00Z"),  # 03-09 missed: forgiven, run of 3
        ev("e6", "check_in", "2026-03-11T18:00:00Z"),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [
        ("e1", 1),
        ("e2", 2),
        ("e5", 3),
        ("e6", 4),
    ]
    assert len(of(steps[5], MissionCompleted)) == 1


def test_streak_needs_the_minimum_per_period() -> None:
    """A period counts toward the streak only once it has ``min_per_period`` events (likes by count)."""
    engine = Engine(make_fest(mission("fan", "like", 2, measure={"kind": "streak", "min_per_period": 10})))
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T18:00:00Z", count=6),
        ev("e2", "like", "2026-03-02T19:00:00Z", count=4),  # 10 on 03-02: met
        ev("e3", "like", "2026-03-02T20:00:00Z", count=50),  # already met
        ev("e4", "like", "2026-03-03T18:00:00Z", count=9),
        ev("e5", "like", "2026-03-03T18:30:00Z"),
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e2", 1), ("e5", 2)]
    assert len(of(steps, MissionCompleted)) == 1


def test_streak_days_are_fest_days_across_the_dst_change() -> None:
    """Streak periods are local days: three local days across spring-forward are a run of 3 (UTC days give 2)."""
    engine = Engine(make_fest(mission("habit", "check_in", 3, measure={"kind": "streak"})))
    steps = run(
        engine,
        ev("e1", "check_in", "2026-03-08T07:30:00Z"),  # 2026-03-07 23:30 PST
        ev("e2", "check_in", "2026-03-09T06:30:00Z"),  # 2026-03-08 23:30 PDT
        ev("e3", "check_in", "2026-03-09T07:30:00Z"),  # 2026-03-09 00:30 PDT
    )
    assert [o.progress for o in of(steps, MissionProgressed)] == [1, 2, 3]
    assert len(of(steps[2], MissionCompleted)) == 1


def test_streak_of_weeks() -> None:
    """A weekly streak counts consecutive fest weeks (Monday to Sunday in fest time)."""
    engine = Engine(make_fest(mission("weekly", "check_in", 2, measure={"kind": "streak", "period": "week"})))
    steps = run(
        engine,
        ev("e1", "check_in", "2026-03-02T18:00:00Z"),  # Monday 03-02
        ev("e2", "check_in", "2026-03-08T18:00:00Z"),  # Sunday 03-08: same week
        ev("e3", "check_in", "2026-03-09T07:00:00Z"),  # Monday 03-09 00:00 PDT: next week
    )
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("e1", 1), ("e3", 2)]
    assert len(of(steps[2], MissionCompleted)) == 1


def test_progress_beyond_the_target_still_completes_once() -> None:
    """Overshooting the target completes the mission once and its rewards are granted once."""
    engine = Engine(make_fest(mission("taps", "like", 5, rewards=[{"points": 3}])))
    steps = run(engine, ev("e1", "like", "2026-03-02T10:00:00Z", count=50), ev("e2", "like", "2026-03-02T10:01:00Z"))
    assert [o.progress for o in of(steps, MissionProgressed)] == [50]
    assert len(of(steps, MissionCompleted)) == 1
    assert len(of(steps, MissionClaimed)) == 1
    assert steps[1].outcomes == ()
    assert engine.points("u1") == 3


def test_instances_are_typed_and_hold_only_their_measures_fields() -> None:
    """A mission instance is one small typed object per measure, with named fields and no per-object
    dict: a count holds its state, progress, completions and claim deadline; a distinct measure also
    the values seen, in the order first seen; nothing else is kept."""
    engine = Engine(
        make_fest(
            mission("chat", "comment", 5),
            mission("browse", "product_view", 5, measure={"kind": "distinct", "field": "product_id"}),
        )
    )
    run(
        engine,
        ev("e1", "comment", "2026-03-02T10:00:00Z"),
        ev("e2", "product_view", "2026-03-02T10:01:00Z", product_id="p1"),
        ev("e3", "product_view", "2026-03-02T10:02:00Z", product_id="p2"),
    )
    viewer = engine.component("missions")._book.viewers["u1"]
    chat, browse = viewer.instances.values()
    assert type(chat) is MissionInstance
    assert (chat.state, chat.progress, chat.completions, chat.deadline) == (MissionState.ACTIVE, 1, 0, None)
    assert type(browse) is DistinctInstance
    assert (browse.state, browse.progress, browse.values) == (MissionState.ACTIVE, 2, ("p1", "p2"))
    assert not any(hasattr(instance, "__dict__") for instance in (chat, browse, viewer))
    assert (viewer.completed, viewer.unlocked) == (None, None)  # nothing completed or unlocked: nothing kept


def test_a_days_table_keeps_one_instance_per_user_and_a_repeat_goes_round_in_place() -> None:
    """An open day's table maps each user to their instance, in the order they took part; a
    completion that goes round again restarts the same instance, keeping its completions."""
    engine = Engine(make_fest(mission("chat", "comment", 3, repeat=2, window={"kind": "daily"})))
    run(
        engine,
        ev("e1", "comment", "2026-03-02T10:00:00Z"),
        ev("e2", "comment", "2026-03-02T10:01:00Z", user="u2"),
        ev("e3", "comment", "2026-03-02T10:02:00Z"),
    )
    (table,) = engine.component("missions")._book.tables["chat"].values()
    assert [(user, i.progress, i.completions) for user, i in table.instances.items()] == [("u1", 2, 0), ("u2", 1, 0)]
    u1 = table.instances["u1"]
    engine.apply(ev("e4", "comment", "2026-03-02T10:03:00Z"))  # u1 completes; the reward is automatic
    assert table.instances["u1"] is u1
    assert (u1.state, u1.progress, u1.completions) == (MissionState.ACTIVE, 0, 1)
    assert table.waiting is None  # nothing waits for a claim: the day's closing drops the table whole
    assert progress_of(engine, "u1", "chat").progress == 0
