"""The worked examples of docs/social.md, run on the bundled Community Fest pack."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from social_fests import of, social

from festengine.assembly import Engine
from festengine.catalog.loader import load_fest
from festengine.catalog.model import Fest
from festengine.economy.outcomes import CreditGranted
from festengine.engine.core import Step
from festengine.engine.outcomes import BadgeAwarded, PointsAwarded
from festengine.events import parse_event
from festengine.social import (
    CommunityGoalCompleted,
    CommunityGoalExpired,
    CommunityLevelReached,
    CommunityProgressed,
    ContributorRewarded,
    CreatorFollowed,
    CreatorPointsEarned,
    FanClubJoined,
    FanClubMemberPaused,
    FanClubMemberResumed,
    FanClubPointsEarned,
    JourneyCompleted,
    JourneyStepCompleted,
    LevelChanged,
    PromotionEnded,
    PromotionStarted,
)

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@pytest.fixture(scope="module")
def fest() -> Fest:
    return load_fest(PACK)


class Feed:
    """Applies events to one engine with fresh ids; times are Los Angeles time in June 2026 (UTC-7)."""

    def __init__(self, fest: Fest) -> None:
        self.engine = Engine(fest)
        self.count = 0

    def __call__(self, kind: str, day: int, clock: str, user: str, **fields: Any) -> Step:
        self.count += 1
        data = {"event_id": f"e{self.count}", "type": kind, "occurred_at": when(day, clock), "user_id": user, **fields}
        return self.engine.apply(parse_event(data))

    def advance(self, day: int, clock: str) -> Step:
        return self.engine.advance_to(datetime.fromisoformat(when(day, clock)))


def when(day: int, clock: str) -> str:
    return f"2026-06-{day:02d}T{clock}:00-07:00" if clock.count(":") == 1 else f"2026-06-{day:02d}T{clock}-07:00"


MIA1 = {"creator_id": "mia", "stream_id": "mia-live-1"}
MIA2 = {"creator_id": "mia", "stream_id": "mia-live-2"}


def club_points(step: Step | list[Step], source: str | None = None) -> list[Any]:
    return [o.points for o in of(step, FanClubPointsEarned) if source is None or o.source == source]


def test_fan_club_join_tasks_caps_levels_pause_and_resume(fest: Fest) -> None:
    feed = Feed(fest)
    feed("stream_started", 15, "18:00", "mia", **MIA1)
    join = feed("gift", 15, "18:01", "ava", gift_id="heart_me", **MIA1)
    assert [o.via for o in of(join, FanClubJoined)] == ["gift:heart_me"]
    assert [o.creator_id for o in of(join, CreatorFollowed)] == ["mia"]
    assert [(o.old_level, o.new_level) for o in of(join, LevelChanged)] == [(0, 1)]
    assert [(o.badge_id, o.tier) for o in of(join, BadgeAwarded)] == [("fan_club", "member")]
    assert club_points(join) == [1]
    comments = [feed("comment", 15, f"18:{10 + i}", "ava", text="hi", **MIA1) for i in range(11)]
    assert club_points(comments, "comments") == [2] * 10  # the 11th comment is over the cap of 20
    first_view = feed("view", 15, "18:40", "ava", seconds=1800, **MIA1)
    assert club_points(first_view, "watch_minutes") == [30]
    second_view = feed("view", 15, "19:20", "ava", seconds=2400, **MIA1)
    assert club_points(second_view, "watch_minutes") == [30]  # 40 minutes, but 60 a day at most
    assert [(o.old_level, o.new_level, o.points) for o in of(second_view, LevelChanged)] == [(1, 2, 111)]
    feed("stream_started", 16, "19:00", "mia", **MIA2)
    assert of(feed.advance(23, "19:09:59"), FanClubMemberPaused) == []
    paused = of(feed.advance(23, "19:10"), FanClubMemberPaused)
    assert [(o.user_id, o.points) for o in paused] == [("ava", 111)]
    resumed = feed("comment", 24, "12:00", "ava", text="back!", **MIA1)
    assert [o.points for o in of(resumed, FanClubMemberResumed)] == [113]
    membership = social(feed.engine).fan_club_membership("ava", "mia")
    assert membership is not None
    assert (membership.level, membership.points, membership.status) == (2, 113, "active")


def test_stream_gift_rush_levels_rewards_cooldown_and_expiry(fest: Fest) -> None:
    feed = Feed(fest)
    feed("stream_started", 16, "19:00", "mia", **MIA2)
    bo = feed("gift", 16, "19:05", "bo", gift_id="drama_queen", **MIA2)
    rush = [o for o in of(bo, CommunityLevelReached) if o.mission_id == "stream_gift_rush_10k"]
    assert [(o.level, o.target) for o in rush] == [(1, 1000), (2, 3000)]
    assert [(o.promotion_id, o.audience, o.audience_id) for o in of(bo, PromotionStarted)] == [
        ("gift_rush_stream_deal", "stream_viewers", "mia-live-2")
    ]
    feed("gift", 16, "19:06", "cy", gift_id="panda", **MIA2)
    feed("gift", 16, "19:07", "dee", gift_id="rose", **MIA2)
    done = feed("gift", 16, "19:10", "cy", gift_id="drama_queen", **MIA2)
    completed = [o for o in of(done, CommunityGoalCompleted) if o.mission_id == "stream_gift_rush_10k"]
    assert [(o.total, o.contributors, o.rewarded, o.top_contributors) for o in completed] == [
        (10006, 3, 2, (("cy", 5005), ("bo", 5000), ("dee", 1)))
    ]
    rewarded = [(o.user_id, o.contribution) for o in of(done, ContributorRewarded)]
    assert rewarded == [("bo", 5000), ("cy", 5005)]
    assert [(o.user_id, o.tier) for o in of(done, BadgeAwarded)] == [("bo", "crew"), ("cy", "crew")]
    cooling = feed("gift", 16, "19:20", "bo", gift_id="concert", **MIA2)
    assert [o.mission_id for o in of(cooling, CommunityProgressed)] == ["creator_week_goal"]
    second = feed("gift", 16, "19:40", "bo", gift_id="concert", **MIA2)
    assert [(o.round, o.total) for o in of(second, CommunityProgressed) if o.subject == "mia-live-2"] == [(2, 500)]
    feed("stream_ended", 16, "20:00", "mia", **MIA2)
    late = feed("gift", 16, "20:14:59", "cy", gift_id="concert", **MIA2)  # three levels: 15 more minutes
    assert [o.total for o in of(late, CommunityProgressed) if o.subject == "mia-live-2"] == [1000]
    again = [o for o in of(late, CommunityLevelReached) if o.subject == "mia-live-2"]
    assert [(o.round, o.level, o.deadline) for o in again] == [(2, 1, datetime.fromisoformat(when(16, "20:20")))]
    assert of(feed.advance(16, "20:29:59"), CommunityGoalExpired) == []
    expired = of(feed.advance(16, "20:30"), CommunityGoalExpired)
    assert [(o.mission_id, o.round, o.total, o.level) for o in expired] == [("stream_gift_rush_10k", 2, 1000, 1)]
    status = social(feed.engine).community_goal("stream_gift_rush_10k", "mia-live-2")
    assert status is not None
    assert (status.state, status.round, status.completions, status.total, status.level, status.contributors) == (
        "expired",
        2,
        1,
        1000,
        1,
        2,
    )
    assert status.deadline == datetime.fromisoformat(when(16, "20:20"))
    assert [(c.rank, c.user_id, c.contribution) for c in status.top_contributors] == [(1, "bo", 500), (2, "cy", 500)]
    board = social(feed.engine).leaderboard("top_gifters_per_stream", scope_id="mia-live-2")
    assert [(e.rank, e.entity_id, e.score) for e in board] == [(1, "bo", 6000), (2, "cy", 5505), (3, "dee", 1)]


def test_promotions_of_the_stream_goal_the_flash_sale_and_the_welcome_coupon(fest: Fest) -> None:
    feed = Feed(fest)
    feed("stream_started", 16, "19:00", "mia", **MIA2)
    feed("view", 16, "19:01", "cy", seconds=60, **MIA2)
    feed("gift", 16, "19:05", "bo", gift_id="drama_queen", **MIA2)  # level 2: 15% off in this LIVE
    purchase = {"product_id": "lip_oil", "category": "beauty", "price": "20.00", "currency": "USD"}
    deal = {"promotion_id": "gift_rush_stream_deal", "discount": "3.00"}  # 15% of 20.00
    ok = feed("purchase", 16, "19:10", "cy", order_id="o1", **deal, **purchase)
    stranger = feed("purchase", 16, "19:11", "eve", order_id="o2", **deal, **purchase)
    assert ok.accepted
    assert stranger.rejected is not None
    assert stranger.rejected.code == "promotion_not_active"
    in_room = feed("purchase", 16, "19:12", "eve", order_id="o3", **deal, **MIA2, **purchase)
    assert in_room.accepted
    ended = of(feed.advance(16, "19:35"), PromotionEnded)
    assert [(o.promotion_id, o.audience_id) for o in ended] == [("gift_rush_stream_deal", "mia-live-2")]
    assert [o.promotion_id for o in of(feed.advance(24, "18:00"), PromotionStarted)] == ["midweek_flash_sale"]
    flash = {"promotion_id": "midweek_flash_sale", "discount": "4.00"}  # 20% of 20.00
    last = feed("purchase", 24, "20:59:59", "eve", order_id="o4", **flash, **purchase)
    over = feed("purchase", 24, "21:00:00", "eve", order_id="o5", **flash, **purchase)
    assert last.accepted
    assert over.rejected is not None
    assert over.rejected.code == "promotion_not_active"
    join = feed("fan_club_join", 25, "10:00", "fin", creator_id="mia")
    started = [(o.promotion_id, o.audience_id, o.ends_at) for o in of(join, PromotionStarted)]
    assert started == [("club_welcome_coupon", "fin", datetime.fromisoformat(when(28, "10:00")))]
    on_sale = social(feed.engine).active_promotions("fin", datetime.fromisoformat(when(25, "11:00")), "fest_tote_bag")
    assert [(p.promotion_id, p.amount) for p in on_sale] == [("club_welcome_coupon", Decimal("2.00"))]


def test_the_live_journey_with_its_branch(fest: Fest) -> None:
    feed = Feed(fest)
    hello = feed("comment", 17, "12:00", "gus", text="hello!", **MIA1)
    assert [(o.step, o.next_missions) for o in of(hello, JourneyStepCompleted)] == [(1, ("journey_follow",))]
    early = feed("share", 17, "12:01", "gus", **MIA1)
    assert of(early, JourneyStepCompleted) == []
    follow = feed("follow", 17, "12:02", "gus", creator_id="mia")
    assert [(o.step, o.mission_id) for o in of(follow, JourneyStepCompleted)] == [
        (2, "journey_follow"),
        (3, "journey_share"),
    ]
    assert social(feed.engine).next_journey_step("gus", "live_journey") == (
        "journey_path_gifter",
        "journey_path_shopper",
    )
    shop = feed("link_click", 17, "12:03", "gus", creator_id="mia", product_id="lip_oil")
    assert [(o.mission_id, o.closed) for o in of(shop, JourneyStepCompleted)] == [
        ("journey_path_shopper", ("journey_path_gifter",))
    ]
    watched = feed("view", 17, "13:00", "gus", seconds=3600, **MIA1)
    assert of(watched, JourneyCompleted) == []  # the last step is claimed by hand, and counts when claimed
    finish = feed("claim", 17, "13:05", "gus", mission_id="journey_watch_hour")
    assert [o.path for o in of(finish, JourneyCompleted)] == [
        ("journey_say_hello", "journey_follow", "journey_share", "journey_path_shopper", "journey_watch_hour")
    ]
    assert [(o.badge_id, o.source) for o in of(finish, BadgeAwarded)] == [("live_journey", "live_journey")]
    assert [str(o.amount.amount) for o in of(finish, CreditGranted)] == ["3.00"]
    assert (200, "live_journey") in [(o.points, o.source) for o in of(finish, PointsAwarded)]
    progress = social(feed.engine).journey("gus", "live_journey")
    assert (progress.steps_done, progress.steps_total, progress.completed) == (5, 5, True)


def test_creator_points_double_in_the_utc_evening_and_rank_creators(fest: Fest) -> None:
    feed = Feed(fest)
    kai = {"creator_id": "kai", "stream_id": "kai-live-1"}
    doubled = feed("share", 18, "13:30", "zoe", **kai)  # 20:30 UTC
    plain = feed("share", 18, "17:00", "zoe", **kai)  # 00:00 UTC: the doubling ended at 23:59 UTC
    assert [(o.points, o.factor) for o in of([doubled, plain], CreatorPointsEarned)] == [(200, 2), (100, 1)]
    feed("like", 18, "17:01", "zoe", count=40, **MIA1)
    ranking = social(feed.engine).leaderboard("creator_points")
    assert [(e.entity_id, e.score) for e in ranking] == [("kai", 300), ("mia", 40)]
    today = social(feed.engine).leaderboard("creator_points_daily", day=date(2026, 6, 18))
    assert [e.entity_id for e in today] == ["kai", "mia"]
    position = social(feed.engine).leaderboard_position("creator_points", "mia")
    assert position is not None
    assert (position.rank, position.ranked) == (2, 2)
