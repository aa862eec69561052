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
conversion valid at a time by the span in which that answer holds. :class:`GiftDesk` (viewer key)
turns a gift event into one journal entry (the split), applies the daily cap per viewer (in fest
days) and asks the conversion's budget, on the fest's key, for the credit and the bonus with a
:class:`~festengine.economy.messages.GrantCredit`; the credit asked counts towards the daily cap at
once, and what the budget does not grant is taken back when its answer arrives (:meth:`GiftDesk.on_answer`).
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal
from typing import Final

import attrs

from festengine.catalog.calendar import FestCalendar
from festengine.catalog.model import Conversion
from festengine.catalog.model import Economy as EconomySettings
from festengine.economy.books import PLATFORM_REVENUE, ROUNDING, Books
from festengine.economy.ledger import Posting
from festengine.economy.messages import FEST, GrantAnswer, GrantCredit
from festengine.economy.money import Money, allocate, rounding_mode
from festengine.economy.outcomes import DailyCapReached, GiftConverted
from festengine.economy.plain import Plain, as_decimal, as_int, as_list, as_mapping
from festengine.engine.component import StepContext
from festengine.events import Event

__all__ = ["ConversionSpan", "CreditWallet", "GiftDesk", "GiftPricer", "GiftSplit"]

_ZERO: Final = Decimal(0)
_INF: Final = float("inf")
#: Most splits kept; the cache is emptied when full (gift prices are few, so this rarely happens).
_CACHE_SIZE: Final = 8192


@attrs.frozen(slots=True)
class GiftSplit:
    """The money of one gift event: ``creator + platform + rounding == value``.

    ``spend`` is ``-value`` (what leaves the viewer's coin spend account); ``credit`` and
    ``bonus`` are what the conversion asks of its budget, before caps and the budget's limit;
    ``tail`` holds the split's postings to ``platform:revenue`` and ``rounding`` (those not zero).
    """

    value: Money
    spend: Money
    creator: Money
    platform: Money
    rounding: Money
    credit: Decimal
    bonus: Decimal
    tail: tuple[Posting, ...]


@attrs.frozen(slots=True)
class ConversionSpan:
    """The conversion valid (or ``None``: no conversion) at every time in ``[start, end)``."""

    start: float
    end: float
    conversion: Conversion | None


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
        #: the answer of :meth:`conversion_at` last found, and the times it holds for
        self._window = ConversionSpan(start=_INF, end=-_INF, conversion=None)
        #: (channel, coins, conversion id) -> the split
        self._cache: dict[tuple[str, int, str | None], GiftSplit] = {}

    def conversion_at(self, ts: float) -> Conversion | None:
        """The conversion valid at POSIX time ``ts`` (valid_from <= ts < valid_to), if any."""
        window = self._window
        if window.start <= ts < window.end:
            return window.conversion
        self._window = window = self._find(ts)
        return window.conversion

    def _find(self, ts: float) -> ConversionSpan:
        index = bisect_right(self._starts, ts) - 1
        if index >= 0 and ts < self._ends[index]:
            return ConversionSpan(start=self._starts[index], end=self._ends[index], conversion=self._conversions[index])
        start = self._ends[index] if index >= 0 else -_INF
        end = self._starts[index + 1] if index + 1 < len(self._starts) else _INF
        return ConversionSpan(start=start, end=end, conversion=None)

    def split(self, channel: str, coins: int, conversion: Conversion | None) -> GiftSplit:
        """The split of a gift of ``coins`` bought on ``channel`` under ``conversion``."""
        key = (channel, coins, None if conversion is None else conversion.id)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            found = self._cache[key] = self._compute(channel, coins, conversion)
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
        platform_money, rounding = Money(platform, currency), Money(parts.remainder, currency)
        return GiftSplit(
            value=Money(value, currency),
            spend=Money(-value, currency),
            creator=Money(creator, currency),
            platform=platform_money,
            rounding=rounding,
            credit=credit,
            bonus=bonus,
            tail=_tail_postings(platform_money, rounding),
        )


def _tail_postings(platform: Money, rounding: Money) -> tuple[Posting, ...]:
    """The postings of a split to the platform's revenue and the rounding account, those not zero."""
    postings: list[Posting] = []
    if platform.amount:
        postings.append((PLATFORM_REVENUE, platform))
    if rounding.amount:
        postings.append((ROUNDING, rounding))
    return tuple(postings)


