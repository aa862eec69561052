"""The double-entry ledger: balanced entries only, balances, entries per party, trial balance, dumps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from festengine.economy.ledger import JournalEntry, Ledger, party_of
from festengine.economy.money import CurrencyMismatchError, Money
from festengine.errors import UnbalancedEntryError

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def gift_ledger() -> Ledger:
    ledger = Ledger("USD")
    ledger.post(
        event_id="e1",
        rule_id="split",
        memo="gift lion",
        at=NOW,
        postings=[
            ("viewer:u1:coin_spend", usd("-428.9857")),
            ("creator:c1:gift_earnings", usd("214.49")),
            ("platform:revenue", usd("214.49")),
            ("rounding", usd("0.0057")),
        ],
    )
    ledger.post(
        event_id="e2",
        rule_id="fest_rewards",
        memo="credit",
        at=NOW,
        postings=[("budget:fest_rewards", usd("-5.00")), ("viewer:u2:credits", usd("5.00"))],
    )
    return ledger


def test_a_balanced_entry_moves_balances() -> None:
    """Each posting changes its account; the entry is numbered and keeps its causes."""
    ledger = gift_ledger()
    assert ledger.balance("creator:c1:gift_earnings") == usd("214.49")
    assert ledger.balance("viewer:u1:coin_spend") == usd("-428.9857")
    assert ledger.balance("rounding") == usd("0.0057")
    assert ledger.balance("never:posted") == usd("0")
    first = ledger.entries[0]
    assert (first.id, first.event_id, first.rule_id) == (1, "e1", "split")
    assert first.amount_of("platform:revenue") == usd("214.49")
    assert first.amount_of("viewer:u2:credits") is None
    assert len(ledger) == 2


def post_euros(ledger: Ledger, account: str) -> None:
    """Post 3.00 EUR from the outside to ``account`` (entry ``e3``, rule ``fx``)."""
    ledger.post(
        event_id="e3",
        rule_id="fx",
        memo="euro movement",
        at=NOW,
        postings=[("external:eur", Money("-3.00", "EUR")), (account, Money("3.00", "EUR"))],
    )


def test_trial_balance_is_zero_per_currency() -> None:
    """The balances of all accounts sum to zero in each currency."""
    ledger = gift_ledger()
    post_euros(ledger, "viewer:u9:credits_eur")
    assert ledger.trial_balance() == {"USD": Decimal(0), "EUR": Decimal(0)}


@pytest.mark.parametrize(
    "postings",
    [
        [("a:x", usd("1.00")), ("b:y", usd("-0.99"))],
        [("a:x", usd("1.00"))],
        [("a:x", usd("1.00")), ("b:y", Money("-1.00", "EUR"))],
        [],
    ],
)
def test_an_unbalanced_entry_is_a_bug_and_changes_nothing(postings: list[tuple[str, Money]]) -> None:
    """Postings that do not sum to zero per currency raise and leave the ledger as it was."""
    ledger = gift_ledger()
    before = ledger.dump()
    with pytest.raises(UnbalancedEntryError):
        ledger.post(event_id="bad", rule_id="r", memo="m", at=NOW, postings=postings)
    assert ledger.dump() == before


def test_a_posting_must_be_money() -> None:
    """A bare number is not a posting amount."""
    ledger = Ledger("USD")
    with pytest.raises(UnbalancedEntryError, match="not Money"):
        ledger.post(event_id=None, rule_id="r", memo="m", at=NOW, postings=[("a", 1), ("b", -1)])  # type: ignore[list-item]


def test_an_account_holds_one_currency() -> None:
    """Posting euros to a dollar account is refused before anything changes."""
    ledger = gift_ledger()
    with pytest.raises(CurrencyMismatchError):
        ledger.post(
            event_id="e9",
            rule_id="r",
            memo="m",
            at=NOW,
            postings=[("rounding", Money("1", "EUR")), ("external:eur", Money("-1", "EUR"))],
        )
    with pytest.raises(CurrencyMismatchError):
        ledger.post(
            event_id="e9",
            rule_id="r",
            memo="m",
            at=NOW,
            postings=[("new", Money("1", "EUR")), ("new", usd("1")), ("x", Money("-1", "EUR")), ("y", usd("-1"))],
        )
    assert ledger.balance("rounding") == usd("0.0057")


def test_parties_and_entries_for() -> None:
    """Entries are found by party, by account, or by a bare user id."""
    ledger = gift_ledger()
    assert party_of("viewer:u1:credits") == "viewer:u1"
    assert party_of("platform:revenue") == "platform"
    assert party_of("rounding") == "rounding"
    assert [e.id for e in ledger.entries_for("viewer:u1")] == [1]
    assert [e.id for e in ledger.entries_for("creator:c1")] == [1]
    assert [e.id for e in ledger.entries_for("viewer:u2")] == [2]
    assert [e.id for e in ledger.entries_for("budget:fest_rewards")] == [2]
    assert [e.id for e in ledger.entries_for("budget:other")] == []
    assert [e.id for e in ledger.entries_for("u2")] == [2]
    assert [e.id for e in ledger.entries_for("c1")] == [1]
    assert [e.id for e in ledger.entries_for("nobody")] == []


def test_accounts_lists_balances_in_first_posting_order() -> None:
    ledger = gift_ledger()
    assert list(ledger.accounts())[:2] == ["viewer:u1:coin_spend", "creator:c1:gift_earnings"]


def test_dump_and_load_give_the_same_ledger() -> None:
    """A dump survives JSON and loads into an equal journal with equal balances."""
    ledger = gift_ledger()
    copy = Ledger("USD")
    copy.load(json.loads(json.dumps(ledger.dump())))
    assert copy.entries == ledger.entries
    assert copy.accounts() == ledger.accounts()
    assert copy.entries_for("viewer:u2") == ledger.entries_for("viewer:u2")
    assert isinstance(copy.entries[0], JournalEntry)


def test_entries_keep_their_dates_exactly() -> None:
    """A date comes back as it was posted: UTC to the microsecond, another offset or zone, a fold."""
    dates = [
        datetime(2026, 3, 2, 12, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 4, tzinfo=timezone(timedelta(hours=-8))),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/Los_Angeles")),
        datetime(2026, 3, 2, 12, fold=1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    ledger = Ledger("USD")
    for index, at in enumerate(dates):
        ledger.post(
            event_id=f"e{index}", rule_id="r", memo="m", at=at, postings=[("a:x", usd("1")), ("b:y", usd("-1"))]
        )
    for entry, at in zip(ledger.entries, dates, strict=True):
        assert entry.at == at
        assert entry.at.tzinfo is at.tzinfo
        assert entry.at.fold == at.fold
        assert entry.at.isoformat() == at.isoformat()
    copy = Ledger("USD")
    copy.load(json.loads(json.dumps(ledger.dump())))
    assert [e.at.isoformat() for e in copy.entries] == [at.isoformat() for at in dates]


@pytest.mark.parametrize("amount", ["-0.00", "1E+1", "0.0143", "-428.9857", "5"])
def test_a_first_posting_gives_the_balance_zero_plus_it(amount: str) -> None:
    """A new account's balance is 0 + the amount, to the exponent and sign (-0.00 becomes 0.00)."""
    ledger = Ledger("USD")
    ledger.post(event_id="e1", rule_id="r", memo="m", at=NOW, postings=[("a:x", usd(amount)), ("b:y", -usd(amount))])
    assert str(ledger.balance("a:x").amount) == str(Decimal(0) + Decimal(amount))
    assert str(ledger.balance("b:y").amount) == str(Decimal(0) - Decimal(amount))
    assert str(ledger.entries[0].amount_of("a:x")) == f"{Decimal(amount)} USD"


