"""Ranges across seeds: nearest-rank percentiles and the headline figures of several runs."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from analytics_fests import fold, make_fest
from hypothesis import given
from hypothesis import strategies as st
from test_analytics_dashboard import hand_stream

from festengine.analytics import FigureRange, Headline, SeedRanges, nearest_rank
from festengine.analytics.ranges import RangeError
from festengine.errors import FestEngineError


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([7], (7, 7, 7)),
        ([9, 3], (3, 3, 9)),  # two runs: p10 and p50 are the smaller, p90 the larger
        ([5, 1, 4, 2, 3], (1, 3, 5)),  # five runs: the 1st, 3rd and 5th
        (list(range(10, 0, -1)), (1, 5, 9)),  # ten runs: ranks 1, 5 and 9
        (list(range(1, 21)), (2, 10, 18)),  # twenty runs: ranks 2, 10 and 18
    ],
)
def test_percentiles_by_nearest_rank(values: list[int], expected: tuple[int, int, int]) -> None:
    """The p-th percentile is the value at rank ceil(p/100 x n) of the sorted values (at least rank 1)."""
    assert tuple(nearest_rank(values, p) for p in (10, 50, 90)) == expected


def test_money_percentiles_stay_exact() -> None:
    """Nearest rank never interpolates: a money figure is one run's exact amount."""
    values = [Decimal("10.01"), Decimal("10.02"), Decimal("99.99")]
    figure = FigureRange.of(values)
    assert (figure.p10, figure.p50, figure.p90) == (Decimal("10.01"), Decimal("10.02"), Decimal("99.99"))
    assert figure.to_dict() == {"p10": "10.01", "p50": "10.02", "p90": "99.99", "low": "10.01", "high": "99.99"}


@given(st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=40), st.data())
def test_a_percentile_is_an_observed_value_whatever_the_order(values: list[int], data: st.DataObject) -> None:
    """The result is one of the values, is the same for any order of them, and grows with p."""
    shuffled = data.draw(st.permutations(values))
    p10, p50, p90 = (nearest_rank(values, p) for p in (10, 50, 90))
    assert {p10, p50, p90} <= set(values)
    assert (p10, p50, p90) == tuple(nearest_rank(shuffled, p) for p in (10, 50, 90))
    assert min(values) <= p10 <= p50 <= p90 <= max(values)
    assert sum(1 for v in values if v <= p50) >= math.ceil(len(values) / 2)


@pytest.mark.parametrize(("values", "p"), [([], 50), ([1], -1), ([1], 101)])
def test_impossible_percentiles_are_refused(values: list[int], p: float) -> None:
    with pytest.raises(RangeError) as caught:
        nearest_rank(values, p)
    assert isinstance(caught.value, FestEngineError)


def test_seed_ranges_put_the_runs_headline_figures_side_by_side() -> None:
    """Budgets, missions and commission of each run; a budget's runs_exhausted counts runs that ran out."""
    insights = fold(make_fest(), hand_stream()).insights
    run = Headline.of(insights)
    richer = Headline(
        granted={"pool": Decimal("40.00")},
        exhausted={"pool": 2},
        completions={**run.completions, "hello": 5},
        commission={**run.commission, "accrued": Decimal("9.00")},
    )
    ranges = SeedRanges.of([3, 4, 5], [run, run, richer], insights)
    (pool,) = ranges.budgets
    assert (pool.budget_id, pool.size, pool.runs_exhausted) == ("pool", Decimal("50.00"), 1)
    assert (pool.granted.p10, pool.granted.p50, pool.granted.p90) == (Decimal("0.50"), Decimal("0.50"), Decimal(40))
    hello = next(m for m in ranges.missions if m.mission_id == "hello")
    assert (hello.completions.p10, hello.completions.p90) == (1, 5)
    accrued = dict(ranges.commission)["accrued"]
    assert (accrued.p50, accrued.high) == (Decimal("3.50"), Decimal("9.00"))
    data = ranges.to_dict()
    assert (data["seeds"], data["method"], data["percentiles"]) == ([3, 4, 5], "nearest-rank", [10, 50, 90])


def test_ranges_need_one_run_per_seed() -> None:
    insights = fold(make_fest(), hand_stream()).insights
    with pytest.raises(RangeError, match="one run per seed"):
        SeedRanges.of([1, 2], [Headline.of(insights)], insights)
