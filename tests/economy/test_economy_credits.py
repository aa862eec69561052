"""Shopping credit lots: validity, lapses, redemption oldest expiry first, refunds; worked examples 4 to 6."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.credits import CreditLotView
from festengine.economy.outcomes import (
    CommissionAccrued,
    CommissionReversed,
    CreditGranted,
    CreditsExpired,
    CreditsReturned,
    CreditsSpent,
    LedgerEntryPosted,
)
from festengine.engine.core import Step

DOC = Path(__file__).resolve().parents[2] / "docs" / "economy.md"

BUDGETS: list[dict[str, Any]] = [
    {"id": "fest_rewards", "amount": "100.00", "valid_until": "2026-03-20T00:00:00Z", "lapsed_to": "expired"},
    {"id": "welcome", "amount": "20.00", "valid_for": "7d"},
    {"id": "small", "amount": "1.00", "allow_partial": True},
    {"id": "forever", "amount": "50.00"},
]
LIKER: dict[str, Any] = {
    "id": "like-3",
    "title": "Like three times",
    "counts": {"event": "like"},
    "target": 3,
    "rewards": [{"credit": "3.00", "budget": "welcome"}],
}


def engine() -> Engine:
    return Engine(make_fest(economy__budgets=BUDGETS, missions=[LIKER]))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def lots(e: Engine, user: str = "u1") -> list[tuple[str, str, str | None]]:
    """A viewer's lots as (amount, budget, expiry in ISO form)."""
    found: list[CreditLotView] = e.credits(user)
    return [
        (str(lot.amount.amount), lot.budget_id, None if lot.expires_at is None else lot.expires_at.isoformat())
        for lot in found
    ]


def postings(step: Step, index: int = -1) -> list[tuple[str, Decimal]]:
    entry = step.of(LedgerEntryPosted)[index].entry
    return [(account, money.amount) for account, money in entry.postings]


def credits_held(e: Engine, user: str = "u1") -> Decimal:
    return e.balance(f"viewer:{user}:credits").amount


def grant_both(feed: Feed, e: Engine) -> None:
    """3.00 from welcome (2 Mar 12:02, lapses 9 Mar 12:02) and 5.00 from fest_rewards (6 Mar, lapses 20 Mar)."""
    likes = [feed.event("like", at(2, 12, minute), "u1", creator_id="c1", stream_id="s1") for minute in range(3)]
    run(e, *likes, feed.gift(at(6), "u1", "c1", "lion"))


# --------------------------------------------------------------------------- worked examples


def test_example_4_redemption_oldest_expiry_first() -> None:
    feed, e = Feed(), engine()
    likes = [feed.event("like", at(2, 12, minute), "u1", creator_id="c1", stream_id="s1") for minute in range(3)]
    *_, third = run(e, *likes)
    (granted,) = third.of(CreditGranted)
    assert (granted.amount, granted.budget_id, granted.expires_at) == (
        usd("3.00"),
        "welcome",
        when("2026-03-09T12:02:00+00:00"),
    )
    (lion,) = run(e, feed.gift(at(6), "u1", "c1", "lion"))
    assert lion.of(CreditGranted)[0].expires_at == when("2026-03-20T00:00:00+00:00")
    assert lots(e) == [
        ("3.00", "welcome", "2026-03-09T12:02:00+00:00"),
        ("5.00", "fest_rewards", "2026-03-20T00:00:00+00:00"),
    ]
    _, bought = run(e, feed.click(at(7, 11), "u1", "c1"), feed.purchase(at(7), "u1", "o1", "10.00", credits="4.00"))
    assert lots(e) == [("4.00", "fest_rewards", "2026-03-20T00:00:00+00:00")]
    (spent,) = bought.of(CreditsSpent)
    assert (spent.order_id, spent.amount) == ("o1", usd("4.00"))
    # the buyer's key spends the credits first; the commission is accrued on the fest's key after it
    assert postings(bought, 0) == [
        ("viewer:u1:credits", Decimal("-4.00")),
        ("platform:credits_redeemed", Decimal("4.00")),
    ]
    accrued = bought.of(CommissionAccrued)[0]
    assert (accrued.base, accrued.amount) == (usd("10.00"), usd("1.00"))  # credits count in the base
    before = e.snapshot()
    refused = e.apply(feed.purchase(at(7, 12, 30), "u1", "o2", "10.00", credits="5.00"))
    assert refused.rejected is not None
    assert refused.rejected.code == "insufficient_credits"
    assert refused.rejected.reason == (
        "purchase 'o2' spends 5.00 USD of credit, but 'u1' holds 4.00 USD valid at 2026-03-07T12:30:00+00:00"
    )
    assert e.snapshot() == before
    assert trial_balance_is_zero(e)


