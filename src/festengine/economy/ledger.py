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

from array import array
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from festengine.economy.money import CurrencyMismatchError, Money
from festengine.errors import UnbalancedEntryError

__all__ = ["JournalEntry", "Ledger", "Posting", "party_of"]

Posting: TypeAlias = tuple[str, Money]

_ZERO: Final = Decimal(0)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
#: the date column's mark for a date kept as it is (not in UTC, or a ``datetime`` subclass)
_ODD_AT: Final = -(2**63)
#: the event column's mark for an entry caused by no event (0xFF never occurs in UTF-8)
_NO_EVENT: Final = b"\xff"


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
    balances. The journal is kept compactly, in columns of plain values rather than an object per
    entry: the event ids, rule ids, memos and dates of the entries, and one flat list of every
    posting's account and amount (``_ends`` says where each entry's postings end). An account's
    name is stored once and shared by all its postings, and a posting's currency is not stored at
    all: it is the account's. :class:`JournalEntry` values are made from the columns when asked.
    Accounts in the ledger's own currency need no bookkeeping of their currency; only accounts of
    other currencies are remembered. The index of entries by party is built when
    :meth:`entries_for` is first asked, and kept up to date from then on.
    """

    __slots__ = (
        "_ats",
        "_balances",
        "_by_party",
        "_ends",
        "_event_ends",
        "_event_text",
        "_flat",
        "_foreign",
        "_indexed",
        "_memos",
        "_names",
        "_odd_ats",
        "_rules",
        "currency",
    )

    def __init__(self, currency: str) -> None:
        #: the ledger's main currency; queries of accounts never posted to answer in it
        self.currency = currency
        self._clear()

    def _clear(self) -> None:
        #: the journal, one column per field: the entry at position ``p`` (0-based) is the event
        #: ``_event(p)``, ``_rules[p]``, ``_memos[p]``, the date ``_at(p)`` and the postings
        #: ``_flat[_ends[p - 1]:_ends[p]]`` (account, amount, account, amount…; from 0 for the first)
        #: event ids, one after the other in UTF-8 (``_NO_EVENT`` for none), ending at ``_event_ends``
        self._event_text = bytearray()
        self._event_ends = array("q")
        self._rules: list[str] = []
        self._memos: list[str] = []
        #: dates as microseconds since the epoch (UTC dates), else ``_ODD_AT`` and the date in ``_odd_ats``
        self._ats = array("q")
        self._odd_ats: dict[int, datetime] = {}
        self._flat: list[Any] = []
        self._ends = array("q")
        #: account -> balance, in the order accounts were first posted to
        self._balances: dict[str, Decimal] = {}
        #: account -> the same name, so that every posting to an account shares one string
        self._names: dict[str, str] = {}
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
        plain = self._validate(rule_id, memo, postings)
        entry = JournalEntry(len(self._ends) + 1, event_id, rule_id, memo, at, tuple(postings))
        self._record(event_id, rule_id, memo, at, entry.postings, plain)
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

    def _record(
        self, event_id: str | None, rule_id: str, memo: str, at: datetime, postings: Iterable[Posting], plain: bool
    ) -> None:
        """Append a checked entry to the journal and move the balances.

        ``plain`` says that every posting is in the ledger's currency (no other currency to note).
        """
        balances = self._balances
        names = self._names
        append = self._flat.append
        currency = self.currency
        for account, money in postings:
            amount = money.amount
            name = names.get(account)
            if name is None:
                name = names[account] = account
                # a new balance is 0 + amount; that is the amount itself (keep that one object)
                # unless the sum differs from it in sign, exponent or digits, as for -0.00 or 1E+1
                start = _ZERO + amount
                balances[name] = start if start.compare_total(amount) else amount
            else:
                balances[name] += amount
            if not plain and money.currency != currency:
                self._foreign[name] = money.currency
            append(name)
            append(amount)
        self._event_text += _NO_EVENT if event_id is None else event_id.encode("utf-8", "surrogatepass")
        self._event_ends.append(len(self._event_text))
        self._rules.append(rule_id)
        self._memos.append(memo)
        if at.tzinfo is UTC and at.__class__ is datetime and not at.fold:
            self._ats.append((at - _EPOCH) // _MICROSECOND)
        else:
            self._odd_ats[len(self._ends)] = at
            self._ats.append(_ODD_AT)
        self._ends.append(len(self._flat))

    def _event(self, position: int) -> str | None:
        """The id of the event that caused the entry at ``position``."""
        ends = self._event_ends
        text = bytes(self._event_text[ends[position - 1] if position else 0 : ends[position]])
        return None if text == _NO_EVENT else text.decode("utf-8", "surrogatepass")

    def _at(self, position: int) -> datetime:
        """The date of the entry at ``position``."""
        micros = self._ats[position]
        return self._odd_ats[position] if micros == _ODD_AT else _EPOCH + timedelta(microseconds=micros)

    def _postings_at(self, position: int) -> list[Any]:
        """The flat (account, amount, account, amount…) postings of the entry at ``position``."""
        ends = self._ends
        return self._flat[ends[position - 1] if position else 0 : ends[position]]

    def _entry(self, position: int) -> JournalEntry:
        """The journal entry at ``position`` (0-based), made from the columns."""
        flat = self._postings_at(position)
        foreign, currency = self._foreign, self.currency
        postings = tuple(
            (account, Money(amount, foreign.get(account, currency)))
            for account, amount in zip(flat[::2], flat[1::2], strict=True)
        )
        return JournalEntry(
            position + 1,
            self._event(position),
            self._rules[position],
            self._memos[position],
            self._at(position),
            postings,
        )

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
        return tuple(self._entry(position) for position in range(len(self._ends)))

    def __len__(self) -> int:
        return len(self._ends)

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
            return tuple(self._entry(p) for p in within if party in self._postings_at(p)[::2])
        both = sorted({*by_party.get(f"viewer:{party}", []), *by_party.get(f"creator:{party}", [])})
        return tuple(self._entry(p) for p in both)

    def _index(self) -> dict[str, list[int]]:
        """The party index, brought up to date with the entries posted since it was last asked."""
        by_party = self._by_party
        for position in range(self._indexed, len(self._ends)):
            for party in dict.fromkeys(party_of(account) for account in self._postings_at(position)[::2]):
                by_party.setdefault(party, []).append(position)
        self._indexed = len(self._ends)
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
        foreign, currency = self._foreign, self.currency
        dumped: list[Any] = []
        for position in range(len(self._ends)):
            flat = self._postings_at(position)
            postings = [
                [account, str(amount), foreign.get(account, currency)]
                for account, amount in zip(flat[::2], flat[1::2], strict=True)
            ]
            at = self._at(position).isoformat()
            dumped.append(
                [position + 1, self._event(position), self._rules[position], self._memos[position], at, postings]
            )
        return dumped

    def load(self, data: Iterable[Any]) -> None:
        """Replace the ledger's contents with a journal :meth:`dump` produced."""
        self._clear()
        for item in data:
            entry = _load_entry(item)
            self._record(entry.event_id, entry.rule_id, entry.memo, entry.at, entry.postings, False)


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
