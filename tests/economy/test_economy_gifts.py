"""Gift conversion: value by channel, the exact creator/platform split, conversions by time, caps, budgets."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from economy_fests import Feed, at, make_fest, run, trial_balance_is_zero, usd

from festengine.assembly import Engine
from festengine.economy.gifts import CreditWallet
from festengine.economy.outcomes import (
    BudgetExhausted,
    CreditGranted,
    DailyCapReached,
    GiftConverted,
    LedgerEntryPosted,
)

D = Decimal


@pytest.mark.parametrize(
    ("gift", "fields", "value", "creator", "platform", "rounding"),
    [
        ("lion", {}, "428.9857", "214.49", "214.49", "0.0057"),
        ("concert", {}, "7.1500", "3.58", "3.58", "-0.0100"),
        ("rose", {"channel": "web", "repeat_count": 7}, "0.0735", "0.04", "0.04", "-0.0065"),
        ("panda", {"channel": "web", "count": 3}, "0.1575", "0.08", "0.08", "-0.0025"),
        ("rose", {}, "0.0143", "0.01", "0.01", "-0.0057"),
    ],
)
def test_gift_split_table(
    gift: str, fields: dict[str, object], value: str, creator: str, platform: str, rounding: str
) -> None:
    """coins x coin value of the channel, split 50/50 half-even; the remainder goes to the rounding account."""
    engine = Engine(make_fest())
    (step,) = run(engine, Feed().gift(at(2), "u1", "c1", gift, **fields))
    (converted,) = step.of(GiftConverted)
    assert (converted.value, converted.creator, converted.platform, converted.rounding) == (
        usd(value),
        usd(creator),
        usd(platform),
        usd(rounding),
    )
    assert converted.creator + converted.platform + converted.rounding == converted.value
    assert converted.conversion_id is None
    assert converted.viewer_credit == usd("0")
    economy = engine.components["economy"]
    assert economy.balance("viewer:u1:coin_spend") == -usd(value)
    assert economy.balance("creator:c1:gift_earnings") == usd(creator)
    assert economy.balance("platform:revenue") == usd(platform)
    assert economy.balance("rounding") == usd(rounding)
    assert trial_balance_is_zero(engine)


@pytest.mark.parametrize(
    ("rounding_rule", "split", "gift", "channel", "creator", "platform", "remainder"),
    [
        ("down", {"creator": "0.50", "platform": "0.50"}, "rose", "web", "0.00", "0.00", "0.0105"),
        ("half_up", {"creator": "0.50", "platform": "0.50"}, "concert", "app", "3.58", "3.58", "-0.0100"),
        ("down", {"creator": "0.50", "platform": "0.50"}, "concert", "app", "3.57", "3.57", "0.0100"),
        ("half_even", {"creator": "0.53", "platform": "0.47"}, "lion", "app", "227.36", "201.62", "0.0057"),
        ("half_even", {"creator": "0.70", "platform": "0.30"}, "concert", "web", "3.68", "1.58", "-0.0100"),
    ],
)
def test_the_fest_names_the_rounding_rule_and_the_shares(
    rounding_rule: str, split: dict[str, str], gift: str, channel: str, creator: str, platform: str, remainder: str
) -> None:
    """Other rules and shares, hand-computed (concert on web = 5.25: 70% = 3.675 -> 3.68, 30% = 1.575 -> 1.58)."""
    engine = Engine(make_fest(economy__rounding=rounding_rule, economy__split=split))
    (step,) = run(engine, Feed().gift(at(2), "u1", "c1", gift, channel=channel))
    (converted,) = step.of(GiftConverted)
    assert (converted.creator, converted.platform, converted.rounding) == (usd(creator), usd(platform), usd(remainder))
    assert converted.creator + converted.platform + converted.rounding == converted.value


def test_a_gift_streak_is_paid_once_per_gift() -> None:
    """Streak events 1, 3, 5 (end) are 5 roses: 5 x 0.0143 = 0.0715 spent, not 9 roses' worth."""
    feed = Feed()
    engine = Engine(make_fest())
    run(
        engine,
        feed.gift(at(2, 12, 0, 1), "u1", "c1", "rose", repeat_count=1, repeat_end=False),
        feed.gift(at(2, 12, 0, 2), "u1", "c1", "rose", repeat_count=3, repeat_end=False),
        feed.gift(at(2, 12, 0, 3), "u1", "c1", "rose", repeat_count=5, repeat_end=True),
    )
    economy = engine.components["economy"]
    assert economy.balance("viewer:u1:coin_spend") == usd("-0.0715")
    assert [e.memo for e in economy.entries("viewer:u1")] == [
        "gift rose x1 via app",
        "gift rose x2 via app",
        "gift rose x2 via app",
    ]