def test_example_5_refunds_of_an_order_paid_with_credits() -> None:
    feed, e = Feed(), engine()
    grant_both(feed, e)
    run(e, feed.click(at(7, 11), "u1", "c1"), feed.purchase(at(7), "u1", "o1", "10.00", credits="4.00"))
    (first,) = run(e, feed.refund(at(8), "o1", "5.00"))
    (returned,) = first.of(CreditsReturned)
    assert (returned.amount, returned.to_wallet, returned.lapsed) == (usd("2.00"), usd("2.00"), usd("0.00"))
    assert first.of(CommissionReversed)[0].amount == usd("0.50")
    assert lots(e) == [
        ("1.00", "welcome", "2026-03-09T12:02:00+00:00"),
        ("5.00", "fest_rewards", "2026-03-20T00:00:00+00:00"),
    ]
    e.advance_to(when("2026-03-09T12:02:00+00:00"))
    (second,) = run(e, feed.refund(at(10), "o1", "5.00"))
    (returned,) = second.of(CreditsReturned)
    assert (returned.amount, returned.to_wallet, returned.lapsed) == (usd("2.00"), usd("0.00"), usd("2.00"))
    # the viewer's key gives the lapsed part to transit:credits; the fest's key takes it into the budget
    assert postings(second, 0) == [
        ("platform:credits_redeemed", Decimal("-2.00")),
        ("transit:credits", Decimal("2.00")),
    ]
    assert postings(second, -1) == [("transit:credits", Decimal("-2.00")), ("budget:welcome", Decimal("2.00"))]
    assert e.balance("transit:credits") == usd("0.00")
    assert lots(e) == [("5.00", "fest_rewards", "2026-03-20T00:00:00+00:00")]
    assert trial_balance_is_zero(e)


def test_example_6_credits_that_lapse() -> None:
    feed, e = Feed(), engine()
    grant_both(feed, e)
    run(e, feed.purchase(at(7), "u1", "o1", "10.00", credits="4.00"), feed.refund(at(8), "o1", "5.00"))
    lapse = e.advance_to(when("2026-03-09T12:02:00+00:00"))
    (expired,) = lapse.of(CreditsExpired)
    assert (expired.amount, expired.budget_id, expired.lapsed_to, expired.expired_at) == (
        usd("1.00"),
        "welcome",
        "budget:welcome",
        when("2026-03-09T12:02:00+00:00"),
    )
    assert postings(lapse, 0) == [("viewer:u1:credits", Decimal("-1.00")), ("transit:credits", Decimal("1.00"))]
    assert postings(lapse, 1) == [("transit:credits", Decimal("-1.00")), ("budget:welcome", Decimal("1.00"))]
    run(e, feed.refund(at(10), "o1", "5.00"))
    last = e.advance_to(when("2026-03-20T00:00:00+00:00"))
    assert [(o.amount, o.lapsed_to) for o in last.of(CreditsExpired)] == [(usd("5.00"), "expired_credits")]
    assert lots(e) == []
    assert credits_held(e) == 0
    assert e.budget_left("welcome") == usd("20.00")
    assert e.balance("expired_credits") == usd("5.00")
    assert e.balance("platform:credits_redeemed") == usd("0.00")
    assert trial_balance_is_zero(e)


