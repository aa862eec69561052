"""Community goals: contributions, levels and deadline extensions, cooldowns and repeats, expiry, rewards."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.engine.core import SNAPSHOT_MAGIC
from festengine.engine.outcomes import BadgeAwarded, PointsAwarded
from festengine.errors import SnapshotError
from festengine.social import (
    CommunityGoalCompleted,
    CommunityGoalExpired,
    CommunityLevelReached,
    CommunityProgressed,
    ContributorRewarded,
)

COINS = {"kind": "sum", "field": "coins"}


def rush(**community: Any) -> dict[str, Any]:
    """A stream goal of 1,000 coins: levels at 300 and 600 (5 more minutes each) and 1,000."""
    rules = {
        "levels": [{"target": 300, "extend_by": "5m"}, {"target": 600, "extend_by": "5m"}, {"target": 1000}],
        "cooldown": "10m",
        "min_contribution": 5,
        "top_contributors": 2,
        **community,
    }
    return mission("rush", "gift", 1000, subject="stream", measure=COINS, window={"kind": "stream"}, repeat=2,
                   rewards=[{"badge": "crew", "tier": "crew"}, {"points": 10}], community=rules)  # fmt: skip


def moment(day: int, clock: str) -> datetime:
    return datetime.fromisoformat(at(day, clock))


# --------------------------------------------------------------------------- contributions and rewards


def test_contributions_add_up_and_contributors_above_the_minimum_are_rewarded_in_order() -> None:
    engine = Engine(make_fest(rush()))
    steps = run(
        engine,
        ev("gift", at(1, "10:00"), "u1"),  # 500: level 1
        ev("gift", at(1, "10:01"), "u2", gift_id="panda"),
        ev("gift", at(1, "10:02"), "u3", gift_id="rose"),
        ev("gift", at(1, "10:03"), "u2"),  # 1006: levels 2 and 3, and the target
    )
    progressed = of(steps, CommunityProgressed)
    assert [(o.user_id, o.amount, o.contribution, o.total) for o in progressed] == [
        ("u1", 500, 500, 500),
        ("u2", 5, 5, 505),
        ("u3", 1, 1, 506),
        ("u2", 500, 505, 1006),
    ]
    assert [(o.level, o.target) for o in of(steps, CommunityLevelReached)] == [(1, 300), (2, 600), (3, 1000)]
    completed = of(steps[-1], CommunityGoalCompleted)
    assert [(o.subject, o.window, o.total, o.contributors, o.rewarded, o.top_contributors) for o in completed] == [
        ("s1", "stream:s1", 1006, 3, 2, (("u2", 505), ("u1", 500)))
    ]
    # the messages, in first-contribution order; each is applied at its viewer's key once the step's
    # own handlers ran (a message from the fest's key to a viewer's, in the order sent)
    last = steps[-1].outcomes
    kinds = [(type(o).__name__, getattr(o, "user_id", None)) for o in last[last.index(completed[0]) + 1 :]]
    assert kinds == [
        ("ContributorRewarded", "u1"),
        ("ContributorRewarded", "u2"),
        ("BadgeAwarded", "u1"),
        ("PointsAwarded", "u1"),
        ("BadgeAwarded", "u2"),
        ("PointsAwarded", "u2"),
    ]


def test_a_contribution_of_exactly_the_minimum_is_rewarded() -> None:
    goal = mission("small", "gift", 10, subject="creator", measure=COINS, rewards=[{"points": 3}],
                   community={"min_contribution": 5})  # fmt: skip
    engine = Engine(make_fest(goal))
    steps = run(
        engine,
        ev("gift", at(1, "10:00"), "u1", gift_id="panda"),
        ev("gift", at(1, "10:01"), "u2", gift_id="rose", count=4),
        ev("gift", at(1, "10:02"), "u3", gift_id="rose"),
    )
    assert [(o.user_id, o.contribution) for o in of(steps, ContributorRewarded)] == [("u1", 5)]
    assert [(o.user_id, o.points) for o in of(steps, PointsAwarded)] == [("u1", 3)]


def test_top_contributors_ties_go_to_who_reached_the_amount_first() -> None:
    engine = Engine(make_fest(rush()))
    run(
        engine,
        ev("gift", at(1, "10:00"), "u2", gift_id="panda"),
        ev("gift", at(1, "10:01"), "u1", gift_id="panda"),
        ev("gift", at(1, "10:02"), "u3", gift_id="rose"),
    )
    status = social(engine).community_goal("rush", "s1")
    assert status is not None
    assert [(c.rank, c.user_id, c.contribution) for c in status.top_contributors] == [(1, "u2", 5), (2, "u1", 5)]
    run(engine, ev("gift", at(1, "10:03"), "u1", gift_id="rose"), ev("gift", at(1, "10:04"), "u2", gift_id="rose"))
    status = social(engine).community_goal("rush", "s1")
    assert status is not None
    assert [c.user_id for c in status.top_contributors] == ["u1", "u2"]


def test_count_goals_weigh_likes_by_their_taps_and_distinct_goals_count_new_values() -> None:
    likes = mission("taps", "like", 100, subject="stream", window={"kind": "stream"})
    crowd = mission("crowd", "comment", 3, subject="creator", measure={"kind": "distinct", "field": "user_id"},
                    rewards=[{"points": 1}])  # fmt: skip
    engine = Engine(make_fest(likes, crowd))
    steps = run(
        engine,
        ev("like", at(1, "10:00"), "u1", count=60),
        ev("like", at(1, "10:01"), "u2", count=40),
        ev("comment", at(1, "10:02"), "u1"),
        ev("comment", at(1, "10:03"), "u1"),
        ev("comment", at(1, "10:04"), "u2"),
        ev("comment", at(1, "10:05"), "u3"),
    )
    assert [(o.mission_id, o.total) for o in of(steps, CommunityGoalCompleted)] == [("taps", 100), ("crowd", 3)]
    assert [o.user_id for o in of(steps, ContributorRewarded) if o.mission_id == "crowd"] == ["u1", "u2", "u3"]
    assert social(engine).community.contributions("crowd", "c1", "fest") == {"u1": 1, "u2": 1, "u3": 1}


def test_each_creator_has_its_own_goal() -> None:
    chat = mission("chat", "comment", 2, subject="creator", window={"kind": "daily"})
    engine = Engine(make_fest(chat))
    run(engine, ev("comment", at(1, "10:00")), ev("comment", at(1, "10:01"), creator_id="c2", stream_id="s2"))
    assert [(g.subject, g.window, g.total) for g in social(engine).community_goals()] == [
        ("c1", "day:2026-06-01", 1),
        ("c2", "day:2026-06-01", 1),
    ]
    assert [g.subject for g in social(engine).community_goals("c2")] == ["c2"]


# --------------------------------------------------------------------------- deadlines, extensions, expiry


def test_levels_keep_a_stream_goal_open_after_the_stream_ends_then_it_expires() -> None:
    engine = Engine(make_fest(rush()))
    first = engine.apply(ev("gift", at(1, "10:00")))  # 500: level 1, +5 minutes
    assert [o.deadline for o in of(first, CommunityLevelReached)] == [None]  # the stream is running
    engine.apply(ev("stream_ended", at(1, "11:00"), "c1"))
    inside = engine.apply(ev("gift", at(1, "11:04:59"), "u2", gift_id="panda"))
    outside = engine.apply(ev("gift", at(1, "11:05:00"), "u3", gift_id="panda"))
    assert [o.total for o in of(inside, CommunityProgressed)] == [505]
    assert of(outside, CommunityProgressed) == []
    assert of(engine.advance_to(moment(1, "11:14:59")), CommunityGoalExpired) == []
    expired = of(engine.advance_to(moment(1, "11:15")), CommunityGoalExpired)
    assert [(o.mission_id, o.total, o.level) for o in expired] == [("rush", 505, 1)]
    status = social(engine).community_goal("rush", "s1")
    assert status is not None
    assert (status.state, status.deadline) == ("expired", moment(1, "11:05").astimezone(UTC))


def test_a_level_extends_a_calendar_window_past_its_end() -> None:
    window = {"kind": "between", "starts_at": at(5, "18:00"), "ends_at": at(5, "20:00")}
    flash = mission("flash", "gift", 1000, subject="creator", measure=COINS, window=window,
                    community={"levels": [{"target": 300, "extend_by": "10m"}]})  # fmt: skip
    engine = Engine(make_fest(flash))
    reached = engine.apply(ev("gift", at(5, "19:59")))
    assert [o.deadline for o in of(reached, CommunityLevelReached)] == [moment(5, "20:10").astimezone(UTC)]
    overtime = engine.apply(ev("gift", at(5, "20:09:59"), "u2", gift_id="panda"))
    too_late = engine.apply(ev("gift", at(5, "20:10"), "u2", gift_id="panda"))
    assert [(o.window, o.total) for o in of(overtime, CommunityProgressed)] == [("between", 505)]
    assert of(too_late, CommunityProgressed) == []
    assert of(engine.advance_to(moment(5, "20:19:59")), CommunityGoalExpired) == []
    assert [o.total for o in of(engine.advance_to(moment(5, "20:20")), CommunityGoalExpired)] == [505]


def test_an_unfinished_daily_goal_expires_after_the_lateness() -> None:
    chat = mission("chat", "comment", 5, subject="creator", window={"kind": "daily"})
    engine = Engine(make_fest(chat))
    run(engine, *[ev("comment", at(1, f"10:0{i}")) for i in range(3)])
    assert of(engine.advance_to(moment(2, "00:09:59")), CommunityGoalExpired) == []
    expired = of(engine.advance_to(moment(2, "00:10")), CommunityGoalExpired)
    assert [(o.window, o.total) for o in expired] == [("day:2026-06-01", 3)]
    after = engine.apply(ev("comment", at(2, "10:00")))
    assert [(o.window, o.total) for o in of(after, CommunityProgressed)] == [("day:2026-06-02", 1)]


def test_a_closed_goal_keeps_only_its_ranked_contributors_and_how_many_there_were() -> None:
    chat = mission("chat", "comment", 10, subject="creator", window={"kind": "daily"},
                   community={"top_contributors": 2})  # fmt: skip
    fest = make_fest(chat)
    engine = Engine(fest)
    senders = ["u1", "u2", "u2", "u3", "u3", "u1", "u4"]  # u1, u2, u3 two each (in that order), u4 one
    run(engine, *[ev("comment", at(1, f"10:0{i}"), user) for i, user in enumerate(senders)])
    before = social(engine).community_goal("chat", "c1")
    assert before is not None
    assert before.contributors == 4
    assert [(c.user_id, c.contribution) for c in before.top_contributors] == [("u2", 2), ("u3", 2)]
    engine.advance_to(moment(2, "00:10"))  # the day's goal closes unfinished
    after = social(engine).community_goal("chat", "c1")
    assert after is not None
    assert after.state == "expired"
    assert (after.contributors, after.top_contributors, after.total) == (4, before.top_contributors, 7)
    assert social(engine).community.contributions("chat", "c1", "day:2026-06-01") == {"u2": 2, "u3": 2}
    restored = Engine.restore(fest, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()
    assert social(restored).community_goal("chat", "c1") == after


def test_a_snapshot_whose_open_goal_forgot_contributors_is_refused_and_changes_nothing() -> None:
    fest = make_fest(rush())
    engine = Engine(fest)
    run(engine, ev("gift", at(1, "10:00")))
    state = json.loads(zlib.decompress(engine.snapshot()[len(SNAPSHOT_MAGIC) :]))
    state["components"]["social"]["community"]["goals"][0][15] = 3
    corrupt = SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode())
    kept = engine.snapshot()
    with pytest.raises(SnapshotError, match="goal 'rush' of 's1' in 'stream:s1' is open but forgot contributors"):
        Engine.restore(fest, corrupt)
    assert engine.snapshot() == kept


# --------------------------------------------------------------------------- rounds


def test_after_completion_a_cooldown_then_a_new_round_until_the_repeats_are_used() -> None:
    engine = Engine(make_fest(rush()))
    run(engine, ev("gift", at(1, "10:00")), ev("gift", at(1, "10:00:30"), "u2"))  # round 1 done at 10:00:30
    cooling = engine.apply(ev("gift", at(1, "10:10:29")))
    assert of(cooling, CommunityProgressed) == []
    status = social(engine).community_goal("rush", "s1")
    assert status is not None
    assert (status.state, status.completions, status.cooldown_until) == (
        "cooldown",
        1,
        moment(1, "10:10:30").astimezone(UTC),
    )
    second = engine.apply(ev("gift", at(1, "10:10:30"), "u3"))
    assert [(o.round, o.total) for o in of(second, CommunityProgressed)] == [(2, 500)]
    assert [(o.round, o.level) for o in of(second, CommunityLevelReached)] == [(2, 1)]
    done = run(engine, ev("gift", at(1, "10:11"), "u3"), ev("gift", at(1, "10:30"), "u1"))
    assert [(o.round, o.top_contributors) for o in of(done, CommunityGoalCompleted)] == [(2, (("u3", 1000),))]
    assert of(done[1], CommunityProgressed) == []  # both rounds used
    status = social(engine).community_goal("rush", "s1")
    assert status is not None
    assert (status.state, status.completions, status.round) == ("completed", 2, 2)


def test_badges_of_a_repeated_goal_are_awarded_once() -> None:
    engine = Engine(make_fest(rush(cooldown="0s")))
    steps = run(engine, ev("gift", at(1, "10:00")), ev("gift", at(1, "10:01")), ev("gift", at(1, "10:02")))
    steps += run(engine, ev("gift", at(1, "10:03")))
    assert len(of(steps, CommunityGoalCompleted)) == 2
    assert len(of(steps, BadgeAwarded)) == 1
    assert [o.points for o in of(steps, PointsAwarded)] == [10, 10]


def test_community_goals_survive_a_snapshot() -> None:
    fest = make_fest(rush())
    engine = Engine(fest)
    run(engine, ev("gift", at(1, "10:00")), ev("gift", at(1, "10:01"), "u2", gift_id="panda"))
    restored = Engine.restore(fest, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()
    tail = [ev("gift", at(1, "10:02"), "u3"), ev("stream_ended", at(1, "11:00"), "c1")]
    assert [s.outcomes for s in run(engine, *tail)] == [s.outcomes for s in run(restored, *tail)]


def test_money_level_targets_keep_their_written_scale_in_outcomes() -> None:
    """A level written ``"50.00"`` is reported as ``"50.00"``, a level written ``300`` as ``300``."""
    from festengine import outcome_to_dict

    rules = {"levels": [{"target": "50.00", "extend_by": "5m"}, {"target": "100.00"}]}
    sales = mission("sales", "purchase", "100.00", subject="creator", measure={"kind": "sum", "field": "amount"},
                    window={"kind": "daily"}, community=rules)  # fmt: skip
    engine = Engine(make_fest(sales))
    sale = ev("purchase", at(1, "10:00"), price="60.00", creator_id="c1")
    shown = [outcome_to_dict(o) for o in engine.apply(sale).outcomes]
    reached = [o for o in shown if o["kind"] == "community_level_reached"]
    assert [(o["level"], o["target"], o["total"]) for o in reached] == [(1, "50.00", "60.00")]
    progressed = [o for o in shown if o["kind"] == "community_progressed"]
    assert [o["target"] for o in progressed] == ["100.00"]
    counted = Engine(make_fest(rush())).apply(ev("gift", at(1, "10:00")))
    assert [outcome_to_dict(o)["target"] for o in of(counted, CommunityLevelReached)] == [300]
