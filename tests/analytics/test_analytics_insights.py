"""The outcome tally: mission and journey funnels, Fan Club levels, credits against budgets, commission."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from analytics_fests import at, ev, fold, make_fest
from test_analytics_dashboard import hand_stream

from festengine.analytics import OutcomeTally
from festengine.engine.core import Step
from festengine.engine.outcomes import MissionCompleted, Outcome


def test_mission_funnel_counts_subjects_completions_and_claims() -> None:
    insights = fold(make_fest(), hand_stream()).insights
    rows = {m.mission_id: (m.progressed, m.completed, m.completions, m.claimed) for m in insights.missions}
    assert rows == {
        "chat_twice": (1, 1, 1, 1),
        "hello": (1, 1, 1, 1),
        "follow_one": (1, 1, 1, 1),
        "watch_long": (3, 0, 0, 0),  # u1, u2, u3 watched; nobody reached 100,000 seconds
    }


def test_journey_funnel_from_journey_outcomes() -> None:
    """u1 says hello (step 1); u3 follows but never said hello, so the journey does not count it."""
    (journey,) = fold(make_fest(), hand_stream()).insights.journeys
    assert (journey.journey_id, journey.started, journey.steps, journey.finished, journey.derived) == (
        "trip",
        1,
        (("hello", 1), ("follow_one", 0)),
        0,
        False,
    )


def test_journey_funnel_is_derived_from_mission_completions_without_journey_outcomes() -> None:
    """Without journey outcomes, step n counts subjects who completed steps 1..n's missions."""
    fest = make_fest()
    tally = OutcomeTally(fest)
    for user, mission in (("u1", "hello"), ("u2", "hello"), ("u1", "follow_one"), ("u3", "follow_one")):
        tally.observe(Step("e", (MissionCompleted("e", user, mission, "fest", 1, None),)), 0.0)
    (journey,) = tally.result().journeys
    assert (journey.steps, journey.finished, journey.derived) == ((("hello", 2), ("follow_one", 1)), 1, True)


def test_fan_club_levels_are_each_members_latest_level() -> None:
    """u1 joins c1 and reaches level 2 by two comments (5 points each); u2 and u3 stay at level 1."""
    events = [
        *hand_stream(),
        ev("comment", at(2, "19:00"), "u1", text="a"),
        ev("gift", at(2, "19:01"), "u1", gift_id="heart_me"),
        ev("comment", at(2, "19:02"), "u1", text="b"),
        ev("comment", at(2, "19:03"), "u1", text="c"),
    ]
    fan_club = fold(make_fest(), events).insights.fan_club
    assert fan_club is not None
    assert (fan_club.members, fan_club.levels, fan_club.joins) == (3, ((1, 2), (2, 1)), 3)


def test_a_pack_without_fan_club_gives_a_note_not_a_crash() -> None:
    insights = fold(make_fest(fan_club=None), hand_stream()).insights
    assert insights.fan_club is None
    assert any(note.startswith("fan_club:") for note in insights.notes)


def test_credits_are_tallied_per_budget_and_day_against_its_size() -> None:
    """10% of each gift's value goes to the sender as credit: u1's 3 roses (0.03) round to 0.00,
    u2's concert (5.00) gives 0.50 and the heart (0.01) nothing."""
    (pool,) = fold(make_fest(), hand_stream()).insights.credits
    assert (pool.budget_id, pool.size, pool.granted, pool.grants) == ("pool", Decimal("50.00"), Decimal("0.50"), 1)
    assert pool.by_day == (("2026-06-01", Decimal("0.50"), Decimal("0.50")),)


def test_commission_pending_settled_and_reversed() -> None:
    """o1 earns 10% of 35.00 = 3.50; the 10.00 refund takes back 1.00 while pending; nothing settles."""
    commission = fold(make_fest(), hand_stream()).insights.commission
    assert commission is not None
    assert (commission.accrued, commission.settled, commission.reversed, commission.pending) == (
        Decimal("3.50"),
        Decimal(0),
        Decimal("1.00"),
        Decimal("2.50"),
    )
    assert commission.by_day == (
        ("2026-06-01", Decimal("3.50"), Decimal(0), Decimal(0)),
        ("2026-06-02", Decimal(0), Decimal(0), Decimal("1.00")),
    )


def test_unknown_and_future_outcome_kinds_are_counted_and_otherwise_ignored() -> None:
    """Outcomes are recognised by kind; a kind the tally does not know only shows in outcome_counts."""

    class SomethingNew(Outcome):
        kind = "something_new"

    tally = OutcomeTally(make_fest())
    tally.observe(Step("e", (SomethingNew("e"),)), datetime(2026, 6, 2, tzinfo=UTC).timestamp())
    assert tally.result().outcome_counts == (("something_new", 1),)


def test_community_goals_count_rounds_communities_and_contributors() -> None:
    """A creator goal of 3 comments: c1's community reaches it (u1 twice, u2 once; both rewarded), c2's
    gets one comment and expires when the fest closes. The funnel counts communities, rounds and
    contributors, not zero completions."""
    from copy import deepcopy

    from analytics_fests import BASE

    from festengine.analytics import FestAnalytics
    from festengine.assembly import Engine

    goal = {"id": "club_chat", "title": "Club chat", "subject": "creator", "counts": {"event": "comment"},
            "target": 3, "rewards": [{"points": 5}], "community": {"min_contribution": 1}}  # fmt: skip
    fest = make_fest(missions=[*deepcopy(BASE["missions"]), goal])
    events = [
        ev("comment", at(1, "19:00"), "u1", text="a"),
        ev("comment", at(1, "19:01"), "u2", text="b"),
        ev("comment", at(1, "19:02"), "u1", text="c"),
        ev("comment", at(1, "19:03"), "u3", text="d", creator_id="c2", stream_id="s2"),
    ]
    engine, analytics = Engine(fest), FestAnalytics(fest)
    for event in events:
        analytics.observe(event, engine.apply(event))
    closing = fest.ends_at + fest.allowed_lateness
    analytics.observe_advance(engine.advance_to(closing), closing)
    insights = analytics.finish().insights
    row = next(m for m in insights.missions if m.mission_id == "club_chat")
    assert (row.subject, row.progressed, row.completed, row.completions, row.expired) == ("creator", 2, 1, 1, 1)
    assert (row.contributors, row.rewarded, row.claimed) == (3, 2, 0)
    assert dict(insights.outcome_counts)["community_goal_completed"] == row.completions


def test_journey_steps_in_order_versus_step_missions_in_any_order() -> None:
    """u3 follows without saying hello: follow_one has 1 viewer who completed it, and the journey's
    step 2 none, because a step counts only once the steps before it are done."""
    (journey,) = fold(make_fest(), hand_stream()).insights.journeys
    assert journey.steps == (("hello", 1), ("follow_one", 0))
    assert journey.step_missions == (1, 1)