class CreditWallet:
    """The conversion credit one viewer received per fest day (viewer key), for the daily caps.

    ``received`` is what the viewer got on fest day ``day``, the newest day they got any;
    ``earlier`` holds older days that an accepted event can still fall on (within the allowed
    lateness), usually none.
    """

    __slots__ = ("day", "earlier", "received")

    def __init__(self, day: int, received: Decimal, earlier: dict[int, Decimal] | None = None) -> None:
        self.day = day
        self.received = received
        self.earlier = earlier

    def received_on(self, day: int) -> Decimal:
        """The credit received on fest ``day``."""
        if day == self.day:
            return self.received
        return _ZERO if self.earlier is None else self.earlier.get(day, _ZERO)

    def add(self, day: int, credit: Decimal, oldest: int) -> Decimal:
        """Count ``credit`` on ``day``, forget days before ``oldest``; return the day's new total."""
        if day == self.day:
            self.received += credit
            return self.received
        earlier = {d: amount for d, amount in (self.earlier or {}).items() if d >= oldest}
        if day > self.day:
            if self.day >= oldest:
                earlier[self.day] = self.received
            self.day, self.received, total = day, credit, credit
        else:
            total = earlier[day] = earlier.get(day, _ZERO) + credit
        self.earlier = earlier or None
        return total

    def take_back(self, day: int, credit: Decimal) -> None:
        """Uncount ``credit`` from fest ``day`` (a budget granted less than was asked); a day forgotten
        since is left as it is."""
        if day == self.day:
            self.received -= credit
        elif self.earlier is not None and day in self.earlier:
            self.earlier[day] -= credit

    def dump(self) -> dict[str, object]:
        earlier = [{"day": day, "received": amount} for day, amount in (self.earlier or {}).items()]
        return {"day": self.day, "received": self.received, "earlier": earlier}

    @classmethod
    def load(cls, data: Plain) -> CreditWallet:
        earlier = [as_mapping(item) for item in as_list(data["earlier"])]
        older = {as_int(item["day"]): as_decimal(item["received"]) for item in earlier}
        return cls(as_int(data["day"]), as_decimal(data["received"]), older or None)