def test_the_entry_is_posted_and_carried_by_the_outcome() -> None:
    """One balanced entry per gift, carried by LedgerEntryPosted and named by GiftConverted."""
    engine = Engine(make_fest())
    (step,) = run(engine, Feed().gift(at(2), "u1", "c1", "lion"))
    (posted,) = step.of(LedgerEntryPosted)
    (converted,) = step.of(GiftConverted)
    entry = posted.entry
    assert entry.id == converted.entry_id
    assert entry == engine.components["economy"].ledger.entries[-1]
    assert (entry.event_id, entry.rule_id) == ("e1", "split")
    assert sum((money.amount for _, money in entry.postings), D(0)) == 0


def test_conversion_applies_from_its_start_in_fest_time() -> None:
    """launch-week starts at local midnight of 5 March (08:00 UTC): a gift a minute before gets no credit."""
    feed = Feed()
    engine = Engine(make_fest())
    before, after = run(
        engine, feed.gift(at(5, 7, 59), "u1", "c1", "concert"), feed.gift(at(5, 8, 0), "u2", "c1", "concert")
    )
    assert before.of(GiftConverted)[0].conversion_id is None
    converted = after.of(GiftConverted)[0]
    # 7.15 x 10% = 0.715 -> 0.72 (half-even); 7.15 x 5% = 0.3575 -> 0.36
    assert (converted.conversion_id, converted.viewer_credit, converted.creator_bonus) == (
        "launch-week",
        usd("0.72"),
        usd("0.36"),
    )
    (credit,) = after.of(CreditGranted)
    assert (credit.user_id, credit.amount, credit.budget_id, credit.source) == (
        "u2",
        usd("0.72"),
        "fest_rewards",
        "launch-week",
    )
    economy = engine.components["economy"]
    assert economy.balance("viewer:u2:credits") == usd("0.72")
    assert economy.balance("creator:c1:affiliate_bonus") == usd("0.36")
    assert economy.budget_left("fest_rewards") == usd("98.92")
    assert trial_balance_is_zero(engine)


def test_a_rate_change_mid_fest_applies_by_event_time_even_for_late_events() -> None:
    """finale (20%) starts 10 March 00:00 PDT = 07:00 UTC; a late gift from 06:58 still uses launch-week (10%)."""
    feed = Feed()
    engine = Engine(make_fest())
    new, late = run(engine, feed.gift(at(10, 7, 5), "u1", "c1", "panda"), feed.gift(at(10, 6, 58), "u2", "c1", "panda"))
    # panda on app = 0.0715: 20% = 0.0143 -> 0.01; 10% = 0.00715 -> 0.01, bonus 5% = 0.003575 -> 0.00
    assert new.of(GiftConverted)[0].conversion_id == "finale"
    assert late.of(GiftConverted)[0].conversion_id == "launch-week"
    assert engine.components["economy"].budget_left("small") == usd("0.99")


