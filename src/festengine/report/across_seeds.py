"""The report's "Across seeds" section: each headline figure as a range over several simulated runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from festengine.analytics.ranges import BudgetRange, FigureRange, SeedRanges
from festengine.report import fmt
from festengine.report.blocks import lead, note, table

__all__ = ["RANGE_HEADERS", "across_seeds"]

#: The column titles of a range, low to high.
RANGE_HEADERS: Final = ("low (p10)", "middle (p50)", "high (p90)")

#: A budget whose high run uses at least this share of it is flagged.
_TIGHT: Final = Decimal("0.8")


def _columns(figure: FigureRange) -> tuple[object, object, object]:
    return figure.p10, figure.p50, figure.p90


def _share(part: object, whole: Decimal) -> str:
    return fmt.percent(float(Decimal(str(part)) / whole)) if whole else "-"


def _budget_warning(budget: BudgetRange, runs: int) -> str | None:
    if budget.runs_exhausted:
        return f"{budget.name} ran out in {budget.runs_exhausted} of {runs} runs."
    high = Decimal(str(budget.granted.p90))
    if budget.size and high >= budget.size * _TIGHT:
        return f"{budget.name}: the high run uses {_share(high, budget.size)} of it; little room is left."
    return None


def _explanation(ranges: SeedRanges, seed: object) -> str:
    first, last, count = ranges.seeds[0], ranges.seeds[-1], len(ranges.seeds)
    return (
        f"The same pack and sizes simulated with seeds {first} to {last} ({count} runs). Each figure is given "
        "low, middle and high: about one run in ten comes out below the low figure, half below the middle, "
        f"and one in ten above the high. Each is an actual run's figure: with the {count} runs sorted, the "
        f"run at position p/100 x {count} rounded up (at least the first), for p = 10, 50 and 90 (the "
        f"nearest-rank rule). The other sections of this report show seed {seed} alone."
    )


def across_seeds(ranges: SeedRanges | None, seed: object, chart: str = "") -> str:
    """The section's HTML: ranges of credits per budget (with ``chart``, their drawing), completions per
    mission and commission."""
    if ranges is None:
        return note(
            f"This report is one simulated run (seed {seed}), one sample of what the fest may do. "
            "Run festengine simulate with --seeds K to see each headline figure as a range over K runs."
        )
    runs = len(ranges.seeds)
    warnings = [w for w in (_budget_warning(b, runs) for b in ranges.budgets) if w]
    budgets = table(
        ("budget", "size", *RANGE_HEADERS, "high as share of size", "runs that ran out"),
        [(b.name, b.size, *_columns(b.granted), _share(b.granted.p90, b.size), f"{b.runs_exhausted} of {runs}")
         for b in ranges.budgets],
        caption="Shopping credits granted from each budget",
    )  # fmt: skip
    missions = table(
        ("mission", "id", *RANGE_HEADERS),
        [(m.title, m.mission_id, *_columns(m.completions)) for m in ranges.missions],
        text_columns=2,
        caption="Completions per mission (rounds for a community goal)",
    )
    commission = table(
        ("commission", *RANGE_HEADERS),
        [(name, *_columns(figure)) for name, figure in ranges.commission],
        caption="Commission at the end of the run",
    )
    text = lead(_explanation(ranges, seed)) + "".join(note(w) for w in warnings)
    return text + chart + budgets + commission + missions
