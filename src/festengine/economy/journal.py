"""Where journal entries go: the :class:`JournalSink` protocol and the default :class:`MemoryJournal`.

The ledger keeps the balances of every account itself (running totals) and hands each entry it
posts to a sink. The default sink, :class:`MemoryJournal`, keeps the entries in the engine's
memory so that they can be read back (``engine.ledger.entries``, ``engine.entries(party)``) and
travel in snapshots. Any object with an ``append(entry)`` method can take its place, for example
one that writes the entries to a database or a topic; the engine then holds no journal at all and
its state no longer grows with the number of entries.
"""

from __future__ import annotations

from array import array
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final, Protocol, TypeAlias, runtime_checkable

import attrs

from festengine.economy.money import Money

__all__ = ["JournalEntry", "JournalRow", "JournalSink", "MemoryJournal", "Posting", "party_of"]

Posting: TypeAlias = tuple[str, Money]
#: one journal entry as JSON-ready values: its fields by name, postings as ``[account, amount, currency]``
JournalRow: TypeAlias = dict[str, object]

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


@runtime_checkable
class JournalSink(Protocol):
    """Receives every journal entry the ledger posts, in order, once (entry ids 1, 2, 3…).

    ``append`` is called after the entry was checked (it balances) and the balances moved; an
    exception it raises is a failure of the engine (the event was half applied).
    """

    def append(self, entry: JournalEntry) -> None:
        """Take one posted entry."""