class GiftDesk:
    """Converts gift events into money: one journal entry per gift, with caps and budgets applied."""

    __slots__ = ("_books", "_calendar", "_default_channel", "_lateness", "_memos", "_pricer", "_wallets")

    def __init__(self, settings: EconomySettings, calendar: FestCalendar, books: Books, lateness: float) -> None:
        self._pricer = GiftPricer(settings)
        self._default_channel = settings.default_channel
        self._calendar = calendar
        self._books = books
        #: viewer -> the conversion credit they received per fest day (for the daily caps)
        self._wallets: dict[str, CreditWallet] = {}
        self._lateness = lateness
        #: (gift, count, channel) -> the memo of its entries, one string shared by all of them
        self._memos: dict[tuple[str | None, int | None, str], str] = {}

    def on_gift(self, event: Event, ctx: StepContext) -> None:
        """Split the gift's value, add the valid conversion's credit and bonus, post and say so."""
        pricer, books = self._pricer, self._books
        conversion = pricer.conversion_at(ctx.ts)
        channel = event.channel or self._default_channel
        split = pricer.split(channel, event.coins or 0, conversion)
        user, creator = event.user_id, event.creator_id or ""
        # the viewer pays the value; the creator, the platform and rounding get it
        postings: list[Posting] = [(f"viewer:{user}:coin_spend", split.spend)]
        if split.creator.amount:
            postings.append((f"creator:{creator}:gift_earnings", split.creator))
        postings += split.tail
        credit = bonus = books.nothing
        if conversion is not None and (split.credit or split.bonus):
            credit, bonus = self._convert(event, split, conversion, ctx)
        rule_id = "split" if conversion is None else conversion.id
        entry = books.post(ctx, rule_id, self._memo(event, channel), postings)
        self._announce(event, ctx, channel, split, conversion, credit, bonus, entry.id)

    def _announce(
        self,
        event: Event,
        ctx: StepContext,
        channel: str,
        split: GiftSplit,
        conversion: Conversion | None,
        credit: Money,
        bonus: Money,
        entry_id: int,
    ) -> None:
        """Say what a gift did: :class:`GiftConverted` (with the credit and bonus asked of the budget)."""
        ctx.emit(
            GiftConverted(
                event_id=ctx.event_id,
                user_id=event.user_id,
                creator_id=event.creator_id or "",
                gift_id=event.gift_id or "",
                coins=event.coins or 0,
                channel=channel,
                value=split.value,
                creator=split.creator,
                platform=split.platform,
                rounding=split.rounding,
                viewer_credit=credit,
                creator_bonus=bonus,
                conversion_id=None if conversion is None else conversion.id,
                entry_id=entry_id,
            )
        )

    def _memo(self, event: Event, channel: str) -> str:
        """The memo of a gift's entry, one string shared by all the gifts alike."""
        key = (event.gift_id, event.count, channel)
        memo = self._memos.get(key)
        if memo is None:
            if len(self._memos) >= _CACHE_SIZE:
                self._memos.clear()
            memo = self._memos[key] = f"gift {event.gift_id} x{event.count} via {channel}"
        return memo

    def _convert(self, event: Event, split: GiftSplit, conversion: Conversion, ctx: StepContext) -> tuple[Money, Money]:
        """Ask the conversion's budget for the credit (after the daily cap) and the bonus; return what was asked."""
        books, user = self._books, event.user_id
        credit = self._capped(user, split.credit, conversion, ctx) if split.credit else _ZERO
        capped = conversion.daily_cap_per_viewer is not None
        if credit and capped:
            self._count_daily(user, credit, ctx)
        if not credit and not split.bonus:
            return books.nothing, books.nothing
        ask = GrantCredit(
            to=FEST,
            user_id=user,
            budget_id=conversion.budget,
            source=conversion.id,
            credit=credit,
            bonus=split.bonus,
            creator_id=event.creator_id or "",
            capped=capped,
        )
        ctx.send(ask)
        return books.money(credit), books.money(split.bonus)

    def on_answer(self, message: GrantAnswer, ctx: StepContext) -> None:
        """A budget granted less credit than a capped conversion asked: uncount the rest from the day of the gift."""
        if not message.capped or message.amount >= message.requested:
            return
        wallet = self._wallets.get(message.user_id)
        if wallet is not None:
            wallet.take_back(self._calendar.day_of(message.at), message.requested - message.amount)

    def _capped(self, user: str, requested: Decimal, conversion: Conversion, ctx: StepContext) -> Decimal:
        """``requested`` cut to what the conversion's daily cap still allows the viewer today."""
        cap = conversion.daily_cap_per_viewer
        if cap is None:
            return requested
        day = self._calendar.day_of(ctx.ts)
        wallet = self._wallets.get(user)
        allowed = max(_ZERO, cap - (_ZERO if wallet is None else wallet.received_on(day)))
        if requested <= allowed:
            return requested
        money = self._books.money
        reached = DailyCapReached(
            event_id=ctx.event_id,
            user_id=user,
            conversion_id=conversion.id,
            day=day,
            cap=money(cap),
            requested=money(requested),
            allowed=money(allowed),
        )
        ctx.emit(reached)
        return allowed

    def _count_daily(self, user: str, credit: Decimal, ctx: StepContext) -> None:
        """Count credit towards the viewer's daily cap; days no accepted event can fall on are forgotten.

        An event is accepted only if it is at most the allowed lateness older than the clock, which
        is at least this event's time: days before ``oldest`` can never be asked again. Wallets are
        kept in the order they were last credited, so the stale ones are found at the front.
        """
        calendar, books, wallets = self._calendar, self._books, self._wallets
        day, oldest = calendar.day_of(ctx.ts), calendar.day_of(ctx.ts - self._lateness)
        wallet = wallets.pop(user, None)
        if wallet is None:
            wallet = CreditWallet(day, books.share(credit))
        else:
            total = wallet.add(day, credit, oldest)
            if day == wallet.day:
                wallet.received = books.share(total)
        stale = []
        for viewer, held in wallets.items():
            if held.day >= oldest:
                break
            stale.append(viewer)
        for viewer in stale:
            del wallets[viewer]
        wallets[user] = wallet

    def dump(self) -> dict[str, object]:
        return {user: wallet.dump() for user, wallet in self._wallets.items()}

    def load(self, data: Plain) -> None:
        self._wallets = {user: CreditWallet.load(as_mapping(wallet)) for user, wallet in data.items()}
