"""Affiliate commission: attribution, the first matching rule, tiers, bonus windows, boosts, settlement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import (
    CommissionAccrued,
    CommissionSettled,
    LedgerEntryPosted,
    OrderDelivered,
    OrderRecorded,
)
from festengine.engine.core import Step
from festengine.events import Event


def recorded(step: Step) -> OrderRecorded:
    (order,) = step.of(OrderRecorded)
    return order


def test_base_is_the_price_paid_without_tax_and_shipping() -> None:
    """2 x 30.00 - 5.00 coupon = 55.00 (tax 4.40 and shipping 3.99 excluded); 10% = 5.50 pending."""
    feed = Feed()
    engine = Engine(make_fest())
    _, step = run(
        engine,
        feed.click(at(2), "u2", "c1"),
        feed.purchase(at(2, 13), "u2", "o1", "30.00", quantity=2, discount="5.00", tax="4.40", shipping="3.99"),
    )
    (accrued,) = step.of(CommissionAccrued)
    assert (accrued.base, str(accrued.rate), accrued.amount, accrued.rule_id) == (
        usd("55.00"),
        "0.10",
        usd("5.50"),
        "open-tiered",
    )
    assert accrued.rate == accrued.base_rate
    economy = engine.components["economy"]
    assert economy.balance("creator:c1:commission_pending") == usd("5.50")
    assert economy.balance("platform:commission_expense") == usd("-5.50")
    assert economy.order_status("o1") == "pending"
    assert trial_balance_is_zero(engine)


def _stream_feed(feed: Feed, until: str) -> list[Event]:
    """Stream s1 of c1 from 18:00 to 19:00 on 3 March, as far as the feed has got by ``until``."""
    events = [feed.stream(at(3, 18), "c1", "s1")]
    if until >= at(3, 19):
        events.append(feed.stream(at(3, 19), "c1", "s1", started=False))
    return events


@pytest.mark.parametrize(
    ("purchase", "expected"),
    [
        ({"when": at(3, 18, 30), "stream_id": "s1"}, ("c1", "in_stream", "s1")),
        ({"when": at(3, 18, 30), "creator_id": "c1"}, ("c1", "in_stream", "s1")),
        ({"when": at(3, 19, 30), "stream_id": "s1"}, ("c1", "in_stream", "s1")),
        ({"when": at(3, 19, 31), "stream_id": "s1"}, ("c2", "last_click", "e1")),
        ({"when": at(3, 19, 31), "creator_id": "c1"}, ("c2", "last_click", "e1")),
        ({"when": at(3, 19, 31), "stream_id": "s7", "creator_id": "c7"}, ("c7", "in_stream", "s7")),
        ({"when": at(3, 19, 31), "stream_id": "s7"}, ("c2", "last_click", "e1")),
        ({"when": at(3, 19, 31)}, ("c2", "last_click", "e1")),
    ],
)
def test_attribution_table(purchase: dict[str, Any], expected: tuple[str, str, str]) -> None:
    """In a live stream (or up to 30 minutes after it ended) beats the viewer's last link click."""
    feed = Feed()
    engine = Engine(make_fest())
    when = purchase.pop("when")
    run(engine, feed.click(at(3, 12), "u2", "c2"), *_stream_feed(feed, when))
    (step,) = run(engine, feed.purchase(when, "u2", "o1", "10.00", **purchase))
    order = recorded(step)
    assert (order.creator_id, order.attribution, order.attribution_source) == expected
    assert step.of(CommissionAccrued)[0].creator_id == expected[0]


@pytest.mark.parametrize(
    ("clicks", "purchase_at", "expected"),
    [
        ([("c1", at(2))], at(16), "c1"),
        ([("c1", at(2))], at(16, 12, 1), None),
        ([("c1", at(2)), ("c2", at(3))], at(4), "c2"),
        ([("c1", at(3)), ("c2", at(3, 12, 5))], at(3, 12, 2), None),
        ([], at(4), None),
    ],
)
def test_last_click_within_the_attribution_window(
    clicks: list[tuple[str, str]], purchase_at: str, expected: str | None
) -> None:
    """The newest click counts if it is at most 14 days old (and not after the purchase)."""
    feed = Feed()
    engine = Engine(make_fest())
    for creator, when in clicks:
        run(engine, feed.click(when, "u2", creator))
    (step,) = run(engine, feed.purchase(purchase_at, "u2", "o1", "10.00"))
    order = recorded(step)
    assert order.creator_id == expected
    if expected is None:
        assert order.no_commission is not None
        assert order.no_commission.startswith("not attributed")
        assert step.of(CommissionAccrued) == []
        assert engine.components["economy"].order_status("o1") == "ineligible"