class MemoryJournal:
    """The default sink: the journal kept in memory, compactly, and readable back.

    Entries are kept in columns of plain values rather than an object per entry: the event ids,
    rule ids, memos and dates, and one flat list of every posting's account and amount (``_ends``
    says where each entry's postings end). An account's name is stored once and shared by all its
    postings, and a posting's currency is stored only for accounts of another currency than
    ``currency``. :class:`JournalEntry` values are made from the columns when asked. The index of
    entries by party is built when :meth:`entries_for` is first asked, and kept up to date.
    """

    __slots__ = (
        "_accounts",
        "_amounts",
        "_ats",
        "_by_party",
        "_ends",
        "_event_ends",
        "_event_text",
        "_first",
        "_foreign",
        "_indexed",
        "_memos",
        "_names",
        "_odd_ats",
        "_rules",
        "currency",
    )

    def __init__(self, currency: str) -> None:
        #: the currency most postings are in; only postings in another one note theirs
        self.currency = currency
        self.clear(1)

    def clear(self, first_id: int) -> None:
        """Forget every entry; the next one appended will be entry ``first_id``."""
        #: the id of the entry at position 0 (1 unless the journal started after a restore)
        self._first = first_id
        #: event ids, one after the other in UTF-8 (``_NO_EVENT`` for none), ending at ``_event_ends``
        self._event_text = bytearray()
        self._event_ends = array("q")
        self._rules: list[str] = []
        self._memos: list[str] = []
        #: dates as microseconds since the epoch (UTC dates), else ``_ODD_AT`` and the date in ``_odd_ats``
        self._ats = array("q")
        self._odd_ats: dict[int, datetime] = {}
        #: every posting's account and amount; the postings of the entry at position ``p`` are
        #: ``[_ends[p - 1]:_ends[p]]`` (from 0 for the first)
        self._accounts: list[str] = []
        self._amounts: list[Decimal] = []
        self._ends = array("q")
        #: account -> the same name, so that every posting to an account shares one string
        self._names: dict[str, str] = {}
        #: accounts holding a currency other than ``currency``, and that currency
        self._foreign: dict[str, str] = {}
        #: party -> positions of the entries that touch it, for the first ``_indexed`` entries
        self._by_party: dict[str, list[int]] = {}
        self._indexed = 0

    # ------------------------------------------------------------------ the sink

    def append(self, entry: JournalEntry) -> None:
        """Keep ``entry``; it must be the next one (``first_id``, then one more each time)."""
        expected = self._first + len(self._ends)
        if entry.id != expected:
            raise ValueError(f"journal entry {entry.id} appended where entry {expected} was due")
        names, currency = self._names, self.currency
        for account, money in entry.postings:
            name = names.get(account)
            if name is None:
                name = names[account] = account
            if money.currency != currency:
                self._foreign[name] = money.currency
            self._accounts.append(name)
            self._amounts.append(money.amount)
        event_id = entry.event_id
        self._event_text += _NO_EVENT if event_id is None else event_id.encode("utf-8", "surrogatepass")
        self._event_ends.append(len(self._event_text))
        self._rules.append(entry.rule_id)
        self._memos.append(entry.memo)
        at = entry.at
        if at.tzinfo is UTC and at.__class__ is datetime and not at.fold:
            self._ats.append((at - _EPOCH) // _MICROSECOND)
        else:
            self._odd_ats[len(self._ends)] = at
            self._ats.append(_ODD_AT)
        self._ends.append(len(self._accounts))

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._ends)

    @property
    def first_id(self) -> int:
        """The id of the oldest entry kept (of the next one, while the journal is empty)."""
        return self._first

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry kept, oldest first."""
        return tuple(self._entry(position) for position in range(len(self._ends)))

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
            return tuple(self._entry(p) for p in within if party in self._accounts_at(p))
        both = sorted({*by_party.get(f"viewer:{party}", []), *by_party.get(f"creator:{party}", [])})
        return tuple(self._entry(p) for p in both)

    def _index(self) -> dict[str, list[int]]:
        """The party index, brought up to date with the entries appended since it was last asked."""
        by_party = self._by_party
        for position in range(self._indexed, len(self._ends)):
            for party in dict.fromkeys(party_of(account) for account in self._accounts_at(position)):
                by_party.setdefault(party, []).append(position)
        self._indexed = len(self._ends)
        return by_party

    def _span(self, position: int) -> slice:
        ends = self._ends
        return slice(ends[position - 1] if position else 0, ends[position])

    def _accounts_at(self, position: int) -> list[str]:
        return self._accounts[self._span(position)]

    def _event(self, position: int) -> str | None:
        ends = self._event_ends
        text = bytes(self._event_text[ends[position - 1] if position else 0 : ends[position]])
        return None if text == _NO_EVENT else text.decode("utf-8", "surrogatepass")

    def _at(self, position: int) -> datetime:
        micros = self._ats[position]
        return self._odd_ats[position] if micros == _ODD_AT else _EPOCH + timedelta(microseconds=micros)

    def _postings(self, position: int) -> tuple[Posting, ...]:
        span, foreign, currency = self._span(position), self._foreign, self.currency
        return tuple(
            (account, Money(amount, foreign.get(account, currency)))
            for account, amount in zip(self._accounts[span], self._amounts[span], strict=True)
        )

    def _entry(self, position: int) -> JournalEntry:
        """The journal entry at ``position`` (0-based), made from the columns."""
        return JournalEntry(
            id=self._first + position,
            event_id=self._event(position),
            rule_id=self._rules[position],
            memo=self._memos[position],
            at=self._at(position),
            postings=self._postings(position),
        )

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> list[JournalRow]:
        """The entries as JSON-ready records (amounts as text, dates in ISO 8601)."""
        return [_row(self._entry(position)) for position in range(len(self._ends))]

    def load(self, rows: list[JournalEntry], first_id: int) -> None:
        """Replace the journal with ``rows`` (entries ``first_id``, ``first_id + 1``…)."""
        self.clear(first_id)
        for entry in rows:
            self.append(entry)


def _row(entry: JournalEntry) -> JournalRow:
    return {
        "id": entry.id,
        "event": entry.event_id,
        "rule": entry.rule_id,
        "memo": entry.memo,
        "at": entry.at.isoformat(),
        "postings": [[account, str(money.amount), money.currency] for account, money in entry.postings],
    }
