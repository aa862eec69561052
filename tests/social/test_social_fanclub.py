"""Fan Clubs: joining, task points and daily caps in fest time, levels and badges, pausing, rewards, queries."""

from __future__ import annotations

from datetime import UTC, datetime

from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.engine.outcomes import BadgeAwarded, MissionCompleted, MissionProgressed, MissionUnlocked
from festengine.events import Event
from festengine.social import (
    CreatorFollowed,
    FanClubJoined,
    FanClubMemberPaused,
    FanClubMemberResumed,
    FanClubPointsEarned,
    FanClubRewardSkipped,
    LevelChanged,
)


def joined(engine: Engine, user: str = "u1", creator: str = "c1", day: int = 1) -> None:
    engine.apply(ev("fan_club_join", at(day, "09:00"), user, creator_id=creator))


def points(engine: Engine, user: str = "u1", creator: str = "c1") -> object:
    membership = social(engine).fan_club_membership(user, creator)
    assert membership is not None
    return membership.points


# --------------------------------------------------------------------------- joining


def test_the_join_gift_joins_follows_gives_level_one_and_its_badge() -> None:
    engine = Engine(make_fest())
    step = engine.apply(ev("gift", at(1, "10:00"), gift_id="heart_me"))
    assert [(o.user_id, o.creator_id, o.via) for o in of(step, FanClubJoined)] == [("u1", "c1", "gift:heart_me")]
    assert [(o.user_id, o.creator_id) for o in of(step, CreatorFollowed)] == [("u1", "c1")]
    assert [(o.old_level, o.new_level) for o in of(step, LevelChanged)] == [(0, 1)]
    assert [(o.badge_id, o.tier, o.source) for o in of(step, BadgeAwarded)] == [
        ("fan", "member", "fan_club:c1:level:1")
    ]
    # the join gift is a gift too: 1 coin = 1 point by the coins task, after the join
    assert [(o.points, o.source) for o in of(step, FanClubPointsEarned)] == [(1, "coins")]
    assert social(engine).fan_club_level("u1") == 1


def test_a_fan_club_join_event_joins_and_joining_twice_changes_nothing() -> None:
    engine = Engine(make_fest())
    first, second = run(engine, ev("fan_club_join", at(1, "10:00")), ev("fan_club_join", at(1, "10:01")))
    assert [o.via for o in of(first, FanClubJoined)] == ["fan_club_join"]
    assert of(second, FanClubJoined) == []
    assert of(second, CreatorFollowed) == []


def test_other_gifts_do_not_join_and_non_members_earn_no_points() -> None:
    engine = Engine(make_fest())
    steps = run(engine, ev("gift", at(1, "10:00"), gift_id="rose"), ev("comment", at(1, "10:01")))
    assert of(steps, FanClubJoined) == []
    assert of(steps, FanClubPointsEarned) == []
    assert social(engine).fan_club_level("u1") == 0


# --------------------------------------------------------------------------- tasks and daily caps


def test_the_daily_cap_is_reached_exactly_and_resets_at_local_midnight() -> None:
    engine = Engine(make_fest())
    joined(engine)
    comments = [ev("comment", at(1, f"20:0{i}")) for i in range(6)]
    steps = run(engine, *comments)
    # 2 points a comment, cap 10: the fifth comment reaches the cap exactly, the sixth earns nothing
    assert [o.points for o in of(steps, FanClubPointsEarned)] == [2, 2, 2, 2, 2]
    assert of(steps[5], FanClubPointsEarned) == []
    last_second = engine.apply(ev("comment", at(1, "23:59:59")))
    assert of(last_second, FanClubPointsEarned) == []
    midnight = engine.apply(ev("comment", at(2, "00:00:00")))  # 07:00 UTC: a new fest day in Los Angeles
    assert [o.points for o in of(midnight, FanClubPointsEarned)] == [2]
    assert points(engine) == 12


def test_a_cap_smaller_than_the_points_gives_what_is_left() -> None:
    engine = Engine(make_fest())
    joined(engine)
    # watch: 1 point per 60 s, cap 5; 240 s = 4 points, then 180 s = 3 more but only 1 is left
    steps = run(engine, ev("view", at(1, "10:00"), seconds=240), ev("view", at(1, "10:05"), seconds=180))
    assert [o.points for o in of(steps, FanClubPointsEarned)] == [4, 1]


