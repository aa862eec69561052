"""Orders and their commission: accrual at purchase, settlement after delivery, reversal on refunds.

An :class:`OrderBook` keeps every purchase (attributed or not, so refunds of it are recognised),
each creator's settled volume (what commission tiers are chosen by) and the commission boosts
creators won as viewers. Its checks refuse, without changing anything, a purchase in another
currency or of an order already recorded, and a refund or delivery that does not fit the order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from festengine.catalog.model import CommissionSettings, Reward
from festengine.economy.books import COMMISSION_EXPENSE, Books
from festengine.economy.commission import (
    Attribution,
    Attributor,
    Boost,
    CommissionRates,
    Order,
    OrderStatus,
    RateBreakdown,
)
from festengine.economy.ledger import Posting
from festengine.economy.money import Money
from festengine.economy.outcomes import (
    CommissionAccrued,
    CommissionBoostGranted,
    CommissionReversed,
    CommissionSettled,
    OrderDelivered,
    OrderRecorded,
    OrderRefunded,
)
from festengine.engine.component import Rejection, StepContext
from festengine.events import Event

__all__ = ["OrderBook"]

_ZERO: Final = Decimal(0)


class OrderBook:
    """The commission lifecycle of one fest's orders."""

    def __init__(self, settings: CommissionSettings, books: Books, timer_owner: str, lateness: float) -> None:
        self._books = books
        self._rates = CommissionRates(settings)
        self._timer_owner = timer_owner
        self._lateness = lateness
        self.attribution = Attributor(settings)
        self._orders: dict[str, Order] = {}
        #: creator -> settled volume (the commission base of settled orders, net of refunds)
        self._volume: dict[str, Decimal] = {}
        #: user (as a creator) -> commission boosts won
        self._boosts: dict[str, list[Boost]] = {}

    # ------------------------------------------------------------------ purchases

    def check_purchase(self, event: Event) -> Rejection | None:
        currency = self._books.currency
        if event.currency != currency:
            return Rejection(
                "wrong_currency",
                f"purchase {event.order_id!r} is in {event.currency}, but the fest's currency is {currency}",
            )
        known = self._orders.get(event.order_id or "")
        if known is not None:
            return Rejection(
                "duplicate_order", f"order {event.order_id!r} was already recorded by event {known.event_id!r}"
            )
        return None

    def on_purchase(self, event: Event, ctx: StepContext) -> None:
        """Record the order, attribute it, and accrue commission by the first matching rule."""
        books = self._books
        paid = books.share(event.amount or _ZERO)
        attribution = self.attribution.attribute(event, ctx.ts)
        creator = None if attribution is None else attribution.creator_id
        order = Order(event.order_id or "", event.event_id, event.user_id, creator, None, paid)
        self._orders[order.order_id] = order
        breakdown, commission, reason = self._commission_for(event, ctx, attribution, paid)
        how, source = (None, None) if attribution is None else (attribution.how, attribution.source)
        base = books.money(paid)
        ctx.emit(OrderRecorded(ctx.event_id, order.order_id, order.user_id, base, creator, how, source, reason))
        if breakdown is not None:
            self._accrue(order, breakdown, commission, base, ctx)

    def _commission_for(
        self, event: Event, ctx: StepContext, attribution: Attribution | None, paid: Decimal
    ) -> tuple[RateBreakdown | None, Decimal, str | None]:
        """The rate breakdown for a purchase and its commission, or why it earns no commission."""
        if attribution is None:
            return None, _ZERO, "not attributed: no live stream and no link click within the attribution window"
        rule = self._rates.match(event)
        if rule is None:
            return None, _ZERO, "no commission rule matches the purchase"
        creator = attribution.creator_id
        volume = self._volume.get(creator, _ZERO)
        breakdown = self._rates.breakdown(rule, event, ctx.ts, volume, self._boosts.get(creator, ()))
        commission = self._books.round(paid * breakdown.rate)
        if not commission:
            return None, _ZERO, f"commission rounds to zero (base {paid}, rate {breakdown.rate})"
        return breakdown, commission, None

    def _accrue(
        self, order: Order, breakdown: RateBreakdown, commission: Decimal, base: Money, ctx: StepContext
    ) -> None:
        books, creator, rule_id = self._books, order.creator_id or "", breakdown.rule.id
        order.rule_id = rule_id
        order.commission = books.share(commission)
        order.status = OrderStatus.PENDING
        money = books.money(order.commission)
        postings: list[Posting] = [
            (COMMISSION_EXPENSE, books.money(books.share(-commission))),
            (f"creator:{creator}:commission_pending", money),
        ]
        entry = books.post(ctx, rule_id, f"commission on order {order.order_id}", postings)
        ctx.emit(
            CommissionAccrued(
                ctx.event_id,
                order.order_id,
                creator,
                rule_id,
                base,
                breakdown.rate,
                breakdown.base_rate,
                breakdown.bonus_rate,
                breakdown.boost_rate,
                breakdown.tier_from,
                breakdown.bonus_ids,
                breakdown.boost_sources,
                money,
                entry.id,
            )
        )

    # ------------------------------------------------------------------ boosts

    def grant_boost(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A mission's ``commission_boost`` reward: extra rate on ``user_id``'s commission as a creator."""
        duration = reward.duration.total_seconds() if reward.duration is not None else 0.0
        rate = reward.commission_boost or _ZERO
        boosts = [b for b in self._boosts.get(user_id, []) if b.until > ctx.ts - self._lateness]
        boosts.append(Boost(ctx.ts, ctx.ts + duration, rate, source))
        self._boosts[user_id] = boosts
        until = datetime.fromtimestamp(ctx.ts + duration, UTC)
        ctx.emit(CommissionBoostGranted(ctx.event_id, user_id, rate, until, source))

    # ------------------------------------------------------------------ delivery and settlement

    def check_delivery(self, event: Event) -> Rejection | None:
        order = self._orders.get(event.order_id or "")
        if order is None:
            return _unknown_order("delivery", event)
        if order.delivered_at is not None:
            return Rejection("already_delivered", f"order {order.order_id!r} was already delivered")
        if order.status == OrderStatus.CANCELLED:
            return _cancelled(order)
        return None

    def on_delivery(self, event: Event, ctx: StepContext) -> None:
        """Start the settlement clock of a pending order (settle now if there are no settlement days)."""
        order = self._orders[event.order_id or ""]
        order.delivered_at = ctx.ts
        settles: float | None = None
        if order.status == OrderStatus.PENDING:
            settles = ctx.ts + self._rates.settlement_seconds
            if settles > ctx.ts:
                ctx.schedule(settles, self._timer_owner, ["settle", order.order_id, settles])
        ctx.emit(OrderDelivered(ctx.event_id, order.order_id, ctx.now_of(settles)))
        if settles == ctx.ts:
            self._settle(order, ctx, ctx.ts)

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """A settlement is due; orders refunded in full in the meantime have nothing to settle."""
        kind, order_id, due = payload
        order = self._orders.get(order_id)
        if kind == "settle" and order is not None and order.status == OrderStatus.PENDING:
            self._settle(order, ctx, due)

    def _settle(self, order: Order, ctx: StepContext, due: float) -> None:
        """Move the order's outstanding commission from pending to settled (payable), dated ``due``."""
        books, creator = self._books, order.creator_id or ""
        order.status = OrderStatus.SETTLED
        volume = self._volume[creator] = self._volume.get(creator, _ZERO) + order.remaining
        amount = books.money(order.outstanding)
        entry_id: int | None = None
        if amount.amount:
            postings: list[Posting] = [
                (f"creator:{creator}:commission_pending", -amount),
                (f"creator:{creator}:commission_settled", amount),
            ]
            memo = f"settle commission on order {order.order_id}"
            entry_id = books.post(ctx, order.rule_id or "", memo, postings, datetime.fromtimestamp(due, UTC)).id
        rule_id = order.rule_id or ""
        ctx.emit(
            CommissionSettled(ctx.event_id, order.order_id, creator, rule_id, amount, books.money(volume), entry_id)
        )

    # ------------------------------------------------------------------ refunds

    def check_refund(self, event: Event) -> Rejection | None:
        order = self._orders.get(event.order_id or "")
        if order is None:
            return _unknown_order("refund", event)
        currency = self._books.currency
        if event.currency is not None and event.currency != currency:
            return Rejection(
                "wrong_currency",
                f"refund of order {order.order_id!r} is in {event.currency}, but the order was paid in {currency}",
            )
        if order.status == OrderStatus.CANCELLED:
            return _cancelled(order)
        amount = event.amount or _ZERO
        if amount > order.remaining:
            return Rejection(
                "refund_exceeds_paid",
                f"refund of {amount} {currency} for order {order.order_id!r} is more than is left to refund "
                f"({order.remaining} of {order.paid} {currency} paid, {order.refunded} refunded)",
            )
        return None

    def on_refund(self, event: Event, ctx: StepContext) -> None:
        """Record the refund and take back commission in proportion (a clawback once settled)."""
        books, order = self._books, self._orders[event.order_id or ""]
        amount = event.amount or _ZERO
        order.refunded += amount
        cancelled = order.refunded == order.paid
        reversal = self._reversal(order, amount, cancelled)
        settled = order.status == OrderStatus.SETTLED
        if settled:
            creator = order.creator_id or ""
            self._volume[creator] = self._volume.get(creator, _ZERO) - amount
        if cancelled:
            order.status = OrderStatus.CANCELLED
        refunded, remaining = books.money(order.refunded), books.money(order.remaining)
        ctx.emit(OrderRefunded(ctx.event_id, order.order_id, books.money(amount), refunded, remaining, cancelled))
        if reversal:
            self._reverse(order, reversal, settled, ctx)

    def _reversal(self, order: Order, amount: Decimal, cancelled: bool) -> Decimal:
        """The commission a refund of ``amount`` takes back: in proportion, and the rest on the last refund."""
        outstanding = order.outstanding
        if cancelled or not outstanding:
            return outstanding
        return min(outstanding, self._books.round(order.commission * amount / order.paid))

    def _reverse(self, order: Order, amount: Decimal, settled: bool, ctx: StepContext) -> None:
        books, creator, rule_id = self._books, order.creator_id or "", order.rule_id or ""
        order.reversed += amount
        account = f"creator:{creator}:commission_{'settled' if settled else 'pending'}"
        money = books.money(amount)
        memo = f"reverse commission on refunded order {order.order_id}"
        entry = books.post(ctx, rule_id, memo, [(account, -money), (COMMISSION_EXPENSE, money)])
        balance = books.ledger.balance(account)
        ctx.emit(CommissionReversed(ctx.event_id, order.order_id, creator, rule_id, money, settled, balance, entry.id))

    # ------------------------------------------------------------------ queries and snapshots

    def status(self, order_id: str) -> str | None:
        """``pending``, ``settled``, ``ineligible`` or ``cancelled``; ``None`` for an unknown order."""
        order = self._orders.get(order_id)
        return None if order is None else order.status

    def settled_volume(self, creator_id: str) -> Money:
        return self._books.money(self._volume.get(creator_id, _ZERO))

    def orders(self) -> tuple[Order, ...]:
        """Every order, in the order they were recorded (a copy: changing it changes nothing)."""
        return tuple(Order.load(order.dump()) for order in self._orders.values())

    def dump(self) -> dict[str, Any]:
        return {
            "orders": [order.dump() for order in self._orders.values()],
            "volume": self._volume,
            "boosts": {
                user: [[b.start, b.until, b.rate, b.source] for b in boosts] for user, boosts in self._boosts.items()
            },
            "attribution": self.attribution.dump(),
        }

    def load(self, data: dict[str, Any]) -> None:
        self._orders = {item[0]: Order.load(item) for item in data["orders"]}
        self._volume = dict(data["volume"])
        self._boosts = {user: [Boost(*item) for item in boosts] for user, boosts in data["boosts"].items()}
        self.attribution.load(data["attribution"])


def _unknown_order(kind: str, event: Event) -> Rejection:
    return Rejection("unknown_order", f"{kind} for order {event.order_id!r}, which the fest has not seen purchased")


def _cancelled(order: Order) -> Rejection:
    return Rejection(
        "order_cancelled", f"order {order.order_id!r} was already refunded in full (cancelled); nothing is left to do"
    )
