"""Gift conversion: a gift's value, its exact creator/platform split, conversions, caps and budgets.

A gift worth ``coins`` bought on ``channel`` has the value ``coins * coin_value[channel]``, kept
exact (a coin is worth fractions of a cent). The value is split by the fest's shares with
:func:`~festengine.economy.money.allocate`: the creator's and the platform's parts are rounded to
the currency's smallest unit by the fest's rule, and the remainder (which may be a fraction of a
cent, or negative) goes to the rounding account, so the parts always add up to the value.

During a conversion's validity period, ``value * viewer_credit_rate`` (rounded) becomes the
viewer's shopping credit and ``value * creator_bonus_rate`` the creator's affiliate bonus; both
are paid from the conversion's budget, not from the gift, so the split itself never changes.

:class:`GiftPricer` is pure and cached: splits by ``(channel, coins, conversion)``, and the
conversion valid at a time by the interval in which that answer holds. :class:`GiftDesk` turns a
gift event into one journal entry, applying the daily cap per viewer (in fest days) and the budget.
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal
from typing import Any, Final

import attrs

from festengine.catalog.calendar import FestCalendar
from festengine.catalog.model import Conversion
from festengine.catalog.model import Economy as EconomySettings
from festengine.economy.books import PLATFORM_REVENUE, ROUNDING, Books
from festengine.economy.ledger import Posting
from festengine.economy.money import Money, allocate, rounding_mode
from festengine.economy.outcomes import CreditGranted, DailyCapReached, GiftConverted
from festengine.engine.component import StepContext
from festengine.events import Event

__all__ = ["GiftDesk", "GiftPricer", "GiftSplit"]

_ZERO: Final = Decimal(0)
_INF: Final = float("inf")
#: Most splits kept; the cache is emptied when full (gift prices are few, so this rarely happens).
_CACHE_SIZE: Final = 8192


@attrs.frozen(slots=True)
class GiftSplit:
    """The money of one gift event: ``creator + platform + rounding == value``.

    ``spend`` is ``-value`` (what leaves the viewer's coin spend account); ``credit`` and
    ``bonus`` are what the conversion asks of its budget, before caps and the budget's limit.
    """

    value: Money
    spend: Money
    creator: Money
    platform: Money
    rounding: Money
    credit: Decimal
    bonus: Decimal


class GiftPricer:
    """Prices gifts for one fest; pure, with caches that never change an answer."""

    __slots__ = (
        "_cache",
        "_coin_value",
        "_conversions",
        "_currency",
        "_ends",
        "_mode",
        "_quantum",
        "_rule",
        "_shares",
        "_starts",
        "_window",
    )

    def __init__(self, settings: EconomySettings) -> None:
        self._currency = settings.currency
        self._coin_value = dict(settings.coin_value)
        self._shares = (settings.creator_share, settings.platform_share)
        self._quantum = settings.quantum
        self._rule = settings.rounding
        self._mode = rounding_mode(settings.rounding)
        ordered = sorted(settings.conversions, key=lambda c: c.valid_from)
        self._conversions = tuple(ordered)
        self._starts = tuple(c.valid_from.timestamp() for c in ordered)
        self._ends = tuple(c.valid_to.timestamp() for c in ordered)
        #: (from, to, conversion): the answer of :meth:`conversion_at` for every time in [from, to)
        self._window: tuple[float, float, Conversion | None] = (_INF, -_INF, None)
        #: (channel, coins, conversion id) -> the split, and its postings to the platform and rounding
        self._cache: dict[tuple[str, int, str | None], tuple[GiftSplit, tuple[Posting, ...]]] = {}

    def conversion_at(self, ts: float) -> Conversion | None:
        """The conversion valid at POSIX time ``ts`` (valid_from <= ts < valid_to), if any."""
        start, end, found = self._window
        if start <= ts < end:
            return found
        self._window = window = self._find(ts)
        return window[2]

    def _find(self, ts: float) -> tuple[float, float, Conversion | None]:
        index = bisect_right(self._starts, ts) - 1
        if index >= 0 and ts < self._ends[index]:
            return self._starts[index], self._ends[index], self._conversions[index]
        start = self._ends[index] if index >= 0 else -_INF
        end = self._starts[index + 1] if index + 1 < len(self._starts) else _INF
        return start, end, None

    def split(self, channel: str, coins: int, conversion: Conversion | None) -> GiftSplit:
        """The split of a gift of ``coins`` bought on ``channel`` under ``conversion``."""
        return self.priced(channel, coins, conversion)[0]

    def priced(self, channel: str, coins: int, conversion: Conversion | None) -> tuple[GiftSplit, tuple[Posting, ...]]:
        """The split, and its postings to ``platform:revenue`` and ``rounding`` (those not zero)."""
        key = (channel, coins, None if conversion is None else conversion.id)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            split = self._compute(channel, coins, conversion)
            found = self._cache[key] = (split, _tail_postings(split))
        return found

    def value_of(self, channel: str, coins: int) -> Decimal:
        """The exact fiat value of ``coins`` bought on ``channel``."""
        return coins * self._coin_value[channel]

    def _compute(self, channel: str, coins: int, conversion: Conversion | None) -> GiftSplit:
        value = self.value_of(channel, coins)
        parts = allocate(value, self._shares, self._quantum, self._rule)
        creator, platform = parts.parts
        credit = bonus = _ZERO
        if conversion is not None:
            credit = (value * conversion.viewer_credit_rate).quantize(self._quantum, rounding=self._mode)
            bonus = (value * conversion.creator_bonus_rate).quantize(self._quantum, rounding=self._mode)
        currency = self._currency
        return GiftSplit(
            value=Money(value, currency),
            spend=Money(-value, currency),
            creator=Money(creator, currency),
            platform=Money(platform, currency),
            rounding=Money(parts.remainder, currency),
            credit=credit,
            bonus=bonus,
        )


def _tail_postings(split: GiftSplit) -> tuple[Posting, ...]:
    """The postings of a split to the platform's revenue and the rounding account, those not zero."""
    postings: list[Posting] = []
    if split.platform.amount:
        postings.append((PLATFORM_REVENUE, split.platform))
    if split.rounding.amount:
        postings.append((ROUNDING, split.rounding))
    return tuple(postings)


class GiftDesk:
    """Converts gift events into money: one journal entry per gift, with caps and budgets applied."""

    __slots__ = ("_books", "_calendar", "_daily", "_default_channel", "_lateness", "_memos", "_pricer")

    def __init__(self, settings: EconomySettings, calendar: FestCalendar, books: Books, lateness: float) -> None:
        self._pricer = GiftPricer(settings)
        self._default_channel = settings.default_channel
        self._calendar = calendar
        self._books = books
        #: viewer -> fest day -> conversion credit received that day
        #: fest day -> viewer -> conversion credit received that day; days that no event the engine
        #: still accepts can fall on (older than the allowed lateness) are forgotten
        self._daily: dict[int, dict[str, Decimal]] = {}
        self._lateness = lateness
        #: (gift, count, channel) -> the memo of its entries, one string shared by all of them
        self._memos: dict[tuple[str | None, int | None, str], str] = {}

    def on_gift(self, event: Event, ctx: StepContext) -> None:
        """Split the gift's value, add the valid conversion's credit and bonus, post and say so."""
        pricer, books = self._pricer, self._books
        conversion = pricer.conversion_at(ctx.ts)
        channel = event.channel or self._default_channel
        coins = event.coins or 0
        split, tail = pricer.priced(channel, coins, conversion)
        user, creator = event.user_id, event.creator_id or ""
        # the viewer pays the value; the creator, the platform and rounding get it
        postings: list[Posting] = [(f"viewer:{user}:coin_spend", split.spend)]
        if split.creator.amount:
            postings.append((f"creator:{creator}:gift_earnings", split.creator))
        postings += tail
        credit = bonus = books.nothing
        if conversion is not None and (split.credit or split.bonus):
            credit, bonus = self._convert(event, split, conversion, postings, ctx)
        conversion_id = None if conversion is None else conversion.id
        memo_key = (event.gift_id, event.count, channel)
        memo = self._memos.get(memo_key)
        if memo is None:
            if len(self._memos) >= _CACHE_SIZE:
                self._memos.clear()
            memo = self._memos[memo_key] = f"gift {event.gift_id} x{event.count} via {channel}"
        entry = books.post(ctx, conversion_id or "split", memo, postings)
        ctx.emit(
            GiftConverted(
                ctx.event_id,
                user,
                creator,
                event.gift_id or "",
                coins,
                channel,
                split.value,
                split.creator,
                split.platform,
                split.rounding,
                credit,
                bonus,
                conversion_id,
                entry.id,
            )
        )
        if credit.amount and conversion is not None:
            ctx.emit(CreditGranted(ctx.event_id, user, credit, conversion.budget, conversion.id, entry.id))

    def _convert(
        self, event: Event, split: GiftSplit, conversion: Conversion, postings: list[Posting], ctx: StepContext
    ) -> tuple[Money, Money]:
        """Add the conversion's credit and bonus to ``postings``; return what was granted of each."""
        books, user, budget_id = self._books, event.user_id, conversion.budget
        credit = self._capped(user, split.credit, conversion, ctx) if split.credit else _ZERO
        if credit:
            credit = books.draw(budget_id, credit, user, conversion.id, ctx)
            self._count_daily(user, credit, conversion, ctx)
        bonus = books.draw(budget_id, split.bonus, user, conversion.id, ctx, credit) if split.bonus else _ZERO
        if not credit and not bonus:
            return books.nothing, books.nothing
        postings.append((f"budget:{budget_id}", books.money(-(credit + bonus))))
        credited, bonused = books.money(credit), books.money(bonus)
        if credit:
            postings.append((f"viewer:{user}:credits", credited))
        if bonus:
            postings.append((f"creator:{event.creator_id}:affiliate_bonus", bonused))
        return credited, bonused

    def _capped(self, user: str, requested: Decimal, conversion: Conversion, ctx: StepContext) -> Decimal:
        """``requested`` cut to what the conversion's daily cap still allows the viewer today."""
        cap = conversion.daily_cap_per_viewer
        if cap is None:
            return requested
        day = self._calendar.day_of(ctx.ts)
        received = self._daily.get(day)
        allowed = max(_ZERO, cap - (_ZERO if received is None else received.get(user, _ZERO)))
        if requested <= allowed:
            return requested
        money = self._books.money
        ctx.emit(DailyCapReached(ctx.event_id, user, conversion.id, day, money(cap), money(requested), money(allowed)))
        return allowed

    def _count_daily(self, user: str, credit: Decimal, conversion: Conversion, ctx: StepContext) -> None:
        if conversion.daily_cap_per_viewer is None or not credit:
            return
        calendar = self._calendar
        day = calendar.day_of(ctx.ts)
        received = self._daily.get(day)
        if received is None:
            # an event is accepted only if it is at most the allowed lateness older than the clock,
            # which is at least this event's time: days before that can never be asked again
            oldest = calendar.day_of(ctx.ts - self._lateness)
            for old in [old for old in self._daily if old < oldest]:
                del self._daily[old]
            received = self._daily[day] = {}
        received[user] = self._books.share(received.get(user, _ZERO) + credit)

    def dump(self) -> list[list[Any]]:
        return [[user, day, amount] for day, received in self._daily.items() for user, amount in received.items()]

    def load(self, data: list[list[Any]]) -> None:
        self._daily = {}
        for user, day, amount in data:
            self._daily.setdefault(day, {})[user] = amount
