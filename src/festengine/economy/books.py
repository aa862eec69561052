"""The component's view of the ledger: money in the fest's currency, posting with outcomes, budgets.

:class:`Books` is shared by the economy's parts (gifts, orders, rewards). It posts entries dated
by the step and announces each with :class:`~festengine.economy.outcomes.LedgerEntryPosted`; it
funds the budgets when a new engine starts (the fest's key draws on them:
:mod:`festengine.economy.budgets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

from festengine.catalog.model import Budget
from festengine.economy.ledger import JournalEntry, JournalSink, Ledger, Posting
from festengine.economy.money import Money, rounding_mode
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.component import StepContext

__all__ = ["COMMISSION_EXPENSE", "PLATFORM_PROMOTIONS", "PLATFORM_REVENUE", "ROUNDING", "Books"]

_ZERO: Final = Decimal(0)
PLATFORM_REVENUE: Final = "platform:revenue"
PLATFORM_PROMOTIONS: Final = "platform:promotions"
COMMISSION_EXPENSE: Final = "platform:commission_expense"
ROUNDING: Final = "rounding"
#: Most distinct amounts :meth:`Books.share` keeps; it starts afresh when full.
_SHARED_AMOUNTS: Final = 4096


class Books:
    """The ledger of one fest, with its currency, rounding rule and budgets."""

    __slots__ = ("_budgets", "_mode", "_quantum", "_shared", "currency", "ledger", "nothing")

    def __init__(
        self,
        currency: str,
        quantum: Decimal,
        rounding: str,
        budgets: Mapping[str, Budget],
        journal: JournalSink | None = None,
    ) -> None:
        self.currency = currency
        #: the balances; the journal goes to ``journal`` (kept in memory by default)
        self.ledger = Ledger(currency, journal)
        #: zero in the fest's currency, shared
        self.nothing = Money(_ZERO, currency)
        self._quantum = quantum
        self._mode = rounding_mode(rounding)
        self._budgets = budgets
        #: the text of an amount -> one ``Decimal`` of it, shared by the orders and entries that keep it
        self._shared: dict[str, Decimal] = {}

    def share(self, amount: Decimal) -> Decimal:
        """``amount`` itself, or an identical one (same sign, digits and exponent) kept before.

        Prices, commissions and credits repeat a lot; what the engine keeps for long (orders,
        journal entries) holds one object per distinct amount rather than one per event.
        """
        text = str(amount)
        shared = self._shared.get(text)
        if shared is None:
            if len(self._shared) >= _SHARED_AMOUNTS:
                self._shared.clear()
            shared = self._shared[text] = amount
        return shared

    def money(self, amount: Decimal) -> Money:
        """``amount`` in the fest's currency."""
        return Money(amount, self.currency)

    def round(self, amount: Decimal) -> Decimal:
        """``amount`` rounded to the currency's smallest unit by the fest's rule."""
        return amount.quantize(self._quantum, rounding=self._mode)

    def post(
        self, ctx: StepContext, rule_id: str, memo: str, postings: list[Posting], at: datetime | None = None
    ) -> JournalEntry:
        """Post one entry (dated ``at``, else the event's time, else the clock) and say so."""
        if at is None:
            at = ctx.event.occurred_at if ctx.event is not None else ctx.now
        entry = self.ledger.post(event_id=ctx.event_id, rule_id=rule_id, memo=memo, at=at, postings=postings)
        ctx.emit(LedgerEntryPosted(event_id=ctx.event_id, entry=entry))
        return entry

    def fund_budgets(self, at: datetime) -> None:
        """Fill every budget from ``platform:promotions``, one entry each, caused by no event.

        A budget's state is its ledger account ``budget:<id>``: what is left, never below zero.
        """
        for budget in self._budgets.values():
            if budget.amount > 0:
                postings = [
                    (PLATFORM_PROMOTIONS, self.money(-budget.amount)),
                    (f"budget:{budget.id}", self.money(budget.amount)),
                ]
                self.ledger.post(
                    event_id=None, rule_id=budget.id, memo=f"fund budget {budget.id}", at=at, postings=postings
                )
