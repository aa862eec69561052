"""The dashboard metrics: counters per cell while folding, frozen :class:`Metrics` when reporting.

A LIVE dashboard shows (DOMAIN.md, "Metrics"): views, unique viewers, peak concurrent viewers,
watch time, likes, comments, shares, gifts and their value, product clicks, click-through rate
(clicks / views), orders, GMV, conversion (orders / clicks), GPM (GMV per thousand views), new
followers and Fan Club joins; we add mission completions and refunds. Money is ``Decimal``; the
ratios are floats rounded to 6 decimals (GPM is money, rounded to the currency's minor unit).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import attrs

__all__ = ["COUNTERS", "Cell", "Metrics", "merge"]

_ZERO: Final = Decimal(0)

#: The summable counters of a cell, in report order.
COUNTERS: Final = (
    "views", "watch_seconds", "likes", "comments", "shares", "follows", "gifts", "gift_coins",
    "gift_value", "product_views", "product_clicks", "orders", "gmv", "refunds", "refunded",
    "fan_club_joins", "mission_completions",
)  # fmt: skip


class Cell:
    """What happened in one scope (a stream, or a creator or the fest outside streams) in one hour."""

    __slots__ = (*COUNTERS, "viewers")

    def __init__(self) -> None:
        self.views = self.watch_seconds = self.likes = self.comments = self.shares = self.follows = 0
        self.gifts = self.gift_coins = self.product_views = self.product_clicks = self.orders = 0
        self.refunds = self.fan_club_joins = self.mission_completions = 0
        self.gift_value: Decimal = _ZERO
        self.gmv: Decimal = _ZERO
        self.refunded: Decimal = _ZERO
        #: viewers (interned as ints) with at least one view here
        self.viewers: set[int] = set()

    def add(self, other: Cell) -> None:
        """Add ``other``'s counters (every name in COUNTERS, spelled out: a live dashboard sums many cells)
        and viewers to this cell."""
        self.views += other.views
        self.watch_seconds += other.watch_seconds
        self.likes += other.likes
        self.comments += other.comments
        self.shares += other.shares
        self.follows += other.follows
        self.gifts += other.gifts
        self.gift_coins += other.gift_coins
        self.gift_value += other.gift_value
        self.product_views += other.product_views
        self.product_clicks += other.product_clicks
        self.orders += other.orders
        self.gmv += other.gmv
        self.refunds += other.refunds
        self.refunded += other.refunded
        self.fan_club_joins += other.fan_club_joins
        self.mission_completions += other.mission_completions
        self.viewers |= other.viewers


def merge(cells: Iterable[Cell]) -> Cell:
    """A new cell holding the sum of ``cells``."""
    total = Cell()
    for cell in cells:
        total.add(cell)
    return total


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 6) if denominator else 0.0


@attrs.frozen(slots=True)
class Metrics:
    """The dashboard numbers of one scope over one period."""

    views: int = 0
    unique_viewers: int = 0
    peak_concurrent: int = 0
    watch_seconds: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    follows: int = 0
    gifts: int = 0
    gift_coins: int = 0
    gift_value: Decimal = _ZERO
    product_views: int = 0
    product_clicks: int = 0
    orders: int = 0
    gmv: Decimal = _ZERO
    refunds: int = 0
    refunded: Decimal = _ZERO
    fan_club_joins: int = 0
    mission_completions: int = 0
    #: GMV per thousand views, rounded to the currency
    gpm: Decimal = _ZERO

    @classmethod
    def of(cls, cell: Cell, peak: int, quantum: Decimal) -> Metrics:
        """The metrics of a (merged) cell, with the peak concurrency estimated separately."""
        values: dict[str, Any] = {name: getattr(cell, name) for name in COUNTERS}
        gpm = (cell.gmv * 1000 / cell.views if cell.views else _ZERO).quantize(quantum)
        return cls(unique_viewers=len(cell.viewers), peak_concurrent=peak, gpm=gpm, **values)

    @property
    def ctr(self) -> float:
        """Click-through rate: product clicks / views."""
        return _ratio(self.product_clicks, self.views)

    @property
    def conversion(self) -> float:
        """Orders / product clicks (CTOR)."""
        return _ratio(self.orders, self.product_clicks)

    @property
    def avg_watch_seconds(self) -> float:
        """Watch time per view."""
        return round(self.watch_seconds / self.views, 1) if self.views else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money as decimal strings, ratios included."""
        data: dict[str, Any] = {}
        for field in attrs.fields(Metrics):
            value = getattr(self, field.name)
            data[field.name] = str(value) if isinstance(value, Decimal) else value
        data.update(ctr=self.ctr, conversion=self.conversion, avg_watch_seconds=self.avg_watch_seconds)
        return data
