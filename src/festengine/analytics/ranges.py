"""Headline figures across several simulated runs, as ranges: what a pack is likely to cost.

One simulated run is one sample. :class:`Headline` takes a run's headline figures from its
:class:`~festengine.analytics.insights.Insights` (credits granted per budget and whether the budget
ran out, completions per mission, commission accrued, settled, reversed and pending);
:meth:`SeedRanges.of` puts the runs of several seeds side by side and gives each figure as a range
``p10 / p50 / p90``.

**Percentiles by nearest rank.** With the ``n`` values sorted ascending, the ``p``-th percentile
is the value at rank ``ceil(p / 100 * n)`` (at least rank 1). It is always one of the observed
values (money stays exact, no interpolation between runs), and the same values give the same
answer in any order. With few runs the ranks collapse: for 2 runs p10 and p50 are the smaller
value and p90 the larger; for 5 runs they are the 1st, 3rd and 5th.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from festengine.analytics.insights import Insights
from festengine.errors import FestEngineError

__all__ = [
    "PERCENTILES",
    "BudgetRange",
    "FigureRange",
    "Headline",
    "MissionRange",
    "RangeError",
    "SeedRanges",
    "nearest_rank",
]

#: The percentiles each range shows.
PERCENTILES: Final = (10, 50, 90)

_ZERO: Final = Decimal(0)
Value = TypeVar("Value", int, Decimal)


class RangeError(FestEngineError, ValueError):
    """Ranges were asked of nothing, or of a percentile outside 0-100."""


def nearest_rank(values: Sequence[Value], p: float) -> Value:
    """The ``p``-th percentile of ``values`` by nearest rank (see the module's description)."""
    if not values:
        raise RangeError("a percentile needs at least one value")
    if not 0 <= p <= 100:
        raise RangeError(f"a percentile is between 0 and 100, not {p}")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _plain(value: int | Decimal) -> int | str:
    return str(value) if isinstance(value, Decimal) else value


@attrs.frozen(slots=True)
class FigureRange:
    """One figure across runs: its 10th, 50th and 90th percentiles, and the lowest and highest run."""

    p10: int | Decimal
    p50: int | Decimal
    p90: int | Decimal
    low: int | Decimal
    high: int | Decimal

    @classmethod
    def of(cls, values: Sequence[Value]) -> FigureRange:
        p10, p50, p90 = (nearest_rank(values, p) for p in PERCENTILES)
        return cls(p10, p50, p90, min(values), max(values))

    def to_dict(self) -> dict[str, int | str]:
        return {f.name: _plain(getattr(self, f.name)) for f in attrs.fields(FigureRange)}


@attrs.frozen(slots=True)
class Headline:
    """One run's headline figures."""

    #: budget id -> credits granted from it
    granted: Mapping[str, Decimal]
    #: budget id -> grants refused or cut because it ran out
    exhausted: Mapping[str, int]
    #: mission id -> completions (rounds for a community goal)
    completions: Mapping[str, int]
    #: accrued, settled, reversed, pending -> commission (zero when the run had none)
    commission: Mapping[str, Decimal]

    @classmethod
    def of(cls, insights: Insights) -> Headline:
        summary = insights.commission
        commission = {
            "accrued": summary.accrued if summary else _ZERO,
            "settled": summary.settled_net if summary else _ZERO,
            "reversed": summary.reversed if summary else _ZERO,
            "pending": summary.pending if summary else _ZERO,
        }
        return cls(
            granted={b.budget_id: b.granted for b in insights.credits},
            exhausted={b.budget_id: b.exhausted for b in insights.credits},
            completions={m.mission_id: m.completions for m in insights.missions},
            commission=commission,
        )


@attrs.frozen(slots=True)
class BudgetRange:
    """Credits granted from one budget across runs, against its size; ``runs_exhausted`` ran out."""

    budget_id: str
    name: str
    size: Decimal
    granted: FigureRange
    runs_exhausted: int

    def to_dict(self) -> dict[str, Any]:
        return {"budget_id": self.budget_id, "name": self.name, "size": str(self.size),
                "granted": self.granted.to_dict(), "runs_exhausted": self.runs_exhausted}  # fmt: skip


@attrs.frozen(slots=True)
class MissionRange:
    """A mission's completions across runs."""

    mission_id: str
    title: str
    completions: FigureRange

    def to_dict(self) -> dict[str, Any]:
        return {"mission_id": self.mission_id, "title": self.title, "completions": self.completions.to_dict()}


@attrs.frozen(slots=True)
class SeedRanges:
    """The headline figures of runs with consecutive seeds, as ranges."""

    seeds: tuple[int, ...]
    budgets: tuple[BudgetRange, ...]
    missions: tuple[MissionRange, ...]
    commission: tuple[tuple[str, FigureRange], ...]

    @classmethod
    def of(cls, seeds: Sequence[int], runs: Sequence[Headline], first: Insights) -> SeedRanges:
        """The ranges of ``runs`` (one per seed); ``first`` (any run's insights) names budgets and missions."""
        if not runs or len(runs) != len(seeds):
            raise RangeError(f"need one run per seed, got {len(runs)} runs for {len(seeds)} seeds")
        budgets = tuple(
            BudgetRange(
                b.budget_id,
                b.name,
                b.size,
                FigureRange.of([r.granted[b.budget_id] for r in runs]),
                sum(1 for r in runs if r.exhausted[b.budget_id]),
            )
            for b in first.credits
        )
        missions = tuple(
            MissionRange(m.mission_id, m.title, FigureRange.of([r.completions[m.mission_id] for r in runs]))
            for m in first.missions
        )
        names = ("accrued", "settled", "reversed", "pending")
        commission = tuple((name, FigureRange.of([r.commission[name] for r in runs])) for name in names)
        return cls(tuple(seeds), budgets, missions, commission)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money as decimal strings; ``method`` names the percentile rule."""
        return {
            "seeds": list(self.seeds),
            "percentiles": list(PERCENTILES),
            "method": "nearest-rank",
            "budgets": [b.to_dict() for b in self.budgets],
            "missions": [m.to_dict() for m in self.missions],
            "commission": {name: figure.to_dict() for name, figure in self.commission},
        }
