"""Reading JSON-ready values back with their types: the snapshot parts the economy wrote.

A snapshot's shape is checked before anything is loaded (:mod:`festengine.economy.snapshot`);
these readers narrow each ``object`` to the type its shape promised, and raise ``TypeError`` if it
is not (the restore then reports a corrupt snapshot).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "Plain",
    "as_decimal",
    "as_float",
    "as_int",
    "as_list",
    "as_mapping",
    "as_optional_float",
    "as_optional_str",
    "as_str",
]

#: a JSON-ready record: field name -> value (a dict as the snapshot decoder gives it)
Plain: TypeAlias = Mapping[str, object]


def _wrong(value: object, expected: str) -> TypeError:
    return TypeError(f"expected {expected}, found {type(value).__name__}")


def as_str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise _wrong(value, "text")


def as_optional_str(value: object) -> str | None:
    return None if value is None else as_str(value)


def as_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong(value, "a whole number")


def as_float(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise _wrong(value, "a number")


def as_optional_float(value: object) -> float | None:
    return None if value is None else as_float(value)


def as_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value)
    raise _wrong(value, "a decimal")


def as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    raise _wrong(value, "a list")


def as_mapping(value: object) -> Plain:
    if isinstance(value, dict):
        return value
    raise _wrong(value, "a record")
