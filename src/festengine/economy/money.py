"""Exact money: a ``Decimal`` amount with a currency, named rounding rules and exact allocation.

Money is never a float. :class:`Money` refuses floats (and NaN or infinite amounts) when it is
built, arithmetic across currencies raises :class:`CurrencyMismatchError`, and rounding happens
only through a rule named by the fest (``half_even``, ``half_up`` or ``down``).
:func:`allocate` splits an amount into parts by weights so that the parts plus the reported
remainder add up to the amount exactly: nothing is ever dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

import attrs

from festengine.errors import FestEngineError

__all__ = [
    "ROUNDING_RULES",
    "Allocation",
    "CurrencyMismatchError",
    "Money",
    "MoneyError",
    "allocate",
    "quantum_of",
    "round_amount",
    "rounding_mode",
]

#: The rounding rules a fest may name, and the ``decimal`` mode each stands for.
ROUNDING_RULES: Final[Mapping[str, str]] = MappingProxyType(
    {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP, "down": ROUND_DOWN}
)

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)


class MoneyError(FestEngineError, ValueError):
    """Money was misused: a float amount, an amount that is not a number, an unknown rounding rule…"""


class CurrencyMismatchError(MoneyError):
    """Two amounts of different currencies were combined: ``.left`` and ``.right`` name them."""

    def __init__(self, left: str, right: str) -> None:
        self.left = left
        self.right = right
        super().__init__(f"cannot combine {left} with {right}: amounts of different currencies")


def rounding_mode(rule: str) -> str:
    """The ``decimal`` rounding mode of a rule name; raise :class:`MoneyError` for an unknown name."""
    try:
        return ROUNDING_RULES[rule]
    except KeyError:
        raise MoneyError(f"unknown rounding rule {rule!r}; use one of {', '.join(ROUNDING_RULES)}") from None


def quantum_of(minor_unit: int) -> Decimal:
    """The smallest amount of a currency with ``minor_unit`` decimals, e.g. ``Decimal('0.01')`` for 2."""
    return _ONE.scaleb(-minor_unit)


def round_amount(amount: Decimal, quantum: Decimal, rule: str) -> Decimal:
    """``amount`` rounded to a multiple of ``quantum`` by the named rule."""
    return amount.quantize(quantum, rounding=rounding_mode(rule))


def _to_decimal(value: object) -> Decimal:
    """An exact amount from a ``Decimal``, an ``int`` or a decimal string; floats are refused."""
    if type(value) is Decimal:
        if value.is_finite():
            return value
        raise MoneyError(f"a money amount must be a finite number, not {value}")
    if isinstance(value, bool | float):
        raise MoneyError(
            f"money is never a float or bool (got {value!r}); write a Decimal, an int or a string such as '12.99'"
        )
    if isinstance(value, int | Decimal):
        return _to_decimal(Decimal(value))
    if isinstance(value, str):
        try:
            return _to_decimal(Decimal(value.strip()))
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a decimal amount") from None
    raise MoneyError(f"a money amount is a Decimal, an int or a decimal string, not {type(value).__name__}")


def _check_currency(_instance: Money, _attribute: attrs.Attribute[str], value: str) -> None:
    if type(value) is not str or not value:
        raise MoneyError(f"a currency is a code such as 'USD', not {value!r}")


def _factor(value: object) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, int | Decimal):
        raise MoneyError(f"money is multiplied by a Decimal or an int, never by {type(value).__name__}")
    return Decimal(value)


@attrs.frozen(slots=True, order=False)
class Money:
    """An exact amount of one currency. ``Money('12.99', 'USD')``; never built from a float."""

    amount: Decimal = attrs.field(converter=_to_decimal)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls(_ZERO, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """The amount times a rate or a count; the result is exact and not rounded."""
        return Money(self.amount * _factor(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return not self.amount

    def quantize(self, rule: str = "half_even", minor_unit: int = 2) -> Money:
        """Rounded to the currency's smallest unit (``minor_unit`` decimals) by the named rule."""
        return Money(round_amount(self.amount, quantum_of(minor_unit), rule), self.currency)

    def allocate(
        self, weights: Sequence[Decimal | int], rule: str = "half_even", minor_unit: int = 2
    ) -> tuple[tuple[Money, ...], Money]:
        """Split by ``weights`` into rounded parts and the remainder; parts plus remainder equal ``self``."""
        split = allocate(self.amount, weights, quantum_of(minor_unit), rule)
        return tuple(Money(part, self.currency) for part in split.parts), Money(split.remainder, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@attrs.frozen(slots=True)
class Allocation:
    """Parts of an amount, each rounded, and what rounding left over: ``sum(parts) + remainder == total``."""

    parts: tuple[Decimal, ...]
    remainder: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.parts, self.remainder)


def allocate(total: Decimal, weights: Sequence[Decimal | int], quantum: Decimal, rule: str) -> Allocation:
    """Split ``total`` in proportion to ``weights``, each part rounded to ``quantum`` by ``rule``.

    The parts are rounded independently, so they may not add up to ``total``; the difference is
    returned as ``remainder`` (it may be negative), and ``sum(parts) + remainder == total`` holds
    exactly. Weights are proportions: ``(1, 1)`` and ``('0.5', '0.5')`` split alike.
    """
    total = _to_decimal(total)
    factors = [_factor(weight) for weight in weights]
    if not factors or any(weight < 0 for weight in factors) or not any(factors):
        raise MoneyError(f"allocation weights must be non-negative and not all zero, got {list(weights)!r}")
    mode = rounding_mode(rule)
    whole = sum(factors, _ZERO)
    if whole == _ONE:
        parts = tuple((total * weight).quantize(quantum, rounding=mode) for weight in factors)
    else:
        parts = tuple((total * weight / whole).quantize(quantum, rounding=mode) for weight in factors)
    return Allocation(parts, total - sum(parts, _ZERO))