def test_postings_of_other_currencies_keep_their_currency() -> None:
    """Entries made from the compact journal name each posting's own currency, also after a load."""
    ledger = gift_ledger()
    post_euros(ledger, "viewer:u2:credits_eur")
    expected = (("external:eur", Money("-3.00", "EUR")), ("viewer:u2:credits_eur", Money("3.00", "EUR")))
    assert ledger.entries[-1].postings == expected
    assert ledger.entries_for("viewer:u2")[-1].postings == expected
    assert ledger.entries_for("viewer:u2:credits")[0].postings[1] == ("viewer:u2:credits", usd("5.00"))
    copy = Ledger("USD")
    copy.load(json.loads(json.dumps(ledger.dump())))
    assert copy.entries == ledger.entries
    assert copy.dump() == ledger.dump()


def test_entries_keep_their_event_ids_exactly() -> None:
    """Event ids come back as they were posted: none, empty, non-ASCII, even a lone surrogate."""
    event_ids = [None, "", "e1", "événement-🎁", "\ud800x", "\xff"]
    ledger = Ledger("USD")
    for event_id in event_ids:
        ledger.post(event_id=event_id, rule_id="r", memo="m", at=NOW, postings=[("a:x", usd("1")), ("b:y", usd("-1"))])
    assert [e.event_id for e in ledger.entries] == event_ids
    copy = Ledger("USD")
    copy.load(ledger.dump())
    assert [e.event_id for e in copy.entries_for("a:x")] == event_ids