def test_per_field_points_carry_the_remainder_within_the_day() -> None:
    engine = Engine(make_fest())
    joined(engine)
    steps = run(
        engine,
        ev("view", at(1, "10:00"), seconds=90),  # 1 point, 30 s carried
        ev("view", at(1, "10:01"), seconds=30),  # 60 s: 1 point
        ev("view", at(1, "10:02"), seconds=59),  # nothing yet
        ev("view", at(2, "10:00"), seconds=1),  # a new day: yesterday's 59 s do not carry
    )
    assert [o.points for o in of(steps, FanClubPointsEarned)] == [1, 1]


def test_a_late_event_counts_against_yesterdays_cap() -> None:
    engine = Engine(make_fest())
    joined(engine)
    run(engine, *[ev("comment", at(1, f"23:5{i}")) for i in range(5)])  # day 1 capped
    today = engine.apply(ev("comment", at(2, "00:05")))
    late = engine.apply(ev("comment", at(1, "23:59:30")))  # 5.5 minutes late, within the lateness
    assert late.accepted
    assert [o.points for o in of(today, FanClubPointsEarned)] == [2]
    assert of(late, FanClubPointsEarned) == []


def test_points_go_to_the_club_of_the_events_creator() -> None:
    engine = Engine(make_fest())
    joined(engine, creator="c1")
    joined(engine, creator="c2")
    step = engine.apply(ev("comment", at(1, "10:00"), creator_id="c2", stream_id="s2"))
    assert [(o.creator_id, o.points) for o in of(step, FanClubPointsEarned)] == [("c2", 2)]
    assert points(engine, creator="c1") == 0


# --------------------------------------------------------------------------- levels


def test_passing_several_levels_at_once_is_one_change_and_the_highest_tier() -> None:
    engine = Engine(make_fest())
    joined(engine)
    step = engine.apply(ev("gift", at(1, "10:00"), gift_id="concert"))  # 500 coins: level 4 (100 points)
    assert [(o.old_level, o.new_level, o.points) for o in of(step, LevelChanged)] == [(1, 4, 500)]
    assert [(o.tier, o.source) for o in of(step, BadgeAwarded)] == [("superfan", "fan_club:c1:level:4")]


def test_a_level_is_reached_at_its_threshold_exactly() -> None:
    engine = Engine(make_fest())
    joined(engine)
    steps = run(engine, *[ev("gift", at(1, f"10:{i:02d}"), gift_id="rose") for i in range(20)])
    changes = [(o.new_level, o.points) for o in of(steps, LevelChanged)]
    assert changes == [(2, 20)]  # level 2 needs 20 points: the 20th Rose


def test_reaching_a_fan_club_level_unlocks_missions_and_the_unlocking_event_does_not_count() -> None:
    vip = mission("vip_gifts", "gift", 2, requires={"fan_club_level": 3})
    engine = Engine(make_fest(vip))
    joined(engine)
    unlocking = engine.apply(ev("gift", at(1, "10:00"), gift_id="concert"))
    assert [o.mission_id for o in of(unlocking, MissionUnlocked)] == ["vip_gifts"]
    assert of(unlocking, MissionProgressed) == []
    after = engine.apply(ev("gift", at(1, "10:01"), gift_id="concert"))
    assert [(o.mission_id, o.progress) for o in of(after, MissionProgressed)] == [("vip_gifts", 1)]


# --------------------------------------------------------------------------- pausing


def live(day: int, clock: str = "10:00") -> Event:
    return ev("stream_started", at(day, clock), "c1")


