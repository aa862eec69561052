"""Exact money for fests: ``Money``, a double-entry ledger, gift conversion and affiliate commission.

The :class:`~festengine.economy.component.Economy` engine component posts every money movement to
a :class:`Ledger`, which keeps the balances and hands each entry to a :class:`JournalSink` (by
default a :class:`MemoryJournal`); see ``docs/economy.md``.
"""

from __future__ import annotations

from festengine.economy.journal import JournalSink, MemoryJournal
from festengine.economy.ledger import JournalEntry, JournalNotKeptError, Ledger, Posting, party_of
from festengine.economy.money import (
    ROUNDING_RULES,
    Allocation,
    CurrencyMismatchError,
    Money,
    MoneyError,
    allocate,
    quantum_of,
    round_amount,
    rounding_mode,
)
from festengine.economy.outcomes import (
    BudgetExhausted,
    CommissionAccrued,
    CommissionBoostGranted,
    CommissionReversed,
    CommissionSettled,
    CreditGranted,
    CreditsExpired,
    CreditsReturned,
    CreditsSpent,
    DailyCapReached,
    DiscountPaid,
    GiftConverted,
    LedgerEntryPosted,
    OrderDelivered,
    OrderRecorded,
    OrderRefunded,
)

__all__ = [
    "ROUNDING_RULES",
    "Allocation",
    "BudgetExhausted",
    "CommissionAccrued",
    "CommissionBoostGranted",
    "CommissionReversed",
    "CommissionSettled",
    "CreditGranted",
    "CreditsExpired",
    "CreditsReturned",
    "CreditsSpent",
    "CurrencyMismatchError",
    "DailyCapReached",
    "DiscountPaid",
    "GiftConverted",
    "JournalEntry",
    "JournalNotKeptError",
    "JournalSink",
    "Ledger",
    "LedgerEntryPosted",
    "MemoryJournal",
    "Money",
    "MoneyError",
    "OrderDelivered",
    "OrderRecorded",
    "OrderRefunded",
    "Posting",
    "allocate",
    "party_of",
    "quantum_of",
    "round_amount",
    "rounding_mode",
]
