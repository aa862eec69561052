"""What a pipeline run did, from its outcome and journal records: the ``summary.json`` it writes.

* ``outcomes``: how many outcomes of each kind (``rejected`` and ``duplicate`` included);
* ``trial_balance``: per currency, the sum of every posting of every key's journal entries (zero,
  since every entry balances on its own); ``unbalanced_entries`` counts entries that do not (none);
* ``budgets_left``: per budget of the fest, what its account holds after the run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from festengine.catalog.model import Fest

__all__ = ["Tally", "read_records"]


class Tally:
    """Counts outcome records and sums journal records as they are read; :meth:`summary` reports."""

    __slots__ = ("_budget_accounts", "_budgets", "entries", "keys", "kinds", "totals", "unbalanced")

    def __init__(self, fest: Fest) -> None:
        self.kinds: Counter[str] = Counter()
        self.keys: set[str] = set()
        self.entries = 0
        self.unbalanced = 0
        self.totals: dict[str, Decimal] = {}
        self._budget_accounts = {f"budget:{budget_id}": budget_id for budget_id in fest.economy.budgets}
        self._budgets: dict[str, Decimal] = dict.fromkeys(fest.economy.budgets, Decimal(0))

    def outcome(self, record: dict[str, Any]) -> None:
        """Count one outcome record (``{"key", "seq", "cause", "outcome"}``)."""
        self.kinds[record["outcome"]["kind"]] += 1
        self.keys.add(record["key"])

    def entry(self, record: dict[str, Any]) -> None:
        """Add one journal record's postings (``[account, amount, currency]``)."""
        self.entries += 1
        self.keys.add(record["key"])
        sums: dict[str, Decimal] = {}
        for account, amount, currency in record["postings"]:
            value = Decimal(amount)
            sums[currency] = sums.get(currency, Decimal(0)) + value
            self.totals[currency] = self.totals.get(currency, Decimal(0)) + value
            budget_id = self._budget_accounts.get(account)
            if budget_id is not None:
                self._budgets[budget_id] += value
        if any(total != 0 for total in sums.values()):
            self.unbalanced += 1

    def summary(self, **extra: Any) -> dict[str, Any]:
        """The summary as JSON-ready values (``extra`` first: rounds, events read…)."""
        return {
            **extra,
            "keys": len(self.keys),
            "outcomes": dict(sorted(self.kinds.items())),
            "journal_entries": self.entries,
            "unbalanced_entries": self.unbalanced,
            "trial_balance": {currency: str(total) for currency, total in sorted(self.totals.items())},
            "budgets_left": {budget_id: str(left) for budget_id, left in sorted(self._budgets.items())},
        }


def read_records(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    """JSON records, one a line."""
    for line in lines:
        yield json.loads(line)