@pytest.mark.parametrize(
    ("fields", "rule", "rate", "amount"),
    [
        ({"product_id": "p-lipstick"}, "lipstick-star", "0.20", "20.00"),
        ({"seller_id": "s9", "channel": "live"}, "seller-s9", "0.30", "30.00"),
        ({"seller_id": "s9", "channel": "video"}, "open-tiered", "0.10", "10.00"),
        ({"seller_id": "s1", "channel": "live"}, "open-tiered", "0.10", "10.00"),
    ],
)
def test_first_matching_rule_targeted_before_open(fields: dict[str, str], rule: str, rate: str, amount: str) -> None:
    """Targeted rules (every non-empty list must match) win over the open rule written before them."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(2), "u2", "c1"))
    (step,) = run(engine, feed.purchase(at(2, 13), "u2", "o1", "100.00", **fields))
    (accrued,) = step.of(CommissionAccrued)
    assert (accrued.rule_id, str(accrued.rate), accrued.amount) == (rule, rate, usd(amount))


def test_no_matching_rule_means_no_commission() -> None:
    """A fest without commission rules records the order and says why nothing accrued."""
    feed = Feed()
    engine = Engine(make_fest(commission__rules=[]))
    _, step = run(engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "10.00"))
    assert recorded(step).no_commission == "no commission rule matches the purchase"
    assert step.of(LedgerEntryPosted) == []


def test_commission_that_rounds_to_zero_is_not_accrued() -> None:
    """10% of 0.04 is 0.004, which rounds to 0.00: nothing to accrue."""
    feed = Feed()
    engine = Engine(make_fest())
    _, step = run(engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "0.04"))
    assert recorded(step).no_commission == "commission rounds to zero (base 0.04, rate 0.10)"


def test_bonus_window_adds_for_its_categories_only() -> None:
    """In the beauty weekend, beauty earns 10% + 2%; other categories earn 10%."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(21), "u2", "c1"))
    beauty, toys = run(
        engine,
        feed.purchase(at(21, 13), "u2", "o1", "40.00", category="beauty"),
        feed.purchase(at(21, 14), "u2", "o2", "40.00", category="toys"),
    )
    accrued = beauty.of(CommissionAccrued)[0]
    assert (str(accrued.rate), str(accrued.bonus_rate), accrued.bonus_ids, accrued.amount) == (
        "0.12",
        "0.02",
        ("beauty-weekend",),
        usd("4.80"),
    )
    assert toys.of(CommissionAccrued)[0].amount == usd("4.00")


def _settle_one(feed: Feed, order: str, price: str, day: int) -> list[Event]:
    return [
        feed.purchase(at(day, 13), "u2", order, price),
        feed.delivery(at(day + 1), order),
    ]


def test_tiers_follow_the_creators_settled_volume() -> None:
    """Volume 0 -> 10%; once 120.00 has settled, 12%; pending volume does not count."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(2), "u2", "c1"), *_settle_one(feed, "o1", "120.00", 2))
    (pending,) = run(engine, feed.purchase(at(9, 11), "u2", "o2", "10.00"))
    assert str(pending.of(CommissionAccrued)[0].rate) == "0.10"
    settling, after = run(engine, feed.click(at(10, 12), "u2", "c1"), feed.purchase(at(10, 13), "u2", "o3", "10.00"))
    (settled,) = settling.of(CommissionSettled)
    assert (settled.order_id, settled.amount, settled.volume) == ("o1", usd("12.00"), usd("120.00"))
    accrued = after.of(CommissionAccrued)[0]
    assert (str(accrued.rate), accrued.tier_from, accrued.amount) == ("0.12", 100, usd("1.20"))


def test_settlement_waits_for_delivery_plus_the_settlement_days() -> None:
    """Delivered 3 March 12:00, settled when the clock reaches 10 March 12:00 (by an event or advance_to)."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "55.00"))
    (delivered,) = run(engine, feed.delivery(at(3), "o1"))
    assert delivered.of(OrderDelivered)[0].settles_at == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert engine.advance_to(datetime(2026, 3, 10, 11, 59, tzinfo=UTC)).outcomes == ()
    step = engine.advance_to(datetime(2026, 3, 10, 12, tzinfo=UTC))
    (settled,) = step.of(CommissionSettled)
    assert (settled.event_id, settled.amount) == (None, usd("5.50"))
    entry = step.of(LedgerEntryPosted)[0].entry
    assert entry.at == datetime(2026, 3, 10, 12, tzinfo=UTC)
    economy = engine.components["economy"]
    assert economy.payable("c1") == usd("5.50")
    assert economy.balance("creator:c1:commission_pending") == usd("0.00")
    assert economy.order_status("o1") == "settled"
    assert economy.settled_volume("c1") == usd("55.00")


def test_an_event_moving_the_clock_settles_first() -> None:
    """The event that passes the due time carries the settlement, which is dated at the due time."""
    feed = Feed()
    engine = Engine(make_fest())
    run(
        engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "55.00"), feed.delivery(at(3), "o1")
    )
    (step,) = run(engine, feed.click(at(12), "u9", "c1"))
    (settled,) = step.of(CommissionSettled)
    assert settled.event_id == "e4"
    assert step.of(LedgerEntryPosted)[0].entry.at == datetime(2026, 3, 10, 12, tzinfo=UTC)


def test_undelivered_orders_never_settle() -> None:
    """Without a delivery event the commission stays pending."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "55.00"))
    assert engine.advance_to(datetime(2026, 3, 31, tzinfo=UTC)).outcomes == ()
    assert engine.components["economy"].order_status("o1") == "pending"


def test_zero_settlement_days_settle_on_delivery() -> None:
    """settlement_days: 0 settles in the delivery's own step."""
    feed = Feed()
    engine = Engine(make_fest(commission__settlement_days=0))
    run(engine, feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", "55.00"))
    (step,) = run(engine, feed.delivery(at(3), "o1"))
    assert step.of(CommissionSettled)[0].amount == usd("5.50")
    assert [type(o).__name__ for o in step.outcomes] == ["OrderDelivered", "LedgerEntryPosted", "CommissionSettled"]


def test_delivery_of_an_ineligible_order_is_recorded_without_settlement() -> None:
    """An order without commission can be delivered; nothing settles."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.purchase(at(2, 13), "u2", "o1", "55.00"))
    (step,) = run(engine, feed.delivery(at(3), "o1"))
    assert step.of(OrderDelivered)[0].settles_at is None
