"""Pack checks for credit validity on budgets and for promotions' discount limits and budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from test_catalog_validation import BADGES, ECONOMY, FEST, MISSIONS, Pack, assert_problem, only_problem

from festengine import load_fest


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    """The validation tests' base pack with some files replaced (``name=text``)."""

    def write(**files: str) -> Path:
        texts = {"fest": FEST, "economy": ECONOMY, "badges": BADGES, "missions": MISSIONS, **files}
        for name, text in texts.items():
            (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return write


SALE = (
    "promotions:\n  - id: sale\n    title: Sale\n"
    '    trigger: {kind: schedule, starts_at: "2026-06-02T00:00:00Z", ends_at: "2026-06-03T00:00:00Z"}\n'
)


def with_budget(extra: str) -> str:
    return ECONOMY.replace('{id: pool, amount: "100.00"}', '{id: pool, amount: "100.00", ' + extra + "}")


def test_budget_validity_and_promotion_limits_compile(pack: Pack) -> None:
    economy = with_budget('valid_until: "2026-06-30T00:00:00Z", lapsed_to: expired')
    economy += '    - {id: week, amount: "5.00", valid_for: 7d}\n'
    promotions = SALE + (
        '    discount: {percent: "10", min_spend: "20.00", cap_per_order: "5.00", cap_per_viewer: "8.00"}\n'
        "    budget: week\n"
    )
    fest = load_fest(pack(economy=economy, promotions=promotions))
    pool, week = fest.economy.budgets["pool"], fest.economy.budgets["week"]
    assert (pool.valid_until, pool.valid_for, pool.lapsed_to) == (datetime(2026, 6, 30, tzinfo=UTC), None, "expired")
    assert (week.valid_until, week.valid_for, week.lapsed_to) == (None, timedelta(days=7), "budget")
    sale = fest.promotions["sale"]
    assert (sale.min_spend, sale.cap_per_order, sale.cap_per_viewer, sale.budget) == (
        Decimal("20.00"),
        Decimal("5.00"),
        Decimal("8.00"),
        "week",
    )


def test_a_budget_gives_one_validity(pack: Pack) -> None:
    problem = only_problem(pack(economy=with_budget('valid_for: 7d, valid_until: "2026-06-30T00:00:00Z"')))
    assert_problem(
        problem, "economy.yaml", 9, 7, "economy.budgets[0]", "budget 'pool': write one of valid_for or valid_until"
    )


def test_credits_cannot_lapse_before_the_fest_starts(pack: Pack) -> None:
    problem = only_problem(pack(economy=with_budget('valid_until: "2026-05-01T00:00:00Z"')))
    assert_problem(
        problem,
        "economy.yaml",
        9,
        49,
        "economy.budgets[0].valid_until",
        "budget 'pool': credits would lapse at 2026-05-01T00:00:00+00:00, before the fest starts",
    )


def test_lapsed_to_is_budget_or_expired(pack: Pack) -> None:
    problem = only_problem(pack(economy=with_budget("lapsed_to: nowhere")))
    assert problem.path == "economy.budgets[0].lapsed_to"
    assert (problem.line, problem.column) == (9, 47)
    assert "budget" in problem.message
    assert "expired" in problem.message


@pytest.mark.parametrize(
    ("discount", "column", "path", "says"),
    [
        ('{percent: "10", min_spend: "20.001"}', 42, "min_spend", "20.001 has more decimals than USD allows"),
        ('{percent: "10", cap_per_order: "0"}', 46, "cap_per_order", "0 is too small; write a number greater than 0"),
        ('{percent: "10", cap_per_viewer: "1.005"}', 47, "cap_per_viewer", "1.005 has more decimals than USD allows"),
    ],
)
def test_discount_limits_are_money_of_the_fests_currency(
    pack: Pack, discount: str, column: int, path: str, says: str
) -> None:
    problem = only_problem(pack(promotions=SALE + f"    discount: {discount}\n"))
    assert_problem(problem, "promotions.yaml", 5, column, f"promotions[0].discount.{path}", says)


def test_a_promotions_budget_must_exist(pack: Pack) -> None:
    problem = only_problem(pack(promotions=SALE + '    discount: {percent: "10"}\n    budget: pol\n'))
    assert_problem(
        problem, "promotions.yaml", 6, 13, "promotions[0].budget", "unknown budget 'pol' (did you mean 'pool'?)"
    )


def test_the_bundled_pack_uses_credit_validity_and_promotion_limits() -> None:
    fest = load_fest(Path(__file__).resolve().parents[2] / "missions" / "community-fest")
    assert any(b.valid_for is not None or b.valid_until is not None for b in fest.economy.budgets.values())
    assert any(b.lapsed_to == "expired" for b in fest.economy.budgets.values())
    assert any(p.budget is not None and p.cap_per_viewer is not None for p in fest.promotions.values())
    assert any(p.min_spend is not None or p.cap_per_order is not None for p in fest.promotions.values())