def test_daily_cap_per_viewer_in_fest_time() -> None:
    """Cap 5.00 a fest day: a lion asks 42.90, gets 5.00; more that day gets 0; the next local day resets."""
    feed = Feed()
    engine = Engine(make_fest())
    first, second, same_day, next_day = run(
        engine,
        feed.gift(at(6, 12), "u1", "c1", "lion"),
        feed.gift(at(6, 13), "u1", "c1", "concert"),
        feed.gift(at(7, 7, 59), "u1", "c1", "concert"),  # 23:59 on 6 March in Los Angeles
        feed.gift(at(7, 8, 0), "u1", "c1", "concert"),  # 00:00 on 7 March in Los Angeles
    )
    (capped,) = first.of(DailyCapReached)
    assert (capped.requested, capped.allowed, capped.cap) == (usd("42.90"), usd("5.00"), usd("5.00"))
    assert first.of(GiftConverted)[0].viewer_credit == usd("5.00")
    assert second.of(DailyCapReached)[0].allowed == usd("0")
    assert second.of(GiftConverted)[0].viewer_credit == usd("0")
    assert second.of(CreditGranted) == []
    assert same_day.of(GiftConverted)[0].viewer_credit == usd("0")
    assert next_day.of(GiftConverted)[0].viewer_credit == usd("0.72")
    assert next_day.of(DailyCapReached) == []
    economy = engine.components["economy"]
    assert economy.balance("viewer:u1:credits") == usd("5.72")
    # the cap is per viewer: the bonus to the creator is not capped (21.45 + 3 x 0.36)
    assert economy.balance("creator:c1:affiliate_bonus") == usd("22.53")


def test_the_daily_cap_holds_for_late_gifts_and_old_days_are_forgotten() -> None:
    """A late gift of the previous fest day still meets that day's cap; days no event can fall on are dropped."""
    feed = Feed()
    engine = Engine(make_fest())  # allowed lateness: 10 minutes
    economy = engine.components["economy"]
    events = [
        feed.gift(at(6, 7, 55), "u1", "c1", "lion"),  # 23:55 on 5 March in Los Angeles: 5.00 of credit
        feed.gift(at(6, 8, 5), "u2", "c1", "concert"),  # 00:05 on 6 March: a new fest day
        feed.gift(at(6, 7, 58), "u1", "c1", "concert"),  # late, but within the lateness: 5 March again
    ]
    first, _, late = run(engine, *events)
    assert first.of(GiftConverted)[0].viewer_credit == usd("5.00")
    assert late.of(GiftConverted)[0].viewer_credit == usd("0")
    assert late.of(DailyCapReached)[0].allowed == usd("0")
    restored = Engine.restore(engine.fest, engine.snapshot())
    later = [feed.gift(at(7, 8, 20), "u1", "c1", "concert"), feed.gift(at(7, 8, 21), "u1", "c1", "concert")]
    steps = run(engine, *later)
    assert run(restored, *later) == steps
    assert [step.of(GiftConverted)[0].viewer_credit for step in steps] == [usd("0.72"), usd("0.72")]
    assert restored.snapshot() == engine.snapshot()
    # 5 and 6 March are more than the allowed lateness behind the clock: only 7 March is kept
    day = engine.fest.calendar.day_of
    wallets = economy.dump()["wallets"]
    kept = {wallet["day"] for wallet in wallets.values()} | {
        older["day"] for wallet in wallets.values() for older in wallet["earlier"]
    }
    assert kept == {day(datetime(2026, 3, 7, 8, 20, tzinfo=UTC).timestamp())}
    assert set(wallets) == {"u1"}
    assert trial_balance_is_zero(engine)


def test_partial_budget_grants_what_is_left() -> None:
    """Budget 'small' (1.00, partial allowed): 7.15 x 20% = 1.43 asked, 1.00 granted; then nothing is left."""
    feed = Feed()
    engine = Engine(make_fest())
    first, second = run(engine, feed.gift(at(11), "u1", "c1", "concert"), feed.gift(at(11, 13), "u2", "c1", "concert"))
    (short,) = first.of(BudgetExhausted)
    assert (short.budget_id, short.source, short.requested, short.granted, short.available) == (
        "small",
        "finale",
        usd("1.43"),
        usd("1.00"),
        usd("1.00"),
    )
    # GiftConverted says what the conversion asked of the budget; CreditGranted what the budget granted
    assert first.of(GiftConverted)[0].viewer_credit == usd("1.43")
    assert [credit.amount for credit in first.of(CreditGranted)] == [usd("1.00")]
    (empty,) = second.of(BudgetExhausted)
    assert (empty.granted, empty.available) == (usd("0"), usd("0"))
    assert second.of(CreditGranted) == []
    economy = engine.components["economy"]
    assert economy.budget_left("small") == usd("0.00")
    assert economy.balance("viewer:u2:credits") == usd("0")


