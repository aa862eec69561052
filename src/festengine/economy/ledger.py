"""A double-entry ledger: every money movement is one balanced journal entry.

Accounts are strings named ``<party>:<purpose>``, for example ``viewer:u1:credits``,
``creator:c1:commission_pending``, ``platform:revenue``, ``budget:fest_rewards`` or ``rounding``.
The *party* of an account is everything before its last ``:`` (``viewer:u1``, ``creator:c1``,
``platform``, ``budget``); an account without ``:`` is its own party.

A posting is ``(account, Money)``; its amount is signed: positive means money flows *into* the
account, negative means it flows out. So a creator's earnings are positive, and the account a
movement is paid from (a viewer's coin spend, a budget being drawn, the platform's commission
expense) goes down. The postings of an entry sum to zero in each currency (else
:class:`~festengine.errors.UnbalancedEntryError`: a bug), so the balances of all accounts always
sum to zero per currency, which :meth:`Ledger.trial_balance` shows. Each account holds one
currency.

The ledger keeps the balances as running totals and hands every entry to a
:class:`~festengine.economy.journal.JournalSink`: by default a
:class:`~festengine.economy.journal.MemoryJournal`, which keeps the journal readable
(:attr:`Ledger.entries`, :meth:`Ledger.entries_for`); with another sink the ledger holds no
journal, and reading it raises :class:`JournalNotKeptError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final

from festengine.economy.journal import JournalEntry, JournalRow, JournalSink, MemoryJournal, Posting, party_of
from festengine.economy.money import CurrencyMismatchError, Money
from festengine.economy.plain import Plain, as_decimal, as_int, as_list, as_mapping, as_optional_str, as_str
from festengine.errors import FestEngineError, UnbalancedEntryError

__all__ = [
    "JournalEntry",
    "JournalNotKeptError",
    "JournalRow",
    "JournalSink",
    "Ledger",
    "MemoryJournal",
    "Posting",
    "entry_of",
    "party_of",
]

_ZERO: Final = Decimal(0)


class JournalNotKeptError(FestEngineError, LookupError):
    """The journal was asked for, but the ledger hands its entries to an outside sink and keeps none."""


def _unbalanced(postings: Sequence[Posting]) -> dict[str, Decimal]:
    """The non-zero sums per currency of ``postings`` (empty when they balance)."""
    sums: dict[str, Decimal] = {}
    for _account, money in postings:
        sums[money.currency] = sums.get(money.currency, _ZERO) + money.amount
    return {currency: total for currency, total in sums.items() if total}


class Ledger:
    """The balances of every account, in one fest currency by default, and where the journal goes.

    Posting is the hot path, so it does little: one pass to check the entry, one to move the
    balances, then the entry goes to the journal sink. Accounts in the ledger's own currency need
    no bookkeeping of their currency; only accounts of other currencies are remembered.
    """

    __slots__ = ("_balances", "_foreign", "_posted", "currency", "journal")

    def __init__(self, currency: str, journal: JournalSink | None = None) -> None:
        #: the ledger's main currency; queries of accounts never posted to answer in it
        self.currency = currency
        #: where every entry goes once posted (by default kept in memory)
        self.journal: JournalSink = MemoryJournal(currency) if journal is None else journal
        self._clear(0)

    def _clear(self, posted: int) -> None:
        #: how many entries were posted: the last entry's id
        self._posted = posted
        #: account -> balance, in the order accounts were first posted to
        self._balances: dict[str, Decimal] = {}
        #: accounts holding a currency other than ``currency``, and that currency
        self._foreign: dict[str, str] = {}

    # ------------------------------------------------------------------ posting

    def post(
        self,
        *,
        event_id: str | None,
        rule_id: str,
        memo: str,
        at: datetime,
        postings: Sequence[Posting],
    ) -> JournalEntry:
        """Record one entry: move the balances and hand it to the journal; all or nothing.

        Raises :class:`~festengine.errors.UnbalancedEntryError` when the postings do not sum to
        zero per currency and :class:`~festengine.economy.money.CurrencyMismatchError` when an
        account would receive a second currency: both are bugs of the caller.
        """
        plain = self._validate(rule_id, memo, postings)
        entry = JournalEntry(
            id=self._posted + 1, event_id=event_id, rule_id=rule_id, memo=memo, at=at, postings=tuple(postings)
        )
        self._move(entry.postings, plain)
        self._posted = entry.id
        self.journal.append(entry)
        return entry

    def _validate(self, rule_id: str, memo: str, postings: Sequence[Posting]) -> bool:
        """Raise if the entry is not balanced; whether all is in the ledger's currency (the usual case)."""
        if not postings:
            raise UnbalancedEntryError(f"entry {rule_id!r} ({memo}) has no postings")
        currency = self.currency
        total = _ZERO
        plain = True
        for account, money in postings:
            if money.__class__ is not Money:
                raise UnbalancedEntryError(f"entry {rule_id!r} ({memo}): {account!r} is posted {money!r}, not Money")
            if money.currency != currency:
                plain = False
            total += money.amount
        if not plain or self._foreign:
            self._validate_currencies(rule_id, memo, postings)
            return False
        if total:
            raise UnbalancedEntryError(
                f"entry {rule_id!r} ({memo}) does not balance: postings sum to {total} {currency}"
            )
        return True

    def _validate_currencies(self, rule_id: str, memo: str, postings: Sequence[Posting]) -> None:
        """The slow path: several currencies, or accounts of other currencies exist."""
        held: dict[str, str] = {}
        for account, money in postings:
            if account in self._foreign:
                known = self._foreign[account]
            elif account in self._balances:
                known = self.currency
            else:
                known = held.setdefault(account, money.currency)
            if known != money.currency:
                raise CurrencyMismatchError(known, money.currency)
        if left := _unbalanced(postings):
            sums = ", ".join(f"{amount} {code}" for code, amount in left.items())
            raise UnbalancedEntryError(f"entry {rule_id!r} ({memo}) does not balance: postings sum to {sums}")

    def _move(self, postings: Sequence[Posting], plain: bool) -> None:
        """Move the balances by a checked entry's postings.

        ``plain`` says that every posting is in the ledger's currency (no other currency to note).
        """
        balances = self._balances
        currency = self.currency
        for account, money in postings:
            amount = money.amount
            balance = balances.get(account)
            if balance is None:
                # a new balance is 0 + amount; that is the amount itself (keep that one object)
                # unless the sum differs from it in sign, exponent or digits, as for -0.00 or 1E+1
                start = _ZERO + amount
                balances[account] = start if start.compare_total(amount) else amount
            else:
                balances[account] = balance + amount
            if not plain and money.currency != currency:
                self._foreign[account] = money.currency

    # ------------------------------------------------------------------ queries

    def currency_of(self, account: str) -> str:
        """The currency an account holds (the ledger's for accounts never posted to)."""
        return self._foreign.get(account, self.currency)

    def amount(self, account: str) -> Decimal:
        """The balance of ``account`` as a bare ``Decimal`` (zero if it was never posted to)."""
        return self._balances.get(account, _ZERO)

    def balance(self, account: str) -> Money:
        """The balance of ``account`` (zero in the ledger's currency if it was never posted to)."""
        return Money(self._balances.get(account, _ZERO), self.currency_of(account))

    def accounts(self) -> dict[str, Money]:
        """Every account and its balance, in the order they were first posted to."""
        return {account: self.balance(account) for account in self._balances}

    def __len__(self) -> int:
        """How many entries were posted (also those handed to an outside sink)."""
        return self._posted

    def _kept(self) -> MemoryJournal:
        journal = self.journal
        if isinstance(journal, MemoryJournal):
            return journal
        raise JournalNotKeptError(
            f"the ledger hands its journal to {type(journal).__name__} and keeps no entries; read them there"
        )

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        """The journal kept in memory, oldest first (:class:`JournalNotKeptError` with an outside sink)."""
        return self._kept().entries

    def entries_for(self, party: str) -> tuple[JournalEntry, ...]:
        """The entries touching a party (``viewer:u1``, ``creator:c1``, ``platform``…) or one account.

        A bare id such as ``u1`` (not itself a party) means both ``viewer:u1`` and ``creator:u1``.
        :class:`JournalNotKeptError` with an outside sink.
        """
        return self._kept().entries_for(party)

    def trial_balance(self) -> dict[str, Decimal]:
        """The sum of all balances per currency code: every one is zero when the books balance."""
        sums: dict[str, Decimal] = {}
        for account, amount in self._balances.items():
            currency = self.currency_of(account)
            sums[currency] = sums.get(currency, _ZERO) + amount
        return sums

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """The balances (and the journal, when kept in memory) as JSON-ready values, amounts as text.

        ``journal`` is ``None`` when the entries went to an outside sink: a snapshot then holds the
        balances and the number of entries posted, not the entries.
        """
        journal = self.journal
        return {
            "posted": self._posted,
            "balances": {account: str(amount) for account, amount in self._balances.items()},
            "foreign": dict(self._foreign),
            "journal": journal.dump() if isinstance(journal, MemoryJournal) else None,
        }

    def load(self, data: Plain) -> None:
        """Replace the ledger's contents with what :meth:`dump` produced.

        A journal kept in memory takes the dumped entries (or starts empty after the last entry
        posted, if the dump has none); an outside sink is left as it is: it has the entries already.
        """
        self._clear(as_int(data["posted"]))
        for account, amount in as_mapping(data["balances"]).items():
            self._balances[account] = Decimal(as_str(amount))
        for account, currency in as_mapping(data["foreign"]).items():
            self._foreign[account] = as_str(currency)
        journal = self.journal
        if isinstance(journal, MemoryJournal):
            rows = [entry_of(as_mapping(row)) for row in as_list(data["journal"] or [])]
            journal.load(rows, rows[0].id if rows else self._posted + 1)


def entry_of(row: Plain) -> JournalEntry:
    """A journal entry from its JSON-ready record (see :meth:`MemoryJournal.dump`)."""
    postings: list[Posting] = []
    for posting in as_list(row["postings"]):
        account, amount, currency = as_list(posting)
        postings.append((as_str(account), Money(as_decimal(amount), as_str(currency))))
    return JournalEntry(
        id=as_int(row["id"]),
        event_id=as_optional_str(row["event"]),
        rule_id=as_str(row["rule"]),
        memo=as_str(row["memo"]),
        at=datetime.fromisoformat(as_str(row["at"])),
        postings=tuple(postings),
    )
