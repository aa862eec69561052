"""Refunds reverse commission in proportion (also after settlement); bad money events change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import CommissionReversed, CommissionSettled, OrderRefunded
from festengine.events import Event


def sold(feed: Feed, price: str = "80.00", *, delivered: bool = False) -> Engine:
    """An engine with order o1 (10% commission) attributed to c1 by a click."""
    engine = Engine(make_fest())
    events = [feed.click(at(2), "u2", "c1"), feed.purchase(at(2, 13), "u2", "o1", price)]
    if delivered:
        events.append(feed.delivery(at(3), "o1"))
    run(engine, *events)
    return engine


@pytest.mark.parametrize(
    ("refunds", "reversals", "left"),
    [
        (["30.00"], ["3.00"], "5.00"),
        (["30.00", "50.00"], ["3.00", "5.00"], "0.00"),
        (["80.00"], ["8.00"], "0.00"),
        (["0.01"], [], "8.00"),
        (["0.05", "0.05", "79.90"], ["0.00", "0.00", "8.00"], "0.00"),
        (["26.66", "26.67", "26.67"], ["2.67", "2.67", "2.66"], "0.00"),
    ],
)
def test_partial_refunds_reverse_in_proportion(refunds: list[str], reversals: list[str], left: str) -> None:
    """commission x refund / paid, rounded half-even; the refund that cancels the order takes the rest.

    8.00 x 0.01 / 80 = 0.001 -> 0.00 (no reversal); 8.00 x 26.66 / 80 = 2.666 -> 2.67, then 2.667 -> 2.67,
    and the last takes the remaining 2.66.
    """
    feed = Feed()
    engine = sold(feed)
    taken = []
    for amount in refunds:
        (step,) = run(engine, feed.refund(at(4), "o1", amount))
        taken += [reversed_.amount for reversed_ in step.of(CommissionReversed)]
        assert trial_balance_is_zero(engine)
    assert taken == [usd(amount) for amount in reversals if amount != "0.00"]
    assert engine.components["economy"].balance("creator:c1:commission_pending") == usd(left)


def test_full_refund_cancels_the_order() -> None:
    """A refund of everything paid cancels the order and its commission; it never settles."""
    feed = Feed()
    engine = sold(feed, delivered=True)
    (step,) = run(engine, feed.refund(at(4), "o1", "80.00"))
    (refunded,) = step.of(OrderRefunded)
    assert (refunded.refunded, refunded.remaining, refunded.cancelled) == (usd("80.00"), usd("0.00"), True)
    (reversal,) = step.of(CommissionReversed)
    assert (reversal.amount, reversal.clawback) == (usd("8.00"), False)
    economy = engine.components["economy"]
    assert economy.order_status("o1") == "cancelled"
    assert engine.advance_to(datetime(2026, 3, 31, tzinfo=UTC)).of(CommissionSettled) == []


def test_partial_refund_before_settlement_settles_the_rest() -> None:
    """80.00 paid, 20.00 refunded: 2.00 reversed, 6.00 settles, settled volume 60.00."""
    feed = Feed()
    engine = sold(feed, delivered=True)
    run(engine, feed.refund(at(4), "o1", "20.00"))
    (settled,) = engine.advance_to(datetime(2026, 3, 10, 12, tzinfo=UTC)).of(CommissionSettled)
    assert (settled.amount, settled.volume) == (usd("6.00"), usd("60.00"))


def test_refund_after_settlement_is_a_clawback() -> None:
    """Settled 8.00; a 30.00 refund claws back 3.00 from settled commission and 30.00 of settled volume."""
    feed = Feed()
    engine = sold(feed, delivered=True)
    engine.advance_to(datetime(2026, 3, 10, 12, tzinfo=UTC))
    (step,) = run(engine, feed.refund(at(11), "o1", "30.00"))
    (reversal,) = step.of(CommissionReversed)
    assert (reversal.amount, reversal.clawback, reversal.balance, reversal.rule_id) == (
        usd("3.00"),
        True,
        usd("5.00"),
        "open-tiered",
    )
    economy = engine.components["economy"]
    assert economy.payable("c1") == usd("5.00")
    assert economy.settled_volume("c1") == usd("50.00")
    assert economy.order_status("o1") == "settled"
    (last,) = run(engine, feed.refund(at(12), "o1", "50.00"))
    assert last.of(CommissionReversed)[0].amount == usd("5.00")
    assert economy.payable("c1") == usd("0.00")
    assert economy.settled_volume("c1") == usd("0.00")
    assert economy.order_status("o1") == "cancelled"


def test_refund_of_an_unattributed_order_moves_no_money() -> None:
    """Refunds of orders without commission are recorded and reverse nothing."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.purchase(at(2), "u2", "o1", "10.00"))
    (step,) = run(engine, feed.refund(at(3), "o1", "10.00"))
    assert step.of(OrderRefunded)[0].cancelled
    assert step.of(CommissionReversed) == []


