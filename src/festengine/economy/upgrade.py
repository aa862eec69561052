"""Money when the pack of a running fest changes (see :mod:`festengine.engine.upgrade`).

* A budget's amount raised or lowered: the difference moves between ``platform:promotions`` and
  ``budget:<id>`` in one balanced entry, now; lowering below what the budget already granted is
  refused (what was granted stays granted). A budget added is funded now the same way.
* The currency, its minor unit and the rounding rule are refused (the diff says so); shares, coin
  values, gifts' coins and conversions apply from now on (nothing already converted moves).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from festengine.catalog.diff import ChangeKind, PackDiff
from festengine.economy.books import PLATFORM_PROMOTIONS
from festengine.economy.component import Economy
from festengine.economy.money import Money
from festengine.economy.outcomes import LedgerEntryPosted
from festengine.engine.component import Component, StepContext
from festengine.engine.upgrade import ComponentUpgrade

__all__ = ["EconomyUpgrade"]


class EconomyUpgrade(ComponentUpgrade):
    """The upgrade hook of the economy: budgets."""

    def _moves(self, diff: PackDiff) -> list[tuple[str, Decimal]]:
        """Each budget whose funding changes, with the difference (a new budget: its whole amount)."""
        old, new = self.old.economy.budgets, self.new.economy.budgets
        moves = [(c.item, new[c.item].amount - old[c.item].amount) for c in diff.of("budgets", ChangeKind.AMOUNT)]
        moves += [(c.item, new[c.item].amount) for c in diff.of("budgets", ChangeKind.ADDED)]
        return [(budget_id, delta) for budget_id, delta in moves if delta]

    def refusals(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        economy = cast(Economy, component)
        found = []
        for change in diff.of("budgets", ChangeKind.AMOUNT):
            left = economy.ledger.amount(f"budget:{change.item}")
            granted = self.old.economy.budgets[change.item].amount - left
            if self.new.economy.budgets[change.item].amount < granted:
                found.append(
                    f"budgets {change.item}: amount {change.before} → {change.after} is below what it already "
                    f"granted ({granted}); a budget is never lowered below that"
                )
        return found

    def effects(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        currency = self.new.economy.currency
        return [
            f"budget {budget_id}: {'+' if delta > 0 else ''}{delta} {currency} posted from {PLATFORM_PROMOTIONS}"
            for budget_id, delta in self._moves(diff)
        ]

    def settle(self, diff: PackDiff, component: Component, ctx: StepContext) -> None:
        ledger = cast(Economy, component).ledger
        currency = self.new.economy.currency
        for budget_id, delta in self._moves(diff):
            postings = [(PLATFORM_PROMOTIONS, Money(-delta, currency)), (f"budget:{budget_id}", Money(delta, currency))]
            memo = f"pack change: budget {budget_id} {'raised' if delta > 0 else 'lowered'} by {abs(delta)}"
            entry = ledger.post(event_id=None, rule_id=budget_id, memo=memo, at=ctx.now, postings=postings)
            ctx.emit(LedgerEntryPosted(event_id=None, entry=entry))
