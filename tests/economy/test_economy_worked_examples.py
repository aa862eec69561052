"""The worked examples of docs/economy.md, number for number."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.outcomes import (
    CommissionAccrued,
    CommissionReversed,
    CommissionSettled,
    CreditGranted,
    DailyCapReached,
    GiftConverted,
    LedgerEntryPosted,
)
from festengine.events import Event

DOC = Path(__file__).resolve().parents[2] / "docs" / "economy.md"


def test_example_1_a_lion_split_and_converted() -> None:
    """Lion = 428.9857: 214.49 + 214.49 + 0.0057; in launch-week 5.00 credit (capped), 21.45 bonus."""
    feed = Feed()
    engine = Engine(make_fest())
    (plain,) = run(engine, feed.gift(at(2), "u1", "c1", "lion"))
    entry = plain.of(LedgerEntryPosted)[0].entry
    assert entry.rule_id == "split"
    assert [(a, m.amount) for a, m in entry.postings] == [
        ("viewer:u1:coin_spend", Decimal("-428.9857")),
        ("creator:c1:gift_earnings", Decimal("214.49")),
        ("platform:revenue", Decimal("214.49")),
        ("rounding", Decimal("0.0057")),
    ]
    (converted,) = run(engine, feed.gift(at(6), "u1", "c1", "lion"))
    assert converted.of(DailyCapReached)[0].requested == usd("42.90")
    assert converted.of(DailyCapReached)[0].allowed == usd("5.00")
    gift = converted.of(GiftConverted)[0]
    assert (gift.viewer_credit, gift.creator_bonus, gift.conversion_id) == (usd("5.00"), usd("21.45"), "launch-week")
    assert converted.of(CreditGranted)[0].amount == usd("5.00")
    # three entries, each posted by the key whose accounts move: the viewer's key splits the gift, the
    # fest's key draws the budget (the credit goes on through transit:credits), the viewer's key takes
    # the credit into the wallet
    split, grant, credit = (posted.entry for posted in converted.of(LedgerEntryPosted))
    assert len(split.postings) == 4
    assert [(a, m.amount) for a, m in grant.postings] == [
        ("budget:fest_rewards", Decimal("-26.45")),
        ("transit:credits", Decimal("5.00")),
        ("creator:c1:affiliate_bonus", Decimal("21.45")),
    ]
    assert [(a, m.amount) for a, m in credit.postings] == [
        ("transit:credits", Decimal("-5.00")),
        ("viewer:u1:credits", Decimal("5.00")),
    ]
    assert [type(o).__name__ for o in converted.outcomes] == [
        "DailyCapReached",
        "LedgerEntryPosted",
        "GiftConverted",
        "LedgerEntryPosted",
        "LedgerEntryPosted",
        "CreditGranted",
    ]
    economy = engine.components["economy"]
    assert economy.budget_left("fest_rewards") == usd("73.55")
    (third,) = run(engine, feed.gift(at(6, 13), "u1", "c1", "lion"))
    gift = third.of(GiftConverted)[0]
    assert (gift.viewer_credit, gift.creator_bonus) == (usd("0"), usd("21.45"))
    assert economy.budget_left("fest_rewards") == usd("52.10")
    assert trial_balance_is_zero(engine)


def test_example_1_a_negative_remainder() -> None:
    """Seven roses from the web: 0.0735 = 0.04 + 0.04 - 0.0065."""
    (step,) = run(Engine(make_fest()), Feed().gift(at(2), "u1", "c1", "rose", channel="web", repeat_count=7))
    gift = step.of(GiftConverted)[0]
    assert (gift.value, gift.creator, gift.platform, gift.rounding) == (
        usd("0.0735"),
        usd("0.04"),
        usd("0.04"),
        usd("-0.0065"),
    )


def _story(feed: Feed) -> list[Event]:
    return [
        feed.click(at(2), "u2", "c1"),
        feed.purchase(at(2, 13), "u2", "o1", "30.00", quantity=2, discount="5.00", tax="4.40", shipping="3.99"),
        feed.stream(at(3, 18), "c1", "s1"),
        feed.purchase(at(3, 18, 30), "u3", "o2", "80.00", stream_id="s1", tax="6.40"),
        feed.delivery(at(4), "o1"),
        feed.delivery(at(5), "o2"),
        feed.purchase(at(13), "u2", "o3", "19.99", quantity=3),
    ]


def test_example_2_a_tiered_commission() -> None:
    """5.50 and 8.00 at 10%; both settle (volume 135.00, payable 13.50); then 59.97 x 12% = 7.20."""
    feed = Feed()
    engine = Engine(make_fest())
    steps = run(engine, *_story(feed))
    accrued = [a for s in steps for a in s.of(CommissionAccrued)]
    assert [(a.order_id, a.base, str(a.rate), a.amount) for a in accrued] == [
        ("o1", usd("55.00"), "0.10", usd("5.50")),
        ("o2", usd("80.00"), "0.10", usd("8.00")),
        ("o3", usd("59.97"), "0.12", usd("7.20")),
    ]
    assert [a.creator_id for a in accrued] == ["c1", "c1", "c1"]
    settled = steps[-1].of(CommissionSettled)
    assert [(s.order_id, s.amount, s.volume) for s in settled] == [
        ("o1", usd("5.50"), usd("55.00")),
        ("o2", usd("8.00"), usd("135.00")),
    ]
    dates = [p.entry.at for p in steps[-1].of(LedgerEntryPosted)][:2]
    assert dates == [datetime(2026, 3, 11, 12, tzinfo=UTC), datetime(2026, 3, 12, 12, tzinfo=UTC)]
    economy = engine.components["economy"]
    assert economy.payable("c1") == usd("13.50")
    assert economy.balance("creator:c1:commission_pending") == usd("7.20")


def test_example_3_a_partial_refund_after_settlement() -> None:
    """Refund 30.00 claws back 3.00, refund 50.00 the rest 5.00; o4 then earns 10% + 2% = 4.80."""
    feed = Feed()
    engine = Engine(make_fest())
    run(engine, *_story(feed))
    economy = engine.components["economy"]
    (first,) = run(engine, feed.refund(at(14), "o2", "30.00"))
    reversal = first.of(CommissionReversed)[0]
    assert (reversal.amount, reversal.clawback, reversal.balance) == (usd("3.00"), True, usd("10.50"))
    entry = first.of(LedgerEntryPosted)[0].entry
    assert [(a, m.amount) for a, m in entry.postings] == [
        ("creator:c1:commission_settled", Decimal("-3.00")),
        ("platform:commission_expense", Decimal("3.00")),
    ]
    assert economy.settled_volume("c1") == usd("105.00")
    (second,) = run(engine, feed.refund(at(15), "o2", "50.00"))
    assert second.of(CommissionReversed)[0].amount == usd("5.00")
    assert (economy.payable("c1"), economy.settled_volume("c1")) == (usd("5.50"), usd("55.00"))
    assert economy.order_status("o2") == "cancelled"
    before = engine.snapshot()
    rejected = engine.apply(feed.refund(at(15, 13), "o2", "1.00")).rejected
    assert rejected is not None
    assert rejected.code == "order_cancelled"
    assert engine.snapshot() == before
    run(engine, feed.stream(at(21, 17), "c1", "s2"))
    (bought,) = run(engine, feed.purchase(at(21, 17, 30), "u3", "o4", "40.00", stream_id="s2", category="beauty"))
    accrued = bought.of(CommissionAccrued)[0]
    assert (str(accrued.base_rate), str(accrued.bonus_rate), accrued.amount) == ("0.10", "0.02", usd("4.80"))
    assert economy.payable("c1") == usd("5.50")
    assert economy.balance("creator:c1:commission_pending") == usd("12.00")
    assert trial_balance_is_zero(engine)


@pytest.mark.parametrize(
    "number",
    [
        "428.9857",
        "214.49285",
        "0.0057",
        "-0.0065",
        "42.90",
        "21.45",
        "26.45",
        "73.55",
        "55.00",
        "135.00",
        "7.1964",
        "7.20",
        "13.50",
        "10.50",
        "105.00",
        "5.50",
        "4.80",
        "12.00",
    ],
)
def test_the_docs_show_the_numbers_the_tests_check(number: str) -> None:
    """docs/economy.md shows every number the worked-example tests assert."""
    assert number in DOC.read_text(encoding="utf-8")
