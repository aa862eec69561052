"""Properties of the social layer on generated feeds: contributions add up, pausing keeps points,
leaderboards are the same on replay and however the feed is cut into batches."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from social_fests import BASE, make_fest, mission, social

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.events import Event, parse_event
from festengine.social import (
    CommunityProgressed,
    FanClubMemberPaused,
    FanClubPointsEarned,
    LeaderboardEntry,
    LeaderboardPosition,
)

COINS = {"kind": "sum", "field": "coins"}
MISSIONS = (
    mission("rush", "gift", 600, subject="stream", measure=COINS, window={"kind": "stream"}, repeat=3,
            rewards=[{"points": 5}, {"fan_club_points": 3}],
            community={"levels": [{"target": 100, "extend_by": "2m"}, {"target": 300, "extend_by": "2m"}],
                       "cooldown": "2m", "min_contribution": 5}),
    mission("chat", "comment", 4, subject="creator", window={"kind": "daily"}, repeat=2, rewards=[{"points": 1}]),
    mission("crowd", "like", 3, subject="creator", measure={"kind": "distinct", "field": "user_id"},
            window={"kind": "weekly"}),
    mission("taps", "like", 200, subject="stream", window={"kind": "fest"},
            community={"levels": [{"target": 50, "extend_by": "1h"}]}),
    mission("share", "share", 1, repeat=3, rewards=[{"fan_club_points": 4}, {"points": 2}]),
)  # fmt: skip
FEST: Fest = make_fest(*MISSIONS)
#: members pause after one day without points, so generated feeds pause and resume them often
QUICK_PAUSE: Fest = make_fest(*MISSIONS, fan_club={**BASE["fan_club"], "pause_after_days": 1})

START = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
USERS = ("u1", "u2", "u3")
CREATORS = ("c1", "c2")
STREAMS = ("s1", "s2", "s3")
GAPS = (0, 1, 30, 120, 600, 3_600, 21_600, 86_400, 3 * 86_400)
KINDS = ("gift", "gift", "like", "comment", "view", "share", "fan_club_join", "stream_started", "stream_ended",
         "purchase")  # fmt: skip
GIFTS = ("rose", "heart_me", "panda", "concert")


@st.composite
def feeds(draw: st.DrawFn) -> list[Event]:
    """Time-ordered events (a few up to the lateness late) of three viewers in two creators' LIVEs."""
    moment = START
    events: list[Event] = []
    for index in range(draw(st.integers(min_value=1, max_value=60))):
        moment += timedelta(seconds=draw(st.sampled_from(GAPS)))
        when = moment - timedelta(seconds=draw(st.sampled_from((0, 0, 0, 300))))
        kind = draw(st.sampled_from(KINDS))
        stream = draw(st.sampled_from(STREAMS))
        creator = "c1" if stream != "s3" else "c2"
        user = creator if kind.startswith("stream") else draw(st.sampled_from(USERS))
        data: dict[str, Any] = {"event_id": f"e{index}", "type": kind, "user_id": user, "creator_id": creator,
                                "occurred_at": when.isoformat().replace("+00:00", "Z")}  # fmt: skip
        if kind not in ("fan_club_join", "purchase"):
            data["stream_id"] = stream
        if kind == "gift":
            data.update(gift_id=draw(st.sampled_from(GIFTS)), count=draw(st.integers(1, 3)))
        elif kind == "like":
            data["count"] = draw(st.integers(1, 50))
        elif kind == "comment":
            data["text"] = "hi"
        elif kind == "view":
            data["seconds"] = draw(st.integers(1, 600))
        elif kind == "purchase":
            data.update(order_id=f"o{index}", product_id="p1", price=f"{draw(st.integers(1, 99))}.00", currency="USD")
        events.append(parse_event(data))
    return events


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def apply_all(engine: Engine, events: list[Event]) -> list[Step]:
    return [engine.apply(event) for event in events]


