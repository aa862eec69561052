"""Commission on the fest's key: attribution, accrual, settlement after delivery, reversal on refunds.

A :class:`CommissionDesk` keeps what commission needs beyond one buyer: the streams (for
attribution in a stream), each creator's :class:`~festengine.economy.commission.CreatorCommission`
(the settled volume that picks the tier, and the boosts won as a viewer) and the commission of each
attributed order (:class:`~festengine.economy.commission.OrderCommission`). The buyer's key sends
it the purchase (:class:`~festengine.economy.messages.AccrueCommission`, with the buyer's last
click), the delivery (:class:`~festengine.economy.messages.StartSettlement`) and each refund
(:class:`~festengine.economy.messages.ReverseCommission`); every commission entry is posted here,
so a creator's pending and settled balances are exact on this key. The rules are in
``docs/economy.md`` ("Affiliate commission").
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from festengine.catalog.model import CommissionSettings
from festengine.economy.books import COMMISSION_EXPENSE, Books
from festengine.economy.commission import (
    Attribution,
    Boost,
    CommissionRates,
    CreatorCommission,
    OrderCommission,
    OrderStatus,
    RateBreakdown,
    Streams,
)
from festengine.economy.ledger import Posting
from festengine.economy.messages import AccrueCommission, GrantBoost, ReverseCommission, StartSettlement
from festengine.economy.money import Money
from festengine.economy.outcomes import (
    CommissionAccrued,
    CommissionBoostGranted,
    CommissionReversed,
    CommissionSettled,
    OrderDelivered,
    OrderRecorded,
)
from festengine.economy.plain import Plain, as_float, as_list, as_mapping
from festengine.engine.component import StepContext

__all__ = ["CommissionDesk"]

_ZERO: Final = Decimal(0)
#: the first item of a settlement timer's payload: ``["settle", order id, due time, buyer]``
SETTLE: Final = "settle"


class CommissionDesk:
    """The commission of one fest's orders, on the fest's key."""

    __slots__ = ("_books", "_commissions", "_creators", "_lateness", "_rates", "_timer_owner", "streams")

    def __init__(self, settings: CommissionSettings, books: Books, timer_owner: str, lateness: float) -> None:
        self._books = books
        self._rates = CommissionRates(settings)
        self._timer_owner = timer_owner
        self._lateness = lateness
        self.streams = Streams(settings)
        #: (buyer, order id) -> the commission of an attributed order, in the order they were recorded
        self._commissions: dict[tuple[str, str], OrderCommission] = {}
        #: creator (or viewer who won a boost) -> settled volume and boosts
        self._creators: dict[str, CreatorCommission] = {}

    def _creator(self, creator_id: str) -> CreatorCommission:
        """The commission state of ``creator_id``, made when first needed."""
        state = self._creators.get(creator_id)
        if state is None:
            state = self._creators[creator_id] = CreatorCommission()
        return state

    def get(self, user_id: str, order_id: str) -> OrderCommission | None:
        return self._commissions.get((user_id, order_id))

    # ------------------------------------------------------------------ accrual

    def on_accrue(self, message: AccrueCommission, ctx: StepContext) -> None:
        """Attribute a purchase (in a stream, else the buyer's last click) and accrue by the first matching rule."""
        attribution = self.streams.in_stream(message, ctx.ts)
        if attribution is None and message.click_creator is not None:
            attribution = Attribution(
                creator_id=message.click_creator, how="last_click", source=message.click_event or ""
            )
        books, paid = self._books, message.paid
        commission: OrderCommission | None = None
        if attribution is not None:
            commission = OrderCommission(
                order_id=message.order_id,
                user_id=message.user_id,
                creator_id=attribution.creator_id,
                rule_id=None,
                paid=paid,
            )
            self._commissions[message.user_id, message.order_id] = commission
        breakdown, amount, reason = self._commission_for(message, ctx, attribution, paid)
        base = books.money(paid)
        ctx.emit(
            OrderRecorded(
                event_id=ctx.event_id,
                order_id=message.order_id,
                user_id=message.user_id,
                amount=base,
                creator_id=None if attribution is None else attribution.creator_id,
                attribution=None if attribution is None else attribution.how,
                attribution_source=None if attribution is None else attribution.source,
                no_commission=reason,
            )
        )
        if breakdown is not None and commission is not None:
            self._accrue(commission, breakdown, amount, base, ctx)

    def _commission_for(
        self, message: AccrueCommission, ctx: StepContext, attribution: Attribution | None, paid: Decimal
    ) -> tuple[RateBreakdown | None, Decimal, str | None]:
        """The rate breakdown for a purchase and its commission, or why it earns no commission."""
        if attribution is None:
            return None, _ZERO, "not attributed: no live stream and no link click within the attribution window"
        rule = self._rates.match(message)
        if rule is None:
            return None, _ZERO, "no commission rule matches the purchase"
        state = self._creators.get(attribution.creator_id)
        volume, boosts = (_ZERO, ()) if state is None else (state.settled_volume, state.boosts)
        breakdown = self._rates.breakdown(rule, message, ctx.ts, volume, boosts)
        commission = self._books.round(paid * breakdown.rate)
        if not commission:
            return None, _ZERO, f"commission rounds to zero (base {paid}, rate {breakdown.rate})"
        return breakdown, commission, None

    def _accrue(
        self, order: OrderCommission, breakdown: RateBreakdown, commission: Decimal, base: Money, ctx: StepContext
    ) -> None:
        books, creator, rule_id = self._books, order.creator_id, breakdown.rule.id
        order.rule_id = rule_id
        order.commission = books.share(commission)
        order.status = OrderStatus.PENDING
        money = books.money(order.commission)
        postings: list[Posting] = [
            (COMMISSION_EXPENSE, books.money(books.share(-commission))),
            (f"creator:{creator}:commission_pending", money),
        ]
        entry = books.post(ctx, rule_id, f"commission on order {order.order_id}", postings, ctx.now)
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

    def on_boost(self, message: GrantBoost, ctx: StepContext) -> None:
        """A mission's ``commission_boost`` reward: extra rate on the viewer's commission as a creator."""
        state = self._creator(message.user_id)
        kept = tuple(b for b in state.boosts if b.until > ctx.ts - self._lateness)
        until = ctx.ts + message.seconds
        state.boosts = (*kept, Boost(start=ctx.ts, until=until, rate=message.rate, source=message.source))
        boosted = CommissionBoostGranted(
            event_id=ctx.event_id,
            user_id=message.user_id,
            rate=message.rate,
            until=datetime.fromtimestamp(until, UTC),
            source=message.source,
        )
        ctx.emit(boosted)

    # ------------------------------------------------------------------ delivery and settlement

    def on_delivery(self, message: StartSettlement, ctx: StepContext) -> None:
        """Start the settlement clock of a pending order (settle now if there are no settlement days)."""
        order = self._commissions.get((message.user_id, message.order_id))
        settles: float | None = None
        if order is not None and order.status == OrderStatus.PENDING:
            settles = ctx.ts + self._rates.settlement_seconds
            if settles > ctx.ts:
                ctx.schedule(settles, self._timer_owner, [SETTLE, order.order_id, settles, order.user_id])
        ctx.emit(OrderDelivered(event_id=ctx.event_id, order_id=message.order_id, settles_at=ctx.now_of(settles)))
        if order is not None and settles == ctx.ts:
            self._settle(order, ctx, ctx.ts)

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """A settlement is due (payload ``["settle", order id, due time, buyer]``); orders refunded in full
        in the meantime have nothing to settle."""
        _kind, order_id, due, user_id = payload
        order = self._commissions.get((str(user_id), str(order_id)))
        if order is not None and order.status == OrderStatus.PENDING:
            self._settle(order, ctx, as_float(due))

    def _settle(self, order: OrderCommission, ctx: StepContext, due: float) -> None:
        """Move the order's outstanding commission from pending to settled (payable), dated ``due``."""
        books, creator = self._books, order.creator_id
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
        ctx.emit(
            CommissionSettled(
                event_id=ctx.event_id,
                order_id=order.order_id,
                creator_id=creator,
                rule_id=order.rule_id or "",
                amount=amount,
                volume=books.money(volume),
                entry_id=entry_id,
            )
        )

    # ------------------------------------------------------------------ refunds

    def on_reverse(self, message: ReverseCommission, ctx: StepContext) -> None:
        """A refund: take back commission in proportion (a clawback once settled); the refunded amount
        leaves a settled order's volume."""
        order = self._commissions.get((message.user_id, message.order_id))
        if order is None:
            return
        order.refunded += message.amount
        reversal = self._reversal(order, message.amount, message.cancelled)
        settled = order.status == OrderStatus.SETTLED
        if settled:
            state = self._creator(order.creator_id)
            state.settled_volume -= message.amount
        if message.cancelled:
            order.status = OrderStatus.CANCELLED
        if reversal:
            self._reverse(order, reversal, settled, ctx)

    def _reversal(self, order: OrderCommission, amount: Decimal, cancelled: bool) -> Decimal:
        """The commission a refund of ``amount`` takes back: in proportion, and the rest on the last refund."""
        outstanding = order.outstanding
        if cancelled or not outstanding:
            return outstanding
        return min(outstanding, self._books.round(order.commission * amount / order.paid))

    def _reverse(self, order: OrderCommission, amount: Decimal, settled: bool, ctx: StepContext) -> None:
        books, creator, rule_id = self._books, order.creator_id, order.rule_id or ""
        order.reversed += amount
        account = f"creator:{creator}:commission_{'settled' if settled else 'pending'}"
        money = books.money(amount)
        memo = f"reverse commission on refunded order {order.order_id}"
        entry = books.post(ctx, rule_id, memo, [(account, -money), (COMMISSION_EXPENSE, money)], ctx.now)
        ctx.emit(
            CommissionReversed(
                event_id=ctx.event_id,
                order_id=order.order_id,
                creator_id=creator,
                rule_id=rule_id,
                amount=money,
                clawback=settled,
                balance=books.ledger.balance(account),
                entry_id=entry.id,
            )
        )

    # ------------------------------------------------------------------ queries and snapshots

    def settled_volume(self, creator_id: str) -> Money:
        state = self._creators.get(creator_id)
        return self._books.money(_ZERO if state is None else state.settled_volume)

    def dump(self) -> dict[str, object]:
        """Commissions, creators and streams as JSON-ready records."""
        return {
            "commissions": [order.dump() for order in self._commissions.values()],
            "creators": {creator: state.dump() for creator, state in self._creators.items()},
            "streams": self.streams.dump(),
        }

    def load(self, data: Plain) -> None:
        commissions = (OrderCommission.load(as_mapping(order)) for order in as_list(data["commissions"]))
        self._commissions = {(order.user_id, order.order_id): order for order in commissions}
        creators = as_mapping(data["creators"]).items()
        self._creators = {creator: CreatorCommission.load(as_mapping(state)) for creator, state in creators}
        self.streams.load(as_mapping(data["streams"]))