BAD_EVENTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("refund", {"order": "o9", "amount": "1.00"}, "unknown_order", "refund for order 'o9', which the fest has not"),
    ("refund", {"order": "o1", "amount": "80.01"}, "refund_exceeds_paid", "more than is left to refund"),
    (
        "refund",
        {"order": "o1", "amount": "1.00", "currency": "EUR"},
        "wrong_currency",
        "refund of order 'o1' is in EUR",
    ),
    ("purchase", {"order": "o2", "currency": "EUR"}, "wrong_currency", "is in EUR, but the fest's currency is USD"),
    ("purchase", {"order": "o1"}, "duplicate_order", "order 'o1' was already recorded by event 'e2'"),
    ("delivery", {"order": "o9"}, "unknown_order", "delivery for order 'o9'"),
    # an order belongs to its buyer's key: a refund or delivery naming another viewer finds no order
    ("refund", {"order": "o1", "amount": "1.00", "user": "u9"}, "unknown_order", "has not seen 'u9' purchase"),
    (
        "delivery",
        {"order": "o1", "user": "u9"},
        "unknown_order",
        "delivery for order 'o1', which the fest has not seen 'u9'",
    ),
]


def _bad(feed: Feed, kind: str, fields: dict[str, Any]) -> Event:
    fields = dict(fields)
    order = fields.pop("order")
    if kind == "refund":
        return feed.refund(at(5), order, fields.pop("amount"), **fields)
    if kind == "purchase":
        return feed.purchase(at(5), "u2", order, "10.00", **fields)
    return feed.delivery(at(5), order, fields.get("user"))


@pytest.mark.parametrize(("kind", "fields", "code", "reason"), BAD_EVENTS)
def test_bad_money_events_are_rejected_and_change_nothing(
    kind: str, fields: dict[str, Any], code: str, reason: str
) -> None:
    """Each bad event yields Rejected with a clear reason; the snapshot is byte-identical before and after."""
    feed = Feed()
    engine = sold(feed)
    before = engine.snapshot()
    step = engine.apply(_bad(feed, kind, fields))
    assert step.rejected is not None
    assert step.rejected.code == code
    assert reason in step.rejected.reason
    assert engine.snapshot() == before


def test_refund_of_a_cancelled_order_is_rejected_and_changes_nothing() -> None:
    """After a full refund, any further refund (or a delivery) is refused: the order is cancelled."""
    feed = Feed()
    engine = sold(feed)
    run(engine, feed.refund(at(4), "o1", "80.00"))
    before = engine.snapshot()
    for event in (feed.refund(at(5), "o1", "1.00"), feed.delivery(at(5), "o1")):
        step = engine.apply(event)
        assert step.rejected is not None
        assert step.rejected.code == "order_cancelled"
        assert "already refunded in full (cancelled)" in step.rejected.reason
        assert engine.snapshot() == before


def test_a_second_refund_beyond_what_was_paid_is_rejected() -> None:
    """30.00 refunded of 80.00: a refund of 50.01 is refused and says what is left; 50.00 is fine."""
    feed = Feed()
    engine = sold(feed)
    run(engine, feed.refund(at(4), "o1", "30.00"))
    before = engine.snapshot()
    step = engine.apply(feed.refund(at(5), "o1", "50.01"))
    assert step.rejected is not None
    assert step.rejected.reason == (
        "refund of 50.01 USD for order 'o1' is more than is left to refund (50.00 of 80.00 USD paid, 30.00 refunded)"
    )
    assert engine.snapshot() == before
    run(engine, feed.refund(at(5), "o1", "50.00"))


def test_a_second_delivery_is_rejected() -> None:
    feed = Feed()
    engine = sold(feed, delivered=True)
    step = engine.apply(feed.delivery(at(4), "o1"))
    assert step.rejected is not None
    assert step.rejected.code == "already_delivered"


def test_an_order_id_is_the_buyers_two_viewers_may_use_the_same_one() -> None:
    """Orders are filed under their buyer: the same id bought by another viewer is another order (a repeat by the
    same buyer is still a duplicate), and each refund reaches its own buyer's order."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, feed.click(at(1), "u2", "c1"), feed.click(at(1), "u3", "c1"))
    run(engine, feed.purchase(at(2), "u2", "o1", "10.00"), feed.purchase(at(2, 13), "u3", "o1", "30.00"))
    (refund,) = run(engine, feed.refund(at(3), "o1", "30.00", "u3"))
    assert (refund.of(OrderRefunded)[0].cancelled, refund.of(CommissionReversed)[0].amount) == (True, usd("3.00"))
    economy = engine.components["economy"]
    assert [(o.user_id, o.order_id, o.status) for o in economy.orders()] == [
        ("u2", "o1", "pending"),
        ("u3", "o1", "cancelled"),
    ]
    again = engine.apply(feed.purchase(at(3, 13), "u2", "o1", "10.00"))
    assert again.rejected is not None
    assert again.rejected.code == "duplicate_order"