def boards(engine: Engine) -> dict[tuple[str, str | None, date | None], Any]:
    """Every ranking of every board (all scopes and fest days), with each viewer's and creator's position."""
    days = [date(2026, 6, 1) + timedelta(days=n) for n in range(21)]
    found: dict[tuple[str, str | None, date | None], Any] = {}
    for board in FEST.leaderboards.values():
        scopes: tuple[str | None, ...] = {"fest": (None,), "creator": CREATORS, "stream": STREAMS}[board.scope]
        for scope in scopes:
            for day in days if board.period == "daily" else [None]:
                entries: list[LeaderboardEntry] = social(engine).leaderboard(board.id, scope, day)
                positions: list[LeaderboardPosition | None] = [
                    social(engine).leaderboard_position(board.id, who, scope, day) for who in USERS + CREATORS
                ]
                if entries:
                    found[(board.id, scope, day)] = (entries, positions)
    return found


@SETTINGS
@given(feeds())
def test_contributions_add_up_to_the_community_total(events: list[Event]) -> None:
    engine = Engine(FEST)
    rounds: dict[tuple[str, str, str, int], Any] = defaultdict(int)
    mine: dict[tuple[str, str, str, int, str], Any] = defaultdict(int)
    for step in apply_all(engine, events):
        for outcome in step.outcomes:
            if isinstance(outcome, CommunityProgressed):
                key = (outcome.mission_id, outcome.subject, outcome.window, outcome.round)
                rounds[key] += outcome.amount
                mine[(*key, outcome.user_id)] += outcome.amount
                assert rounds[key] == outcome.total
                assert mine[(*key, outcome.user_id)] == outcome.contribution
    community = social(engine).community
    for goal in social(engine).community_goals():
        contributions = community.contributions(goal.mission_id, goal.subject, goal.window)
        if community._goals[(goal.mission_id, goal.subject, goal.window)].closed:
            # a closed goal keeps only the contributions its status ranks, and how many there were
            assert {c.user_id: c.contribution for c in goal.top_contributors} == contributions
            assert len(contributions) <= goal.contributors
        else:
            assert sum(contributions.values()) == goal.total
            assert len(contributions) == goal.contributors


@SETTINGS
@given(feeds())
def test_a_paused_members_points_are_kept(events: list[Event]) -> None:
    engine = Engine(QUICK_PAUSE)
    totals: dict[tuple[str, str], Any] = defaultdict(int)
    for step in apply_all(engine, events):
        for outcome in step.outcomes:
            key = (getattr(outcome, "user_id", ""), getattr(outcome, "creator_id", ""))
            if isinstance(outcome, FanClubPointsEarned):
                assert outcome.total == totals[key] + outcome.points
                totals[key] = outcome.total
            elif isinstance(outcome, FanClubMemberPaused):
                assert outcome.points == totals[key]
    for user in USERS:
        for membership in social(engine).fan_club_memberships(user):
            assert membership.points == totals[(user, membership.creator_id)]


@SETTINGS
@given(feeds(), st.lists(st.integers(min_value=0, max_value=60), max_size=3))
def test_leaderboards_are_identical_on_replay_and_however_the_feed_is_batched(
    events: list[Event], cuts: list[int]
) -> None:
    whole = Engine(FEST)
    steps = apply_all(whole, events)
    replay = Engine(FEST)
    assert [s.outcomes for s in apply_all(replay, events)] == [s.outcomes for s in steps]
    expected = boards(whole)
    assert boards(replay) == expected
    batched = Engine(FEST)
    outcomes: list[Any] = []
    done = 0
    for cut in sorted({min(c, len(events)) for c in cuts}):
        outcomes += [s.outcomes for s in apply_all(batched, events[done:cut])]
        batched = Engine.restore(FEST, batched.snapshot())
        done = cut
    outcomes += [s.outcomes for s in apply_all(batched, events[done:])]
    assert outcomes == [s.outcomes for s in steps]
    assert boards(batched) == expected
    assert batched.snapshot() == whole.snapshot()
