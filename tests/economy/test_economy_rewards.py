"""Mission rewards paid by the economy: shopping credit from budgets, and commission boosts."""

from __future__ import annotations

from typing import Any

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import BudgetExhausted, CommissionAccrued, CommissionBoostGranted, CreditGranted


def liker(reward: dict[str, Any], mission_id: str = "like-3", repeat: int = 1) -> dict[str, Any]:
    """A mission: like 3 times, repeatable, with one reward."""
    return {
        "id": mission_id,
        "title": "Like three times",
        "counts": {"event": "like"},
        "target": 3,
        "repeat": repeat,
        "rewards": [reward],
    }


def likes(feed: Feed, user: str, times: int, day: int = 2) -> list[Any]:
    return [feed.event("like", at(day, 12, minute), user, creator_id="c1", stream_id="s1") for minute in range(times)]


def test_credit_reward_comes_out_of_its_budget() -> None:
    """Completing the mission moves 5.00 from budget:fest_rewards to the viewer's credits."""
    feed = Feed()
    engine = Engine(make_fest(missions=[liker({"credit": "5.00", "budget": "fest_rewards"})]))
    steps = run(engine, *likes(feed, "u1", 3))
    (granted,) = steps[-1].of(CreditGranted)
    assert (granted.user_id, granted.amount, granted.budget_id, granted.source) == (
        "u1",
        usd("5.00"),
        "fest_rewards",
        "like-3",
    )
    economy = engine.components["economy"]
    assert economy.balance("viewer:u1:credits") == usd("5.00")
    assert economy.budget_left("fest_rewards") == usd("95.00")
    entry = economy.entries("viewer:u1")[-1]
    assert (entry.id, entry.event_id, entry.rule_id) == (granted.entry_id, "e3", "like-3")
    assert trial_balance_is_zero(engine)


@pytest.mark.parametrize(
    ("budget", "grants", "exhausted"),
    [
        ("tiny", ["0.60"], [("0.60", "0.00", "0.40")]),
        ("small", ["0.60", "0.40"], [("0.60", "0.40", "0.40")]),
    ],
)
def test_a_reward_that_does_not_fit_is_not_granted(
    budget: str, grants: list[str], exhausted: list[tuple[str, str, str]]
) -> None:
    """Budget 1.00 and a 0.60 reward won twice: without partial grants the second gets nothing; with them, 0.40."""
    feed = Feed()
    engine = Engine(make_fest(missions=[liker({"credit": "0.60", "budget": budget}, repeat=2)]))
    steps = run(engine, *likes(feed, "u1", 6))
    assert [g.amount for s in steps for g in s.of(CreditGranted)] == [usd(a) for a in grants]
    short = [(b.requested, b.granted, b.available) for s in steps for b in s.of(BudgetExhausted)]
    assert short == [(usd(r), usd(g), usd(a)) for r, g, a in exhausted]
    economy = engine.components["economy"]
    assert economy.budget_left(budget).amount >= 0
    assert economy.balance("viewer:u1:credits") == sum((usd(a) for a in grants), usd("0"))


def test_commission_boost_applies_to_the_winner_as_a_creator_for_its_duration() -> None:
    """c1 completes a mission (as a viewer) worth +5% for 1 day: c1's orders in that day earn 15%, later 10%."""
    feed = Feed()
    engine = Engine(make_fest(missions=[liker({"commission_boost": "0.05", "duration": "1d"})]))
    steps = run(engine, *likes(feed, "c1", 3))
    (boost,) = steps[-1].of(CommissionBoostGranted)
    assert (boost.user_id, str(boost.rate), boost.source, boost.until.isoformat()) == (
        "c1",
        "0.05",
        "like-3",
        "2026-03-03T12:02:00+00:00",
    )
    boosted, other, later = run(
        engine,
        feed.purchase(at(2, 13), "u2", "o1", "100.00", creator_id="c1", stream_id="s1"),
        feed.purchase(at(2, 14), "u3", "o2", "100.00", creator_id="c2", stream_id="s2"),
        feed.purchase(at(3, 12, 2), "u2", "o3", "100.00", creator_id="c1", stream_id="s1"),
    )
    accrued = boosted.of(CommissionAccrued)[0]
    assert (str(accrued.rate), str(accrued.boost_rate), accrued.boost_sources, accrued.amount) == (
        "0.15",
        "0.05",
        ("like-3",),
        usd("15.00"),
    )
    assert other.of(CommissionAccrued)[0].amount == usd("10.00")
    assert later.of(CommissionAccrued)[0].amount == usd("10.00")
