"""Orders and their commission: accrual at purchase, settlement after delivery, reversal on refunds.

An :class:`OrderBook` keeps every purchase as an :class:`~festengine.economy.commission.Order`
(order key; attributed or not, so refunds of it are recognised) and each creator's
:class:`~festengine.economy.commission.CreatorCommission` (creator key: the settled volume that
commission tiers are chosen by, and the commission boosts the creator won as a viewer). Its
checks refuse, without changing anything, a purchase in another currency or of an order already
recorded, and a refund or delivery that does not fit the order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from festengine.catalog.model import CommissionSettings, Reward
from festengine.economy.books import COMMISSION_EXPENSE, Books
from festengine.economy.commission import (
    Attribution,
    Attributor,
    Boost,
    CommissionRates,
    CreatorCommission,
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
from festengine.economy.plain import Plain, as_float, as_list, as_mapping
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
        #: order id -> the order, in the order they were recorded
        self._orders: dict[str, Order] = {}
        #: creator (or viewer who won a boost) -> settled volume and boosts
        self._creators: dict[str, CreatorCommission] = {}

    def _creator(self, creator_id: str) -> CreatorCommission:
        """The commission state of ``creator_id``, made when first needed."""
        state = self._creators.get(creator_id)
        if state is None:
            state = self._creators[creator_id] = CreatorCommission()
        return state

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
        return self._check_grid(event)

    def _check_grid(self, event: Event) -> Rejection | None:
        """Credits and a discount move money between accounts: they must be whole units of the currency."""
        books = self._books
        for name, value in (("credits", event.credits), ("discount", event.discount)):
            if value is not None and value != books.round(value):
                return Rejection(
                    "invalid_amount",
                    f"purchase {event.order_id!r}: {name} {value} {books.currency} is finer than the currency's "
                    f"smallest unit; write it on that grid, e.g. {books.round(value)}",
                )
        return None

    def on_purchase(self, event: Event, ctx: StepContext) -> None:
        """Record the order, attribute it, and accrue commission by the first matching rule."""
        books = self._books
        paid = books.share(event.amount or _ZERO)
        attribution = self.attribution.attribute(event, ctx.ts)
        creator = None if attribution is None else attribution.creator_id
        order = Order(
            order_id=event.order_id or "",
            event_id=event.event_id,
            user_id=event.user_id,
            creator_id=creator,
            rule_id=None,
            paid=paid,
        )
        self._orders[order.order_id] = order
        breakdown, commission, reason = self._commission_for(event, ctx, attribution, paid)
        base = books.money(paid)
        ctx.emit(
            OrderRecorded(
                event_id=ctx.event_id,
                order_id=order.order_id,
                user_id=order.user_id,
                amount=base,
                creator_id=creator,
                attribution=None if attribution is None else attribution.how,
                attribution_source=None if attribution is None else attribution.source,
                no_commission=reason,
            )
        )
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
        state = self._creators.get(attribution.creator_id)
        volume, boosts = (_ZERO, ()) if state is None else (state.settled_volume, state.boosts)
        breakdown = self._rates.breakdown(rule, event, ctx.ts, volume, boosts)
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
                event_id=ctx.event_id,
                order_id=order.order_id,
                creator_id=creator,
                rule_id=rule_id,
                base=base,
                rate=breakdown.rate,
                base_rate=breakdown.base_rate,
                bonus_rate=breakdown.bonus_rate,
                boost_rate=breakdown.boost_rate,
                tier_from=breakdown.tier_from,
                bonus_ids=breakdown.bonus_ids,
                boost_sources=breakdown.boost_sources,
                amount=money,
                entry_id=entry.id,
            )
        )

    # ------------------------------------------------------------------ boosts

    def grant_boost(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A mission's ``commission_boost`` reward: extra rate on ``user_id``'s commission as a creator."""
        duration = reward.duration.total_seconds() if reward.duration is not None else 0.0
        rate = reward.commission_boost or _ZERO
        state = self._creator(user_id)
        kept = tuple(b for b in state.boosts if b.until > ctx.ts - self._lateness)
        state.boosts = (*kept, Boost(start=ctx.ts, until=ctx.ts + duration, rate=rate, source=source))
        until = datetime.fromtimestamp(ctx.ts + duration, UTC)
        ctx.emit(CommissionBoostGranted(event_id=ctx.event_id, user_id=user_id, rate=rate, until=until, source=source))

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
        ctx.emit(OrderDelivered(event_id=ctx.event_id, order_id=order.order_id, settles_at=ctx.now_of(settles)))
        if settles == ctx.ts:
            self._settle(order, ctx, ctx.ts)

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """A settlement is due (payload ``["settle", order id, due time]``); orders refunded in full in
        the meantime have nothing to settle."""
        kind, order_id, due = payload
        order = self._orders.get(str(order_id))
        if kind == "settle" and order is not None and order.status == OrderStatus.PENDING:
            self._settle(order, ctx, as_float(due))

    def _settle(self, order: Order, ctx: StepContext, due: float) -> None:
        """Move the order's outstanding commission from pending to settled (payable), dated ``due``."""
        books, creator = self._books, order.creator_id or ""
        order.status = OrderStatus.SETTLED
        state = self._creator(creator)
        volume = state.settled_volume = state.settled_volume + order.remaining
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
            CommissionSettled(
                event_id=ctx.event_id,
                order_id=order.order_id,
                creator_id=creator,
                rule_id=rule_id,
                amount=amount,
                volume=books.money(volume),
                entry_id=entry_id,
            )
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

    def on_refund(self, event: Event, ctx: StepContext) -> Order:
        """Record the refund and take back commission in proportion (a clawback once settled); return the order."""
        books, order = self._books, self._orders[event.order_id or ""]
        amount = event.amount or _ZERO
        order.refunded += amount
        cancelled = order.refunded == order.paid
        reversal = self._reversal(order, amount, cancelled)
        settled = order.status == OrderStatus.SETTLED
        if settled:
            state = self._creator(order.creator_id or "")
            state.settled_volume -= amount
        if cancelled:
            order.status = OrderStatus.CANCELLED
        refunded, remaining = books.money(order.refunded), books.money(order.remaining)
        ctx.emit(
            OrderRefunded(
                event_id=ctx.event_id,
                order_id=order.order_id,
                amount=books.money(amount),
                refunded=refunded,
                remaining=remaining,
                cancelled=cancelled,
            )
        )
        if reversal:
            self._reverse(order, reversal, settled, ctx)
        return order

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
        ctx.emit(
            CommissionReversed(
                event_id=ctx.event_id,
                order_id=order.order_id,
                creator_id=creator,
                rule_id=rule_id,
                amount=money,
                clawback=settled,
                balance=balance,
                entry_id=entry.id,
            )
        )

    # ------------------------------------------------------------------ queries and snapshots

    def status(self, order_id: str) -> str | None:
        """``pending``, ``settled``, ``ineligible`` or ``cancelled``; ``None`` for an unknown order."""
        order = self._orders.get(order_id)
        return None if order is None else order.status

    def settled_volume(self, creator_id: str) -> Money:
        state = self._creators.get(creator_id)
        return self._books.money(_ZERO if state is None else state.settled_volume)

    def orders(self) -> tuple[Order, ...]:
        """Every order, in the order they were recorded (a copy: changing it changes nothing)."""
        return tuple(Order.load(order.dump()) for order in self._orders.values())

    def dump(self) -> dict[str, object]:
        """Orders, creators and attribution as JSON-ready records."""
        return {
            "orders": [order.dump() for order in self._orders.values()],
            "creators": {creator: state.dump() for creator, state in self._creators.items()},
            "attribution": self.attribution.dump(),
        }

    def load(self, data: Plain) -> None:
        orders = (Order.load(as_mapping(order)) for order in as_list(data["orders"]))
        self._orders = {order.order_id: order for order in orders}
        creators = as_mapping(data["creators"]).items()
        self._creators = {creator: CreatorCommission.load(as_mapping(state)) for creator, state in creators}
        self.attribution.load(as_mapping(data["attribution"]))


def _unknown_order(kind: str, event: Event) -> Rejection:
    return Rejection("unknown_order", f"{kind} for order {event.order_id!r}, which the fest has not seen purchased")


def _cancelled(order: Order) -> Rejection:
    return Rejection(
        "order_cancelled", f"order {order.order_id!r} was already refunded in full (cancelled); nothing is left to do"
    )