@pytest.mark.parametrize(
    "number",
    ["3.00", "5.00", "4.00", "6.00", "10.00", "1.00", "2.00", "0.50", "20.00", "9 Mar 12:02", "20 Mar 00:00"],
)
def test_the_docs_show_the_numbers_of_the_credit_examples(number: str) -> None:
    assert number in DOC.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- rules


def test_a_credit_without_validity_never_lapses_and_is_spent_last() -> None:
    feed = Feed()
    liker = {**LIKER, "rewards": [{"credit": "2.00", "budget": "forever"}, {"credit": "3.00", "budget": "welcome"}]}
    e = Engine(make_fest(economy__budgets=BUDGETS, missions=[liker]))
    run(e, *[feed.event("like", at(2, 12, m), "u1", creator_id="c1", stream_id="s1") for m in range(3)])
    assert lots(e) == [("3.00", "welcome", "2026-03-09T12:02:00+00:00"), ("2.00", "forever", None)]
    run(e, feed.purchase(at(3), "u1", "o1", "10.00", credits="4.00"))
    assert lots(e) == [("1.00", "forever", None)]
    assert not e.advance_to(when("2026-03-31T00:00:00+00:00")).of(CreditsExpired)
    assert credits_held(e) == Decimal("1.00")


def test_lots_with_the_same_expiry_are_spent_in_the_order_granted() -> None:
    feed = Feed()
    budgets = [
        {"id": "b1", "amount": "10.00", "valid_until": "2026-03-20T00:00:00Z"},
        {"id": "b2", "amount": "10.00", "valid_until": "2026-03-20T00:00:00Z"},
    ]
    liker = {**LIKER, "rewards": [{"credit": "2.00", "budget": "b2"}, {"credit": "2.00", "budget": "b1"}]}
    e = Engine(make_fest(economy__budgets=budgets, missions=[liker]))
    run(e, *[feed.event("like", at(2, 12, m), "u1", creator_id="c1", stream_id="s1") for m in range(3)])
    run(e, feed.purchase(at(3), "u1", "o1", "10.00", credits="3.00"))
    assert lots(e) == [("1.00", "b1", "2026-03-20T00:00:00+00:00")]


def test_grants_from_one_budget_with_one_expiry_add_to_one_lot() -> None:
    feed, e = Feed(), engine()
    run(e, feed.gift(at(6), "u1", "c1", "concert"), feed.gift(at(6, 13), "u1", "c1", "concert"))
    assert lots(e) == [("1.44", "fest_rewards", "2026-03-20T00:00:00+00:00")]


def test_a_credit_granted_after_its_budgets_valid_until_lapses_at_once() -> None:
    feed = Feed()
    budgets = [{**BUDGETS[0], "valid_until": "2026-03-03T00:00:00Z"}]
    liker = {**LIKER, "rewards": [{"credit": "3.00", "budget": "fest_rewards"}]}
    e = Engine(make_fest(economy__budgets=budgets, economy__conversions=[], missions=[liker]))
    *_, third = run(e, *[feed.event("like", at(4, 12, m), "u1", creator_id="c1", stream_id="s1") for m in range(3)])
    assert [type(o).__name__ for o in third.outcomes][-3:] == ["CreditGranted", "LedgerEntryPosted", "CreditsExpired"]
    assert credits_held(e) == 0
    assert e.balance("expired_credits") == usd("3.00")


def test_a_purchase_cannot_spend_credit_that_lapses_at_its_time() -> None:
    feed, e = Feed(), engine()
    grant_both(feed, e)
    before = e.snapshot()
    step = e.apply(feed.purchase("2026-03-20T00:00:00Z", "u1", "o1", "10.00", credits="1.00"))
    assert step.rejected is not None
    assert step.rejected.code == "insufficient_credits"
    assert "holds 0.00 USD valid at 2026-03-20T00:00:00+00:00" in step.rejected.reason
    assert e.snapshot() == before


def test_a_viewer_without_credit_cannot_spend_any() -> None:
    feed, e = Feed(), engine()
    before = e.snapshot()
    step = e.apply(feed.purchase(at(3), "u9", "o1", "10.00", credits="0.01"))
    assert step.rejected is not None
    assert step.rejected.code == "insufficient_credits"
    assert e.snapshot() == before


