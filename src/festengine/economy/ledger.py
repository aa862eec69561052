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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from festengine.economy.money import CurrencyMismatchError, Money
from festengine.errors import UnbalancedEntryError

__all__ = ["JournalEntry", "Ledger", "Posting", "party_of"]

Posting: TypeAlias = tuple[str, Money]
_Row: TypeAlias = tuple[str, Decimal, str]

_ZERO: Final = Decimal(0)


def party_of(account: str) -> str:
    """The party an account belongs to: ``viewer:u1:credits`` -> ``viewer:u1``; ``rounding`` -> ``rounding``."""
    return account.rpartition(":")[0] or account


@attrs.frozen(slots=True)
class JournalEntry:
    """One balanced money movement, with what caused it.

    ``id`` is the entry's position in the journal (1, 2, 3…), so replays number entries alike;
    ``event_id`` is the causing event (``None`` for the budget funding made when the engine starts,
    or for settlements fired by ``advance_to``); ``rule_id`` names the fest rule that moved the
    money (a conversion, a commission rule, a mission, a budget, ``split``…).
    """

    id: int
    event_id: str | None
    rule_id: str
    memo: str
    at: datetime
    postings: tuple[Posting, ...]

    def amount_of(self, account: str) -> Money | None:
        """What this entry posted to ``account`` (``None`` if it did not touch it)."""
        for name, money in self.postings:
            if name == account:
                return money
        return None

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(account for account, _ in self.postings)


def _unbalanced(postings: Sequence[Posting]) -> dict[str, Decimal]:
    """The non-zero sums per currency of ``postings`` (empty when they balance)."""
    sums: dict[str, Decimal] = {}
    for _account, money in postings:
        sums[money.currency] = sums.get(money.currency, _ZERO) + money.amount
    return {currency: total for currency, total in sums.items() if total}


class Ledger:
    """The journal and the balances of every account, in one fest currency by default.

    Posting is the hot path, so it does little: one pass to check the entry, one to move the
    balances. The journal is kept as rows of plain values (strings, ``Decimal``, ``datetime``), which
    the garbage collector need not walk; :class:`JournalEntry` values are made from them when asked.
    Accounts in the ledger's own currency need no bookkeeping of their currency; only accounts of
    other currencies are remembered. The index of entries by party is built when
    :meth:`entries_for` is first asked, and kept up to date from then on.
    """

    __slots__ = ("_balances", "_by_party", "_foreign", "_indexed", "_rows", "currency")

    def __init__(self, currency: str) -> None:
        #: the ledger's main currency; queries of accounts never posted to answer in it
        self.currency = currency
        #: the journal: (event_id, rule_id, memo, at, ((account, amount, currency), …)) per entry
        self._rows: list[tuple[str | None, str, str, datetime, tuple[_Row, ...]]] = []
        self._balances: dict[str, Decimal] = {}
        #: accounts holding a currency other than ``currency``, and that currency
        self._foreign: dict[str, str] = {}
        #: party -> positions in the journal of the entries that touch it, for the first ``_indexed``
        self._by_party: dict[str, list[int]] = {}
        self._indexed = 0

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
        """Record one entry and update the balances; all or nothing.

        Raises :class:`~festengine.errors.UnbalancedEntryError` when the postings do not sum to
        zero per currency and :class:`~festengine.economy.money.CurrencyMismatchError` when an
        account would receive a second currency: both are bugs of the caller.
        """
        self._validate(rule_id, memo, postings)
        entry = JournalEntry(len(self._rows) + 1, event_id, rule_id, memo, at, tuple(postings))
        self._record(entry)
        return entry

    def _validate(self, rule_id: str, memo: str, postings: Sequence[Posting]) -> None:
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
        elif total:
            raise UnbalancedEntryError(
                f"entry {rule_id!r} ({memo}) does not balance: postings sum to {total} {currency}"
            )

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

    def _record(self, entry: JournalEntry) -> None:
        row = tuple([(account, money.amount, money.currency) for account, money in entry.postings])
        balances = self._balances
        get = balances.get
        currency = self.currency
        for account, amount, held in row:
            balances[account] = get(account, _ZERO) + amount
            if held != currency:
                self._foreign[account] = held
        self._rows.append((entry.event_id, entry.rule_id, entry.memo, entry.at, row))

    def _entry(self, position: int) -> JournalEntry:
        """The journal entry at ``position`` (0-based), made from its row."""
        event_id, rule_id, memo, at, row = self._rows[position]
        postings = tuple((account, Money(amount, currency)) for account, amount, currency in row)
        return JournalEntry(position + 1, event_id, rule_id, memo, at, postings)

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

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        """The whole journal, oldest first."""
        return tuple(self._entry(position) for position in range(len(self._rows)))

    def __len__(self) -> int:
        return len(self._rows)

    def entries_for(self, party: str) -> tuple[JournalEntry, ...]:
        """The entries touching a party (``viewer:u1``, ``creator:c1``, ``platform``…) or one account.

        A bare id such as ``u1`` (not itself a party) means both ``viewer:u1`` and ``creator:u1``.
        """
        by_party = self._index()
        positions = by_party.get(party)
        if positions is not None:
            return tuple(self._entry(p) for p in positions)
        if ":" in party:
            within = by_party.get(party_of(party), [])
            return tuple(self._entry(p) for p in within if any(item[0] == party for item in self._rows[p][4]))
        both = sorted({*by_party.get(f"viewer:{party}", []), *by_party.get(f"creator:{party}", [])})
        return tuple(self._entry(p) for p in both)

    def _index(self) -> dict[str, list[int]]:
        """The party index, brought up to date with the entries posted since it was last asked."""
        by_party = self._by_party
        for position in range(self._indexed, len(self._rows)):
            for party in dict.fromkeys(party_of(item[0]) for item in self._rows[position][4]):
                by_party.setdefault(party, []).append(position)
        self._indexed = len(self._rows)
        return by_party

    def trial_balance(self) -> dict[str, Decimal]:
        """The sum of all balances per currency code: every one is zero when the books balance."""
        sums: dict[str, Decimal] = {}
        for account, amount in self._balances.items():
            currency = self.currency_of(account)
            sums[currency] = sums.get(currency, _ZERO) + amount
        return sums

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> list[Any]:
        """The journal as JSON-ready lists; balances are rebuilt from it on :meth:`load`."""
        return [
            [position, event_id, rule_id, memo, at.isoformat(), [[a, str(amount), c] for a, amount, c in row]]
            for position, (event_id, rule_id, memo, at, row) in enumerate(self._rows, start=1)
        ]

    def load(self, data: Iterable[Any]) -> None:
        """Replace the ledger's contents with a journal :meth:`dump` produced."""
        self._rows = []
        self._balances = {}
        self._foreign = {}
        self._by_party = {}
        self._indexed = 0
        for item in data:
            self._record(_load_entry(item))


def _load_entry(item: Sequence[Any]) -> JournalEntry:
    entry_id, event_id, rule_id, memo, at, postings = item
    return JournalEntry(
        int(entry_id),
        event_id,
        rule_id,
        memo,
        datetime.fromisoformat(at),
        tuple((account, Money(Decimal(amount), currency)) for account, amount, currency in postings),
    )
