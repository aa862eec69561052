"""The economy component: gifts to money, budgets, credits and affiliate commission, on a ledger.

Every money movement is one balanced :class:`~festengine.economy.ledger.JournalEntry`; the
accounts used are:

==================================  ============================================================
``viewer:<u>:coin_spend``            the value of the gifts a viewer sent (negative: paid out)
``viewer:<u>:credits``               shopping credit a viewer holds (the sum of their lots)
``platform:credits_redeemed``        credit viewers spent on orders (the platform pays the sellers)
``expired_credits``                  lapsed credit of budgets that say ``lapsed_to: expired``
``promotion:<id>:discounts``         the discounts a promotion gave (paid to the sellers)
``creator:<c>:gift_earnings``        the creator's share of gifts
``creator:<c>:affiliate_bonus``      bonus from gift conversions
``creator:<c>:commission_pending``   commission accrued and not yet settled
``creator:<c>:commission_settled``   commission settled: payable (negative after a clawback)
``platform:revenue``                 the platform's share of gifts
``platform:promotions``              what the platform put into the budgets (negative)
``platform:commission_expense``      commission the platform owes creators (negative)
``budget:<id>``                      what is left in a budget (never below zero)
``transit:credits``                  credit on its way between a viewer's key and a budget (zero
                                     once every message has arrived)
``rounding``                         what rounding the gift splits left over
==================================  ============================================================

Each part belongs to one owner kind, and the component runs only the parts of the kinds its engine
holds (:meth:`Economy.hold`): a viewer's key holds the gift splits and daily caps
(:class:`~festengine.economy.gifts.GiftDesk`), the credit wallet
(:class:`~festengine.economy.credits.CreditBook`), the orders and last clicks
(:class:`~festengine.economy.orders.OrderBook`); the fest's key holds the budgets
(:class:`~festengine.economy.budgets.BudgetDesk`) and the commission, with the streams attribution
reads (:class:`~festengine.economy.desk.CommissionDesk`). They talk by the messages of
:mod:`festengine.economy.messages`, and each posts the entries of its own accounts (credit between
them passes through ``transit:credits``). An engine holding one kind keeps the other's parts empty.

A new engine holding the fest's key funds each budget (:meth:`Economy.start`; entries 1, 2… with
``event_id=None``). The balances are running totals in the component's state; the journal
entries go to the :class:`~festengine.economy.journal.JournalSink` the component is given (kept
in memory by default). The rules are explained, with worked examples, in ``docs/economy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Final

from festengine.catalog.model import Fest, Reward
from festengine.economy.books import Books
from festengine.economy.budgets import BudgetDesk
from festengine.economy.commission import OrderView
from festengine.economy.credits import TIMER as LAPSE
from festengine.economy.credits import CreditBook, CreditLotView
from festengine.economy.desk import SETTLE, CommissionDesk
from festengine.economy.gifts import GiftDesk
from festengine.economy.ledger import JournalEntry, JournalSink, Ledger
from festengine.economy.messages import (
    FEST,
    AccrueCommission,
    GrantAnswer,
    GrantBoost,
    GrantCredit,
    PayDiscount,
    ReturnCredit,
    ReverseCommission,
    StartSettlement,
)
from festengine.economy.money import Money
from festengine.economy.orders import OrderBook
from festengine.economy.plain import Plain, as_mapping
from festengine.economy.snapshot import economy_snapshot_shape
from festengine.engine.component import Check, Component, Handler, Rejection, RewardHandler, StepContext, Timers
from festengine.engine.keys import Owner
from festengine.engine.messages import Message, MessageHandler
from festengine.engine.shapes import STR, TS, Shape, any_of, member, row
from festengine.events import Event

__all__ = ["Economy"]

_ZERO: Final = Decimal(0)


class Economy(Component):
    """Money for one fest: gift conversion, budgets and credit rewards, and affiliate commission.

    ``journal`` receives every journal entry (default: a
    :class:`~festengine.economy.journal.MemoryJournal` of the fest's currency, which keeps the
    journal readable and in snapshots); the balances are kept here either way.
    """

    name: ClassVar[str] = "economy"

    def __init__(self, fest: Fest, *, journal: JournalSink | None = None) -> None:
        super().__init__(fest)
        settings = fest.economy
        self._books = Books(settings.currency, settings.quantum, settings.rounding, settings.budgets, journal)
        lateness = fest.allowed_lateness.total_seconds()
        self._budgets = BudgetDesk(self._books, settings.budgets)
        self._credits = CreditBook(self._books, dict(settings.budgets), self.name)
        self._gifts = GiftDesk(settings, fest.calendar, self._books, lateness)
        self._orders = OrderBook(fest.commission, self._books)
        self._desk = CommissionDesk(fest.commission, self._books, self.name, lateness)

    def start(self, timers: Timers) -> None:
        """A new engine holding the fest's key starts: fund every budget (not on restore: the snapshot
        has the balances)."""
        if self.holds(Owner.FEST):
            self._books.fund_budgets(self.fest.starts_at)

    @property
    def ledger(self) -> Ledger:
        """The double-entry ledger: balances, journal entries, ``trial_balance()``."""
        return self._books.ledger

    @property
    def currency(self) -> str:
        return self._books.currency

    # ------------------------------------------------------------------ wiring

    def checks(self) -> Mapping[str, Check]:
        """The buyer's key judges purchases, refunds and deliveries with its own facts."""
        if not self.holds(Owner.VIEWER):
            return {}
        orders = self._orders
        return {"purchase": self._check_purchase, "refund": orders.check_refund, "delivery": orders.check_delivery}

    def _check_purchase(self, event: Event) -> Rejection | None:
        """The order's checks, then whether the viewer holds the credits it spends."""
        return self._orders.check_purchase(event) or self._credits.check_purchase(event)

    def _on_purchase(self, event: Event, ctx: StepContext) -> None:
        """Record the order (its commission is asked of the fest's key), then spend its credits."""
        self._orders.on_purchase(event, ctx)
        self._credits.on_purchase(event, ctx)

    def _on_refund(self, event: Event, ctx: StepContext) -> None:
        """Refund the order (its commission is reversed on the fest's key), then give back its share of
        the credits spent."""
        order = self._orders.on_refund(event, ctx)
        amount = event.amount or _ZERO
        self._credits.on_refund(order.user_id, order.order_id, amount, order.paid, order.cancelled, ctx)

    def handlers(self) -> Mapping[str, Handler]:
        table: dict[str, Handler] = {}
        if self.holds(Owner.VIEWER):
            orders, clicks = self._orders, self._orders.clicks
            table.update(
                gift=self._gifts.on_gift,
                purchase=self._on_purchase,
                refund=self._on_refund,
                delivery=orders.on_delivery,
                link_click=lambda event, ctx: clicks.click(event, ctx.ts),
            )
        if self.holds(Owner.FEST):
            streams = self._desk.streams
            table.update(
                stream_started=lambda event, ctx: streams.started(event),
                stream_ended=lambda event, ctx: streams.ended(event, ctx.ts),
            )
        return table

    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        if not self.holds(Owner.VIEWER):
            return {}
        return {"credit": self._grant_credit, "commission_boost": self._orders.grant_boost}

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """Credit lapses (a viewer's key) and settlements (the fest's key)."""
        if payload[0] == LAPSE:
            due = payload[2]
            if isinstance(due, float | int):
                self._credits.on_timer(str(payload[1]), due, ctx)
        elif payload[0] == SETTLE:
            self._desk.on_timer(payload, ctx)

    def message_handlers(self) -> Mapping[type[Message], MessageHandler]:
        """What each key receives: a viewer's key the budgets' answers, the fest's key the rest."""
        table: dict[type[Message], MessageHandler] = {}
        if self.holds(Owner.VIEWER):
            table[GrantAnswer] = self._on_answer
        if self.holds(Owner.FEST):
            budgets, desk = self._budgets, self._desk
            table.update(
                {
                    GrantCredit: budgets.on_grant,
                    ReturnCredit: budgets.on_return,
                    PayDiscount: budgets.on_discount,
                    AccrueCommission: desk.on_accrue,
                    StartSettlement: desk.on_delivery,
                    ReverseCommission: desk.on_reverse,
                    GrantBoost: desk.on_boost,
                }
            )
        return table

    def _on_answer(self, message: GrantAnswer, ctx: StepContext) -> None:
        """A budget's answer to a grant: the credit goes to the wallet; a capped conversion's daily count
        takes back what was not granted."""
        self._credits.on_answer(message, ctx)
        self._gifts.on_answer(message, ctx)

    def _grant_credit(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A mission's ``credit`` reward: ask its budget (on the fest's key) for the credit."""
        credit = reward.credit or _ZERO
        if credit:
            ctx.send(GrantCredit(to=FEST, user_id=user_id, budget_id=reward.budget or "", source=source, credit=credit))

    # ------------------------------------------------------------------ promotions' port

    def round_amount(self, amount: Decimal) -> Decimal:
        """``amount`` rounded to the currency's smallest unit by the fest's rule."""
        return self._books.round(amount)

    def pay_discount(
        self, promotion_id: str, budget_id: str | None, user_id: str, order_id: str, amount: Decimal, ctx: StepContext
    ) -> None:
        """A promotion's discount on an order: the fest's key pays it from its budget (or ``platform:promotions``)
        to ``promotion:<id>:discounts``."""
        payment = PayDiscount(
            to=FEST, user_id=user_id, order_id=order_id, promotion_id=promotion_id, budget_id=budget_id, amount=amount
        )
        ctx.send(payment)

    # ------------------------------------------------------------------ queries

    def balance(self, account: str) -> Money:
        """The balance of one ledger account, e.g. ``balance('viewer:u1:credits')``."""
        return self.ledger.balance(account)

    def entries(self, party: str) -> tuple[JournalEntry, ...]:
        """The journal entries of a viewer or creator (``viewer:u1``, ``creator:c1``, or a bare id).

        Only a journal kept in memory (the default) can be read here; with an outside sink this raises
        :class:`~festengine.economy.ledger.JournalNotKeptError`.
        """
        return self.ledger.entries_for(party)

    def credits(self, user_id: str) -> list[CreditLotView]:
        """A viewer's unspent credit lots (amount, expiry, budget), in the order they would be spent."""
        return self._credits.lots(user_id)

    def budget_left(self, budget_id: str) -> Money:
        """What is left in a budget."""
        return self.ledger.balance(f"budget:{budget_id}")

    def payable(self, creator_id: str) -> Money:
        """A creator's settled commission: what is payable to them (negative if clawbacks exceed it)."""
        return self.ledger.balance(f"creator:{creator_id}:commission_settled")

    def settled_volume(self, creator_id: str) -> Money:
        """The commission base of a creator's settled orders, net of refunds (it chooses the tier)."""
        return self._desk.settled_volume(creator_id)

    def order_status(self, order_id: str) -> str | None:
        """``pending``, ``settled``, ``ineligible`` or ``cancelled``; ``None`` for an unknown order."""
        order = self._orders.find(order_id)
        return None if order is None else OrderView.of(order, self._desk.get(order.user_id, order_id)).status

    def orders(self) -> tuple[OrderView, ...]:
        """Every order recorded (paid, refunded, commission, status…), oldest first."""
        desk = self._desk
        return tuple(OrderView.of(order, desk.get(order.user_id, order.order_id)) for order in self._orders.all())

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """Balances (and the journal when kept in memory), viewers' credit wallets, orders, creators."""
        return {
            "ledger": self.ledger.dump(),
            "wallets": self._gifts.dump(),
            **self._orders.dump(),
            **self._credits.dump(),
            **self._desk.dump(),
        }

    def snapshot_shape(self) -> Shape:
        return economy_snapshot_shape(self.currency)

    def timer_shape(self) -> Shape:
        lapse = row(member({LAPSE}, "a credit lapse timer"), STR, TS)
        return any_of(
            lapse, row(member({SETTLE}, "a settlement timer"), STR, TS, STR), what="a lapse or settlement timer"
        )

    def load(self, data: Plain) -> None:
        self.ledger.load(as_mapping(data["ledger"]))
        self._gifts.load(as_mapping(data["wallets"]))
        self._orders.load(data)
        self._credits.load(data)
        self._desk.load(data)
