"""The fest's budgets (fest key): funding, grants one at a time, credit coming back, discounts paid.

A budget's state is its ledger account ``budget:<id>``, kept by the fest's key only: every entry
that moves it is posted here, so a draw sees exactly what is left and a budget never goes below
zero, whatever order the viewers' keys ran in. The rules (``docs/economy.md``):

* a grant (:class:`~festengine.economy.messages.GrantCredit`) draws the viewer credit first, then
  the creator's bonus; what does not fit is not granted (what is left, with ``allow_partial``) and
  :class:`~festengine.economy.outcomes.BudgetExhausted` says so; the credit goes to the viewer
  through ``transit:credits`` and the answer (:class:`~festengine.economy.messages.GrantAnswer`);
* credit coming back (:class:`~festengine.economy.messages.ReturnCredit`) leaves
  ``transit:credits`` for the budget;
* a promotion's discount (:class:`~festengine.economy.messages.PayDiscount`) was given with the
  order and is paid in full: from the budget as far as it goes, the rest from
  ``platform:promotions``, with ``BudgetExhausted`` for the part the budget could not pay.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from festengine.catalog.model import Budget
from festengine.economy.books import PLATFORM_PROMOTIONS, Books
from festengine.economy.ledger import Posting
from festengine.economy.messages import TRANSIT, GrantAnswer, GrantCredit, PayDiscount, ReturnCredit, viewer_key
from festengine.economy.outcomes import BudgetExhausted, DiscountPaid
from festengine.engine.component import StepContext

__all__ = ["BudgetDesk"]

_ZERO: Final = Decimal(0)


class BudgetDesk:
    """The budgets of one fest, on the fest's key."""

    __slots__ = ("_books", "_budgets")

    def __init__(self, books: Books, budgets: Mapping[str, Budget]) -> None:
        self._books = books
        self._budgets = budgets

    def left(self, budget_id: str) -> Decimal:
        """What is left in a budget."""
        return self._books.ledger.amount(f"budget:{budget_id}")

    def draw(
        self,
        budget_id: str,
        requested: Decimal,
        user_id: str,
        source: str,
        ctx: StepContext,
        already: Decimal = _ZERO,
        partial: bool | None = None,
    ) -> Decimal:
        """What the budget grants of ``requested``: all of it, what is left (partial grants), or nothing.

        ``already`` is what the same entry draws from the budget before this; ``partial`` overrides the
        budget's ``allow_partial``. Emits :class:`BudgetExhausted` when the budget falls short. The
        caller posts the draw.
        """
        left = self.left(budget_id) - already
        if requested <= left:
            return requested
        if partial is None:
            budget = self._budgets.get(budget_id)
            partial = budget is not None and budget.allow_partial
        granted = left if partial and left > 0 else _ZERO
        money = self._books.money
        exhausted = BudgetExhausted(
            event_id=ctx.event_id,
            budget_id=budget_id,
            user_id=user_id,
            source=source,
            requested=money(requested),
            granted=money(granted),
            available=money(max(left, _ZERO)),
        )
        ctx.emit(exhausted)
        return granted

    # ------------------------------------------------------------------ messages

    def on_grant(self, message: GrantCredit, ctx: StepContext) -> None:
        """Draw a grant's credit, then its bonus; post what was granted; answer the viewer's key."""
        books, budget_id, user = self._books, message.budget_id, message.user_id
        credit = self.draw(budget_id, message.credit, user, message.source, ctx) if message.credit else _ZERO
        bonus = _ZERO
        if message.bonus:
            bonus = self.draw(budget_id, message.bonus, user, message.source, ctx, credit)
        if credit or bonus:
            postings: list[Posting] = [(f"budget:{budget_id}", books.money(-(credit + bonus)))]
            if credit:
                postings.append((TRANSIT, books.money(credit)))
            if bonus:
                postings.append((f"creator:{message.creator_id or ''}:affiliate_bonus", books.money(bonus)))
            memo = f"grant of {message.source} from budget {budget_id} to {user}"
            books.post(ctx, message.source, memo, postings, ctx.now)
        if credit or (message.capped and message.credit):  # credit to keep, or a daily count to take back
            answer = GrantAnswer(
                to=viewer_key(user),
                user_id=user,
                budget_id=budget_id,
                source=message.source,
                amount=credit,
                requested=message.credit,
                capped=message.capped,
            )
            ctx.send(answer)

    def on_return(self, message: ReturnCredit, ctx: StepContext) -> None:
        """Credit coming back to its budget from a viewer's key."""
        books, amount = self._books, message.amount
        postings: list[Posting] = [
            (TRANSIT, books.money(-amount)),
            (f"budget:{message.budget_id}", books.money(amount)),
        ]
        memo = f"credit of {message.user_id} back to budget {message.budget_id} ({message.why})"
        books.post(ctx, message.budget_id, memo, postings, ctx.now)

    def on_discount(self, message: PayDiscount, ctx: StepContext) -> None:
        """Pay a discount given on an order: from its budget as far as it goes, the rest from the platform."""
        books, amount, budget_id = self._books, message.amount, message.budget_id
        from_budget = _ZERO
        if budget_id is not None:
            from_budget = self.draw(budget_id, amount, message.user_id, message.promotion_id, ctx, partial=True)
        postings: list[Posting] = []
        if from_budget:
            postings.append((f"budget:{budget_id}", books.money(-from_budget)))
        if amount > from_budget:
            postings.append((PLATFORM_PROMOTIONS, books.money(from_budget - amount)))
        postings.append((f"promotion:{message.promotion_id}:discounts", books.money(amount)))
        memo = f"discount of {message.promotion_id} on order {message.order_id}"
        entry = books.post(ctx, message.promotion_id, memo, postings, ctx.now)
        paid = DiscountPaid(
            event_id=ctx.event_id,
            user_id=message.user_id,
            order_id=message.order_id,
            promotion_id=message.promotion_id,
            amount=books.money(amount),
            budget_id=budget_id,
            entry_id=entry.id,
        )
        ctx.emit(paid)
