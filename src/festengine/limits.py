"""The ranges festengine computes within.

Every boundary (fest packs, events, ``advance_to``, snapshots) refuses a value outside these ranges with
its own error, so the core never meets a time or an amount it cannot compute with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

__all__ = [
    "EARLIEST_TIME",
    "LATEST_TIME",
    "MAX_AMOUNT",
    "MAX_DECIMALS",
    "time_in_range",
]

#: The earliest instant an event, a fest date or ``advance_to`` may name (inclusive).
EARLIEST_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: The first instant past the supported range (exclusive): fests and events end before 2100.
LATEST_TIME: Final = datetime(2100, 1, 1, tzinfo=UTC)

#: Every amount of money (prices, budgets, coin values, caps) is below this, in its currency's units.
MAX_AMOUNT: Final = Decimal(10) ** 12
#: At most this many decimal places in any amount, rate or coin value.
MAX_DECIMALS: Final = 6

_EARLIEST_TS: Final = EARLIEST_TIME.timestamp()
_LATEST_TS: Final = LATEST_TIME.timestamp()


def time_in_range(moment: datetime) -> bool:
    """Whether an aware datetime lies in ``[EARLIEST_TIME, LATEST_TIME)``."""
    return _EARLIEST_TS <= moment.timestamp() < _LATEST_TS
