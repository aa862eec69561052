"""Promotions' discounts: computed by the engine, checked against the purchase, paid from a budget (example 7)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from economy_fests import BASE, Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import BudgetExhausted, DiscountPaid, LedgerEntryPosted
from festengine.engine.core import Step

SPRING: dict[str, Any] = {
    "id": "spring_sale",
    "title": "Spring sale: 15% off from 20.00",
    "trigger": {"kind": "schedule", "starts_at": "2026-03-12T00:00:00Z", "ends_at": "2026-03-14T00:00:00Z"},
    "discount": {"percent": "15", "min_spend": "20.00", "cap_per_order": "6.00", "cap_per_viewer": "8.00"},
    "budget": "promo",
}
BUDGETS = [*BASE["economy"]["budgets"], {"id": "promo", "amount": "10.00"}]


def engine(*promotions: dict[str, Any]) -> Engine:
    return Engine(make_fest(economy__budgets=BUDGETS, promotions=list(promotions or [SPRING])))


def buy(feed: Feed, when: str, user: str, order: str, price: str, **fields: Any) -> Any:
    fields.setdefault("promotion_id", "spring_sale")
    return feed.purchase(when, user, order, price, **fields)


def refusal(e: Engine, event: Any) -> tuple[str, str]:
    """Apply a purchase that must be refused and change nothing; its code and reason."""
    before = e.snapshot()
    step = e.apply(event)
    assert step.rejected is not None
    assert e.snapshot() == before
    return step.rejected.code, step.rejected.reason


def paid(step: Step) -> list[Decimal]:
    return [o.amount.amount for o in step.of(DiscountPaid)]


def test_example_7_a_promotions_discount() -> None:
    feed, e = Feed(), engine()
    assert refusal(e, buy(feed, at(12), "u2", "o1", "15.00", discount="2.25")) == (
        "discount_mismatch",
        "purchase 'o1' says a discount of 2.25 USD, but promotion 'spring_sale' gives 0.00 USD "
        "(15.00 USD is below its minimum spend of 20.00)",
    )
    # the discount is decided by the buyer's facts alone (caps per order and per viewer), never by
    # what is left in the budget, which another key holds: u3 and u4 get their full 15%
    first, second, third = run(
        e,
        buy(feed, at(12, 12, 5), "u2", "o2", "12.99", quantity=2, discount="3.90"),
        buy(feed, at(12, 13), "u2", "o3", "50.00", discount="4.10"),
        buy(feed, at(12, 14), "u3", "o4", "30.00", discount="4.50"),
    )
    assert refusal(e, buy(feed, at(12, 15), "u4", "o5", "30.00")) == (
        "discount_mismatch",
        "purchase 'o5' says a discount of 0 USD, but promotion 'spring_sale' gives 4.50 USD (15% of 30.00)",
    )
    (fourth,) = run(e, buy(feed, at(12, 15, 1), "u4", "o5", "30.00", discount="4.50"))
    assert [paid(s) for s in (first, second, third, fourth)] == [
        [Decimal("3.90")],
        [Decimal("4.10")],
        [Decimal("4.50")],
        [Decimal("4.50")],
    ]
    # the budget pays what it has left and says it ran short; the platform pays the rest
    assert [(o.requested, o.granted, o.available) for o in third.of(BudgetExhausted)] == [
        (usd("4.50"), usd("2.00"), usd("2.00"))
    ]
    assert [(a, m.amount) for a, m in third.of(LedgerEntryPosted)[-1].entry.postings] == [
        ("budget:promo", Decimal("-2.00")),
        ("platform:promotions", Decimal("-2.50")),
        ("promotion:spring_sale:discounts", Decimal("4.50")),
    ]
    assert [(o.requested, o.granted, o.available) for o in fourth.of(BudgetExhausted)] == [
        (usd("4.50"), usd("0.00"), usd("0.00"))
    ]
    (discount,) = first.of(DiscountPaid)
    assert (discount.user_id, discount.order_id, discount.promotion_id, discount.budget_id) == (
        "u2",
        "o2",
        "spring_sale",
        "promo",
    )
    entry = first.of(LedgerEntryPosted)[-1].entry
    assert [(a, m.amount) for a, m in entry.postings] == [
        ("budget:promo", Decimal("-3.90")),
        ("promotion:spring_sale:discounts", Decimal("3.90")),
    ]
    code, _ = refusal(e, buy(feed, "2026-03-14T00:00:00Z", "u4", "o6", "30.00"))
    assert code == "promotion_not_active"
    assert e.budget_left("promo") == usd("0.00")
    assert e.balance("promotion:spring_sale:discounts") == usd("17.00")
    assert trial_balance_is_zero(e)


@pytest.mark.parametrize(
    ("price", "given", "expected", "how"),
    [
        ("50.00", "7.50", "6.00", "15% of 50.00, cut to its cap per order"),
        ("30.00", None, "4.50", "15% of 30.00"),
    ],
)
def test_a_discount_that_is_not_the_promotions_is_refused(
    price: str, given: str | None, expected: str, how: str
) -> None:
    feed, e = Feed(), engine()
    code, reason = refusal(e, buy(feed, at(12), "u1", "o1", price, discount=given))
    assert code == "discount_mismatch"
    assert reason == (
        f"purchase 'o1' says a discount of {given or 0} USD, but promotion 'spring_sale' gives {expected} USD ({how})"
    )


def test_the_per_viewer_cap_counts_only_that_viewers_discounts() -> None:
    feed, e = Feed(), engine()
    run(e, buy(feed, at(12), "u1", "o1", "40.00", discount="6.00"))
    code, reason = refusal(e, buy(feed, at(12, 13), "u1", "o2", "40.00", discount="6.00"))
    assert code == "discount_mismatch"
    assert "gives 2.00 USD (15% of 40.00, cut to what is left of its cap per viewer for 'u1')" in reason
    (other,) = run(e, buy(feed, at(12, 14), "u2", "o3", "20.00", discount="3.00"))
    assert paid(other) == [Decimal("3.00")]


def test_an_amount_off_is_per_unit_and_never_more_than_the_price() -> None:
    coupon = {
        "id": "coupon",
        "title": "2.00 off each",
        "trigger": {"kind": "schedule", "starts_at": "2026-03-12T00:00:00Z", "ends_at": "2026-03-14T00:00:00Z"},
        "discount": {"amount": "2.00"},
    }
    feed, e = Feed(), engine(coupon)
    three, cheap = run(
        e,
        buy(feed, at(12), "u1", "o1", "5.00", quantity=3, discount="6.00", promotion_id="coupon"),
        buy(feed, at(12, 13), "u1", "o2", "1.50", discount="1.50", promotion_id="coupon"),
    )
    assert (paid(three), paid(cheap)) == ([Decimal("6.00")], [Decimal("1.50")])
    # without a budget the discount is paid by the platform's promotions account
    assert three.of(DiscountPaid)[0].budget_id is None
    assert e.balance("promotion:coupon:discounts") == usd("7.50")
    assert trial_balance_is_zero(e)


def test_a_purchase_without_a_promotion_keeps_its_own_discount_unchecked() -> None:
    feed, e = Feed(), engine()
    (step,) = run(e, feed.purchase(at(12), "u1", "o1", "30.00", discount="9.99"))
    assert paid(step) == []


def test_discounts_given_survive_snapshot_and_restore() -> None:
    feed, e = Feed(), engine()
    run(e, buy(feed, at(12), "u1", "o1", "40.00", discount="6.00"))
    restored = Engine.restore(e.fest, e.snapshot())
    code, _ = refusal(restored, buy(feed, at(12, 13), "u1", "o2", "40.00", discount="6.00"))
    assert code == "discount_mismatch"
    (step,) = run(restored, buy(feed, at(12, 14), "u1", "o3", "40.00", discount="2.00"))
    assert paid(step) == [Decimal("2.00")]
    assert restored.snapshot() != e.snapshot()


@pytest.mark.parametrize(
    "number",
    ["3.897", "3.90", "7.50", "8.00 - 3.90 = 4.10", "the 2.00 it has left, the platform 2.50", "25.98", "17.00"],
)
def test_the_docs_show_the_numbers_of_example_7(number: str) -> None:
    assert number in (Path(__file__).resolve().parents[2] / "docs" / "economy.md").read_text(encoding="utf-8")