@pytest.mark.parametrize(("fields", "reason"), [
    ({"credits": "0.001"}, "purchase 'o1': credits 0.001 USD is finer than the currency's smallest unit; write it on "
                           "that grid, e.g. 0.00"),
    ({"discount": "0.005"}, "purchase 'o1': discount 0.005 USD is finer than the currency's smallest unit; write it "
                            "on that grid, e.g. 0.00"),
])  # fmt: skip
def test_credits_and_discounts_finer_than_the_currencys_unit_are_refused(fields: dict[str, str], reason: str) -> None:
    """Money moved between accounts stays on the currency's grid: 0.001 USD of credit is refused, not spent."""
    feed, e = Feed(), engine()
    grant_both(feed, e)
    before = e.snapshot()
    step = e.apply(feed.purchase(at(7), "u1", "o1", "10.00", **fields))
    assert step.rejected is not None
    assert (step.rejected.code, step.rejected.reason) == ("invalid_amount", reason)
    assert e.snapshot() == before


def test_credits_zero_spends_nothing() -> None:
    feed, e = Feed(), engine()
    (step,) = run(e, feed.purchase(at(3), "u1", "o1", "10.00", credits="0.00"))
    assert step.of(CreditsSpent) == []


def test_a_refund_gives_back_credits_in_proportion_rounded_and_the_rest_on_the_last() -> None:
    """3 refunds of 3.33, 3.33, 3.34 of a 10.00 order with 1.00 of credits: 0.33, 0.33, then the rest 0.34."""
    feed, e = Feed(), engine()
    grant_both(feed, e)
    run(e, feed.purchase(at(7), "u1", "o1", "10.00", credits="1.00"))
    backs = [
        run(e, feed.refund(at(8, hour), "o1", amount))[0].of(CreditsReturned)[0].amount.amount
        for hour, amount in ((10, "3.33"), (11, "3.33"), (12, "3.34"))
    ]
    assert backs == [Decimal("0.33"), Decimal("0.33"), Decimal("0.34")]
    assert credits_held(e) == Decimal("8.00")
    assert e.balance("platform:credits_redeemed") == usd("0.00")
    assert trial_balance_is_zero(e)


def test_a_refund_of_an_order_paid_in_money_gives_no_credit() -> None:
    feed, e = Feed(), engine()
    run(e, feed.purchase(at(7), "u1", "o1", "10.00"))
    (step,) = run(e, feed.refund(at(8), "o1", "10.00"))
    assert step.of(CreditsReturned) == []


def test_credits_beyond_the_price_are_refused_when_the_event_is_read() -> None:
    from festengine.errors import EventParseError

    with pytest.raises(EventParseError, match="credits: is larger than price \\* quantity - discount"):
        Feed().purchase(at(7), "u1", "o1", "10.00", discount="1.00", credits="9.01")


def test_lots_lapses_and_spent_orders_survive_snapshot_and_restore() -> None:
    feed = Feed()
    whole, first = engine(), engine()
    grant_both(feed, whole)
    events = [
        feed.purchase(at(7), "u1", "o1", "10.00", credits="4.00"),
        feed.refund(at(8), "o1", "5.00"),
        feed.event("like", at(12), "u2", creator_id="c1", stream_id="s1"),
        feed.refund(at(12, 13), "o1", "5.00"),
        feed.event("like", at(21), "u2", creator_id="c1", stream_id="s1"),
    ]
    feed2 = Feed()
    grant_both(feed2, first)
    run(first, *events[:2])
    restored = Engine.restore(first.fest, first.snapshot())
    assert restored.credits("u1") == first.credits("u1")
    rest_whole = run(whole, *events)[2:]
    rest_restored = run(restored, *events[2:])
    assert [s.outcomes for s in rest_whole] == [s.outcomes for s in rest_restored]
    assert whole.snapshot() == restored.snapshot()
    assert datetime(2026, 3, 20, tzinfo=UTC) in [o.expired_at for s in rest_whole for o in s.of(CreditsExpired)]
