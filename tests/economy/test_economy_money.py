"""Money: exact amounts, currencies that never mix, named rounding rules and exact allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from festengine.economy.money import (
    Allocation,
    CurrencyMismatchError,
    Money,
    MoneyError,
    allocate,
    quantum_of,
    round_amount,
    rounding_mode,
)
from festengine.errors import FestEngineError

D = Decimal


def test_money_is_built_from_decimals_ints_and_strings() -> None:
    """Exact inputs make exact amounts."""
    assert Money(D("12.99"), "USD").amount == D("12.99")
    assert Money(3, "USD").amount == D(3)
    assert Money("0.0143", "USD").amount == D("0.0143")


@pytest.mark.parametrize("bad", [0.1, 1.0, True, D("NaN"), D("Infinity"), "twelve", None, [1]])
def test_money_refuses_floats_and_non_numbers(bad: object) -> None:
    """A float (or a bool, NaN, infinity, text that is no number) never becomes money."""
    with pytest.raises(MoneyError):
        Money(bad, "USD")  # type: ignore[arg-type]


def test_money_errors_are_festengine_errors() -> None:
    """Misuse of money raises errors of the festengine family."""
    with pytest.raises(FestEngineError):
        Money(0.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(FestEngineError):
        Money(1, "USD") + Money(1, "EUR")


@pytest.mark.parametrize("currency", ["", None, 840])
def test_money_needs_a_currency(currency: object) -> None:
    """A currency is a non-empty code."""
    with pytest.raises(MoneyError):
        Money(1, currency)  # type: ignore[arg-type]


def test_arithmetic_in_one_currency_is_exact() -> None:
    """Adding, subtracting, negating and multiplying by rates keep every digit."""
    a, b = Money("0.10", "USD"), Money("0.20", "USD")
    assert a + b == Money("0.30", "USD")
    assert b - a == Money("0.10", "USD")
    assert -a == Money("-0.10", "USD")
    assert a * D("0.0143") == Money("0.001430", "USD")
    assert 3 * a == Money("0.30", "USD")
    assert Money.zero("USD").is_zero()
    assert a < b <= Money("0.2", "USD")
    assert b > a >= Money("0.100", "USD")
    assert str(a) == "0.10 USD"


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_arithmetic_across_currencies_raises(operation: object) -> None:
    """USD and EUR never combine; the error names both."""
    with pytest.raises(CurrencyMismatchError) as caught:
        operation(Money(1, "USD"), Money(1, "EUR"))  # type: ignore[operator]
    assert (caught.value.left, caught.value.right) == ("USD", "EUR")


def test_money_is_never_multiplied_by_a_float() -> None:
    """A float factor is refused like a float amount."""
    with pytest.raises(MoneyError):
        Money(1, "USD") * 0.5  # type: ignore[operator]


def test_adding_something_that_is_not_money_is_a_type_error() -> None:
    """Money only adds money."""
    with pytest.raises(TypeError):
        Money(1, "USD") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(1, "USD") - D(1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("amount", "half_even", "half_up", "down"),
    [
        ("0.125", "0.12", "0.13", "0.12"),
        ("0.135", "0.14", "0.14", "0.13"),
        ("0.03675", "0.04", "0.04", "0.03"),
        ("214.49285", "214.49", "214.49", "214.49"),
        ("-0.125", "-0.12", "-0.13", "-0.12"),
        ("7.1964", "7.20", "7.20", "7.19"),
    ],
)
def test_rounding_rules_by_name(amount: str, half_even: str, half_up: str, down: str) -> None:
    """Each named rule rounds to the cent as the table says (down truncates toward zero)."""
    money = Money(amount, "USD")
    assert money.quantize("half_even") == Money(half_even, "USD")
    assert money.quantize("half_up") == Money(half_up, "USD")
    assert money.quantize("down") == Money(down, "USD")
    assert round_amount(D(amount), D("0.01"), "down") == D(down)


def test_quantize_follows_the_minor_unit() -> None:
    """JPY has no minor unit; a 3-decimal currency keeps three."""
    assert Money("99.5", "JPY").quantize("half_even", minor_unit=0) == Money(100, "JPY")
    assert Money("1.2345", "KWD").quantize("half_up", minor_unit=3) == Money("1.235", "KWD")
    assert quantum_of(2) == D("0.01")


def test_unknown_rounding_rule_is_refused() -> None:
    """Only half_even, half_up and down exist."""
    with pytest.raises(MoneyError, match="unknown rounding rule 'ceiling'"):
        rounding_mode("ceiling")


@pytest.mark.parametrize(
    ("total", "weights", "rule", "parts", "remainder"),
    [
        ("428.9857", ["0.50", "0.50"], "half_even", ["214.49", "214.49"], "0.0057"),
        ("428.9857", ["0.53", "0.47"], "half_even", ["227.36", "201.62"], "0.0057"),
        ("0.0735", ["0.50", "0.50"], "half_even", ["0.04", "0.04"], "-0.0065"),
        ("0.0735", ["0.50", "0.50"], "down", ["0.03", "0.03"], "0.0135"),
        ("100.00", [1, 1, 1], "half_even", ["33.33", "33.33", "33.33"], "0.01"),
        ("0.05", [1, 1], "half_up", ["0.03", "0.03"], "-0.01"),
        ("0.05", [1, 1], "half_even", ["0.02", "0.02"], "0.01"),
        ("10.00", [3, 0], "half_even", ["10.00", "0.00"], "0.00"),
    ],
)
def test_allocate_reports_the_remainder(
    total: str, weights: list[str | int], rule: str, parts: list[str], remainder: str
) -> None:
    """Hand-computed splits: the parts are rounded, and parts + remainder == total exactly."""
    split = allocate(D(total), [D(w) for w in weights], D("0.01"), rule)
    assert split == Allocation(tuple(D(p) for p in parts), D(remainder))
    assert split.total == D(total)


def test_money_allocate_returns_money() -> None:
    """The Money form of allocate keeps the currency."""
    parts, remainder = Money("100.00", "EUR").allocate([1, 1, 1])
    assert parts == (Money("33.33", "EUR"),) * 3
    assert remainder == Money("0.01", "EUR")


@pytest.mark.parametrize("weights", [[], [D(0), D(0)], [D(-1), D(2)], [0.5, 0.5]])
def test_allocate_refuses_bad_weights(weights: list[object]) -> None:
    """Weights are non-negative exact numbers, not all zero."""
    with pytest.raises(MoneyError):
        allocate(D(1), weights, D("0.01"), "half_even")  # type: ignore[arg-type]