def test_a_budget_without_partial_grants_all_or_nothing() -> None:
    """Budget 'tiny' (1.00, no partial): 1.43 does not fit and nothing is granted; 0.01 later fits."""
    conversions = [
        {
            "id": "finale",
            "valid_from": "2026-03-10T00:00:00-07:00",
            "valid_to": "2026-03-15T00:00:00-07:00",
            "viewer_credit_rate": "0.20",
            "budget": "tiny",
        }
    ]
    feed = Feed()
    engine = Engine(make_fest(economy__conversions=conversions))
    refused, fits = run(engine, feed.gift(at(11), "u1", "c1", "concert"), feed.gift(at(11, 13), "u1", "c1", "panda"))
    assert refused.of(BudgetExhausted)[0].granted == usd("0")
    assert refused.of(GiftConverted)[0].viewer_credit == usd("1.43")  # asked of the budget
    assert refused.of(CreditGranted) == []
    assert fits.of(GiftConverted)[0].viewer_credit == usd("0.01")
    assert [credit.amount for credit in fits.of(CreditGranted)] == [usd("0.01")]
    assert engine.components["economy"].budget_left("tiny") == usd("0.99")


def test_the_creator_bonus_is_drawn_after_the_viewer_credit() -> None:
    """When the budget covers the credit but not the bonus, the bonus is refused and the books still balance."""
    budgets = [{"id": "fest_rewards", "amount": "6.00"}, {"id": "small", "amount": "1.00"}]
    feed = Feed()
    engine = Engine(make_fest(economy__budgets=budgets))
    (step,) = run(engine, feed.gift(at(6), "u1", "c1", "lion"))
    converted = step.of(GiftConverted)[0]
    assert (converted.viewer_credit, converted.creator_bonus) == (usd("5.00"), usd("21.45"))  # asked
    (short,) = step.of(BudgetExhausted)
    assert (short.requested, short.granted, short.available) == (usd("21.45"), usd("0"), usd("1.00"))
    assert [credit.amount for credit in step.of(CreditGranted)] == [usd("5.00")]
    economy = engine.components["economy"]
    assert economy.budget_left("fest_rewards") == usd("1.00")
    assert economy.balance("creator:c1:affiliate_bonus") == usd("0")
    assert trial_balance_is_zero(engine)


def test_budgets_are_funded_when_the_engine_starts() -> None:
    """Each budget starts full, paid from platform:promotions, in entries without an event."""
    engine = Engine(make_fest())
    ledger = engine.ledger
    assert [(e.id, e.event_id, e.rule_id) for e in ledger.entries] == [
        (1, None, "fest_rewards"),
        (2, None, "small"),
        (3, None, "tiny"),
    ]
    assert ledger.balance("platform:promotions") == usd("-102.00")
    assert ledger.balance("budget:fest_rewards") == usd("100.00")


def test_a_credit_wallet_counts_per_fest_day_and_forgets_days_no_event_can_fall_on() -> None:
    """The newest day is kept as it is; an earlier day within the lateness beside it; older days are dropped."""
    wallet = CreditWallet(10, Decimal("1.00"))
    assert wallet.add(10, Decimal("0.50"), oldest=10) == Decimal("1.50")
    assert wallet.add(11, Decimal("0.25"), oldest=10) == Decimal("0.25")
    assert (wallet.received_on(10), wallet.received_on(11), wallet.received_on(9)) == (
        Decimal("1.50"),
        Decimal("0.25"),
        Decimal(0),
    )
    assert wallet.add(10, Decimal("0.10"), oldest=10) == Decimal("1.60")  # a late gift of the day before
    assert wallet.add(12, Decimal("2.00"), oldest=12) == Decimal("2.00")
    assert wallet.earlier is None
    assert CreditWallet.load(wallet.dump()).dump() == wallet.dump()
