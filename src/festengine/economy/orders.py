"""Orders on the buyer's key: purchases recorded, refunds and deliveries judged, commission asked for.

An :class:`OrderBook` (viewer key) keeps every purchase as an
:class:`~festengine.economy.commission.Order` (attributed or not, so refunds of it are
recognised) and each viewer's last link click. An order belongs to its buyer: it is filed under
``(user_id, order_id)``, and a refund or delivery names the buyer. Its checks refuse, without
changing anything, a purchase in another currency or of an order id the buyer already recorded,
and a refund or delivery that does not fit the buyer's order: all facts of the buyer's key. The
commission itself is the fest's key's (:mod:`festengine.economy.desk`): a purchase, a delivery and
a refund each send it a message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from festengine.catalog.model import CommissionSettings, Reward
from festengine.economy.books import Books
from festengine.economy.commission import Clicks, Order
from festengine.economy.messages import FEST, AccrueCommission, GrantBoost, ReverseCommission, StartSettlement
from festengine.economy.outcomes import OrderRefunded
from festengine.economy.plain import Plain, as_list, as_mapping
from festengine.engine.component import Rejection, StepContext
from festengine.events import Event

__all__ = ["OrderBook"]

_ZERO: Final = Decimal(0)


class OrderBook:
    """The buyer's side of one fest's orders."""

    __slots__ = ("_books", "_orders", "clicks")

    def __init__(self, settings: CommissionSettings, books: Books) -> None:
        self._books = books
        self.clicks = Clicks(settings)
        #: (buyer, order id) -> the order, in the order they were recorded
        self._orders: dict[tuple[str, str], Order] = {}

    def get(self, user_id: str, order_id: str) -> Order | None:
        return self._orders.get((user_id, order_id))

    def find(self, order_id: str) -> Order | None:
        """The first order recorded with this id, whoever bought it (for queries)."""
        return next((order for order in self._orders.values() if order.order_id == order_id), None)

    def all(self) -> tuple[Order, ...]:
        """Every order, in the order they were recorded."""
        return tuple(self._orders.values())

    # ------------------------------------------------------------------ purchases

    def check_purchase(self, event: Event) -> Rejection | None:
        currency = self._books.currency
        if event.currency != currency:
            return Rejection(
                "wrong_currency",
                f"purchase {event.order_id!r} is in {event.currency}, but the fest's currency is {currency}",
            )
        known = self._orders.get((event.user_id, event.order_id or ""))
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
        """Record the order and ask the fest's key to attribute it and accrue its commission."""
        paid = self._books.share(event.amount or _ZERO)
        order = Order(order_id=event.order_id or "", event_id=event.event_id, user_id=event.user_id, paid=paid)
        self._orders[order.user_id, order.order_id] = order
        click = self.clicks.last_click(event.user_id, ctx.ts)
        ask = AccrueCommission(
            to=FEST,
            order_id=order.order_id,
            user_id=order.user_id,
            paid=paid,
            product_id=event.product_id,
            category=event.category,
            seller_id=event.seller_id,
            channel=event.channel,
            stream_id=event.stream_id,
            creator_id=event.creator_id,
            click_creator=None if click is None else click.creator_id,
            click_event=None if click is None else click.event_id,
        )
        ctx.send(ask)

    def grant_boost(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A mission's ``commission_boost`` reward: the fest's key keeps the boost with the creator's commission."""
        seconds = reward.duration.total_seconds() if reward.duration is not None else 0.0
        rate = reward.commission_boost or _ZERO
        ctx.send(GrantBoost(to=FEST, user_id=user_id, rate=rate, seconds=seconds, source=source))

    # ------------------------------------------------------------------ delivery

    def check_delivery(self, event: Event) -> Rejection | None:
        order = self._orders.get((event.user_id, event.order_id or ""))
        if order is None:
            return _unknown_order("delivery", event)
        if order.delivered_at is not None:
            return Rejection("already_delivered", f"order {order.order_id!r} was already delivered")
        if order.cancelled:
            return _cancelled(order)
        return None

    def on_delivery(self, event: Event, ctx: StepContext) -> None:
        """Record the delivery; the fest's key starts the settlement clock of its commission."""
        order = self._orders[event.user_id, event.order_id or ""]
        order.delivered_at = ctx.ts
        ctx.send(StartSettlement(to=FEST, order_id=order.order_id, user_id=order.user_id))

    # ------------------------------------------------------------------ refunds

    def check_refund(self, event: Event) -> Rejection | None:
        order = self._orders.get((event.user_id, event.order_id or ""))
        if order is None:
            return _unknown_order("refund", event)
        currency = self._books.currency
        if event.currency is not None and event.currency != currency:
            return Rejection(
                "wrong_currency",
                f"refund of order {order.order_id!r} is in {event.currency}, but the order was paid in {currency}",
            )
        if order.cancelled:
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
        """Record the refund, say so, and ask the fest's key to reverse the commission; return the order."""
        books, order = self._books, self._orders[event.user_id, event.order_id or ""]
        amount = event.amount or _ZERO
        order.refunded += amount
        order.cancelled = order.refunded == order.paid
        ctx.emit(
            OrderRefunded(
                event_id=ctx.event_id,
                order_id=order.order_id,
                amount=books.money(amount),
                refunded=books.money(order.refunded),
                remaining=books.money(order.remaining),
                cancelled=order.cancelled,
            )
        )
        reverse = ReverseCommission(
            to=FEST, order_id=order.order_id, user_id=order.user_id, amount=amount, cancelled=order.cancelled
        )
        ctx.send(reverse)
        return order

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """Orders and clicks as JSON-ready records."""
        return {"orders": [order.dump() for order in self._orders.values()], "clicks": self.clicks.dump()}

    def load(self, data: Plain) -> None:
        orders = (Order.load(as_mapping(order)) for order in as_list(data["orders"]))
        self._orders = {(order.user_id, order.order_id): order for order in orders}
        self.clicks.load(as_mapping(data["clicks"]))


def _unknown_order(kind: str, event: Event) -> Rejection:
    return Rejection(
        "unknown_order", f"{kind} for order {event.order_id!r}, which the fest has not seen {event.user_id!r} purchase"
    )


def _cancelled(order: Order) -> Rejection:
    return Rejection(
        "order_cancelled", f"order {order.order_id!r} was already refunded in full (cancelled); nothing is left to do"
    )