def test_a_member_without_points_for_the_pause_period_after_a_live_is_paused_and_keeps_points() -> None:
    engine = Engine(make_fest())
    joined(engine)  # day 1, 09:00
    engine.apply(ev("comment", at(1, "09:30")))
    engine.apply(live(1))  # the creator goes LIVE at 10:00; the check is 7 days + 10 minutes later
    before = engine.advance_to(datetime.fromisoformat(at(8, "10:09:59")))
    assert of(before, FanClubMemberPaused) == []
    step = engine.advance_to(datetime.fromisoformat(at(8, "10:10")))
    paused = of(step, FanClubMemberPaused)
    assert [(o.user_id, o.points) for o in paused] == [("u1", 2)]
    assert paused[0].live_at == datetime.fromisoformat(at(1, "10:00")).astimezone(UTC)
    assert paused[0].deadline == datetime.fromisoformat(at(8, "10:00")).astimezone(UTC)
    membership = social(engine).fan_club_membership("u1", "c1")
    assert membership is not None
    assert (membership.status, membership.points) == ("paused", 2)
    resumed = engine.apply(ev("comment", at(8, "11:00")))
    assert [o.points for o in of(resumed, FanClubMemberResumed)] == [4]
    membership = social(engine).fan_club_membership("u1", "c1")
    assert membership is not None
    assert (membership.status, membership.points) == ("active", 4)


def test_points_just_before_the_pause_deadline_keep_the_member_active() -> None:
    engine = Engine(make_fest())
    joined(engine)
    engine.apply(live(1))
    engine.apply(ev("comment", at(8, "09:59:59")))
    step = engine.advance_to(datetime.fromisoformat(at(9, "00:00")))
    assert of(step, FanClubMemberPaused) == []


def test_members_who_joined_after_the_live_started_are_not_paused_by_it() -> None:
    engine = Engine(make_fest())
    joined(engine, "u1")
    engine.apply(live(1))
    joined(engine, "u2", day=2)
    step = engine.advance_to(datetime.fromisoformat(at(9, "00:00")))
    assert [o.user_id for o in of(step, FanClubMemberPaused)] == ["u1"]


# --------------------------------------------------------------------------- rewards


def test_fan_club_points_rewards_go_to_the_events_creator_then_the_latest_club_else_are_skipped() -> None:
    share = mission("share", "share", 1, repeat=5, rewards=[{"fan_club_points": 7}])
    engine = Engine(make_fest(share))
    nobody = engine.apply(ev("share", at(1, "08:00")))
    assert [(o.points, o.source) for o in of(nobody, FanClubRewardSkipped)] == [(7, "share")]
    joined(engine, creator="c1")
    joined(engine, creator="c2")
    in_c1 = engine.apply(ev("share", at(1, "10:00"), creator_id="c1"))
    in_c3 = engine.apply(ev("share", at(1, "10:01"), creator_id="c3", stream_id="s3"))
    assert [(o.creator_id, o.points, o.source) for o in of(in_c1, FanClubPointsEarned)] == [("c1", 7, "share")]
    assert [o.creator_id for o in of(in_c3, FanClubPointsEarned)] == ["c2"]  # joined most recently


# --------------------------------------------------------------------------- queries and snapshots


def test_queries_list_clubs_in_join_order_and_members_by_level() -> None:
    engine = Engine(make_fest())
    joined(engine, "u1", "c2")
    joined(engine, "u1", "c1")
    joined(engine, "u2", "c1")
    joined(engine, "u3", "c1")
    engine.apply(ev("gift", at(1, "10:00"), "u3", gift_id="concert"))
    mine = social(engine).fan_club_memberships("u1")
    assert [m.creator_id for m in mine] == ["c2", "c1"]
    members = social(engine).fan_club_members("c1")
    assert list(members) == [4, 1]
    assert [m.user_id for m in members[1]] == ["u1", "u2"]
    assert social(engine).fan_club_level("u3") == 4
    assert social(engine).fan_club_membership("u9", "c1") is None


def test_fan_clubs_survive_a_snapshot() -> None:
    fest = make_fest()
    engine = Engine(fest)
    joined(engine)
    engine.apply(ev("comment", at(1, "10:00")))
    restored = Engine.restore(fest, engine.snapshot())
    assert social(restored).fan_club_memberships("u1") == social(engine).fan_club_memberships("u1")
    assert social(restored).fan_club_level("u1") == 1
    assert restored.snapshot() == engine.snapshot()


def test_a_mission_completed_by_a_joining_event_still_counts() -> None:
    engine = Engine(make_fest(mission("join", "fan_club_join", 1)))
    step = engine.apply(ev("fan_club_join", at(1, "10:00")))
    assert [o.mission_id for o in of(step, MissionCompleted)] == ["join"]
