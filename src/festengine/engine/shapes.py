"""Shapes: small checkers that say what a snapshot's state must look like, field by field.

A snapshot is untrusted input: anyone holding the pack can compute its fingerprint and write a
snapshot that decodes. Each component therefore declares the shape of what its ``dump()`` writes
(:meth:`~festengine.engine.component.Component.snapshot_shape`) and of the timers it sets
(:meth:`~festengine.engine.component.Component.timer_shape`), and the engine checks a snapshot
against them before any ``load()`` runs, so a restored engine only ever holds values its code can
compute with: finite numbers in range, known ids, well-formed rows.

A shape is a function of the value that returns nothing or raises :class:`Bad`; :func:`check` turns
that into a :class:`~festengine.errors.SnapshotError` naming the place (``missions.viewers['u1'].i[0][3]``).
Shapes only descend as deep as they are declared, so checking is iterative in the data's depth and
linear in its size.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Final, TypeAlias, cast

from festengine.engine.snapshot import DECIMAL_GRAMMAR
from festengine.errors import SnapshotError
from festengine.limits import EARLIEST_TIME, LATEST_TIME, MAX_AMOUNT

__all__ = [
    "AMOUNT",
    "BOOL",
    "COUNT",
    "DECIMAL_TEXT",
    "ISO_TIME",
    "NUMBER",
    "SECONDS",
    "STR",
    "TS",
    "Bad",
    "Shape",
    "any_of",
    "check",
    "dict_of",
    "integer",
    "list_of",
    "member",
    "optional",
    "record",
    "row",
    "unique",
]

Shape: TypeAlias = Callable[[object], None]

_EARLIEST_TS: Final = EARLIEST_TIME.timestamp()
_LATEST_TS: Final = LATEST_TIME.timestamp()
#: Sums of many amounts (balances, totals, volumes) stay far below this; anything larger is corrupt.
_MAX_TOTAL: Final = MAX_AMOUNT * 10**9
#: Counts, sequence numbers and points stay below this (the largest integer a float holds exactly).
_MAX_COUNT: Final = 2**53


class Bad(Exception):
    """A value that does not fit its shape; ``path`` is filled in as the error unwinds."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def check(shape: Shape, value: object, where: str) -> None:
    """Raise :class:`SnapshotError` naming the place if ``value`` does not fit ``shape``."""
    try:
        shape(value)
    except Bad as bad:
        place = where + "".join(reversed(bad.path))
        raise SnapshotError(f"the snapshot is corrupt: {place}: {bad.message}") from None


def _describe(value: object) -> str:
    text = reprlib.repr(value)  # bounded in depth and length, however large or deep the value
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _bad(expected: str, value: object) -> Bad:
    return Bad(f"expected {expected}, found {_describe(value)}")


# ---------------------------------------------------------------------- leaves


def STR(value: object) -> None:
    """A string (an id, a memo, a window name)."""
    if type(value) is not str:
        raise _bad("a string", value)


def BOOL(value: object) -> None:
    if type(value) is not bool:
        raise _bad("true or false", value)


def integer(low: int = 0, high: int = _MAX_COUNT) -> Shape:
    """An integer (not a boolean) in ``[low, high]``."""

    def shape(value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise _bad(f"a whole number from {low} to {high}", value)

    return shape


COUNT: Final = integer()


def _number(low: float, high: float, what: str) -> Shape:
    def shape(value: object) -> None:
        if type(value) not in (int, float) or not low <= cast(float, value) <= high:  # NaN fails both
            raise _bad(what, value)

    return shape


#: A POSIX time inside the supported range (finite: ``inf`` and ``NaN`` fail the comparison).
TS: Final = _number(_EARLIEST_TS, _LATEST_TS, "a time (POSIX seconds) in the supported range")
#: A duration in seconds kept in state (an extension of a deadline): finite, not negative.
SECONDS: Final = _number(0, _LATEST_TS - _EARLIEST_TS, "a number of seconds")
_WHOLE: Final = integer(-_MAX_COUNT, _MAX_COUNT)


def AMOUNT(value: object) -> None:
    """A finite ``Decimal`` of sane size."""
    if type(value) is not Decimal or not value.is_finite() or abs(value) > _MAX_TOTAL:
        raise _bad("a decimal amount", value)


def NUMBER(value: object) -> None:
    """A number as festengine keeps measures, points and totals: a whole number or a ``Decimal``
    (never a float, which would not add to a ``Decimal``)."""
    if type(value) is Decimal:
        AMOUNT(value)
    else:
        _WHOLE(value)


def DECIMAL_TEXT(value: object) -> None:
    """A decimal written as text (the ledger's amounts)."""
    if type(value) is not str or not DECIMAL_GRAMMAR.fullmatch(value) or ("E" in value and not _sane(value)):
        raise _bad("a decimal number as text", value)


def _sane(text: str) -> bool:
    return abs(Decimal(text)) <= _MAX_TOTAL


def ISO_TIME(value: object) -> None:
    """An ISO 8601 time with an offset, inside the supported range."""
    if type(value) is not str or len(value) > 40:
        raise _bad("an ISO 8601 time", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _bad("an ISO 8601 time", value) from None
    if moment.utcoffset() is None or not _EARLIEST_TS <= moment.timestamp() < _LATEST_TS:
        raise _bad("an ISO 8601 time with an offset, in the supported range", value)


def member(allowed: Collection[object], what: str) -> Shape:
    """One of ``allowed`` (known mission ids, state names…)."""

    def shape(value: object) -> None:
        if type(value) not in (str, int) or value not in allowed:
            raise _bad(what, value)

    return shape


# ---------------------------------------------------------------------- combinators


def optional(inner: Shape) -> Shape:
    """``null`` or ``inner``."""

    def shape(value: object) -> None:
        if value is not None:
            inner(value)

    return shape


def any_of(*shapes: Shape, what: str) -> Shape:
    """The first of ``shapes`` that fits."""

    def shape(value: object) -> None:
        for inner in shapes:
            try:
                inner(value)
            except Bad:
                continue
            return
        raise _bad(what, value)

    return shape


def list_of(item: Shape) -> Shape:
    """A list whose every item fits ``item``."""

    def shape(value: object) -> None:
        if type(value) is not list:
            raise _bad("a list", value)
        index = 0
        try:
            for element in value:
                item(element)
                index += 1
        except Bad as bad:
            bad.path.append(f"[{index}]")
            raise

    return shape


def row(*fields: Shape) -> Shape:
    """A list of exactly ``len(fields)`` items, each fitting its field's shape."""
    count = len(fields)

    def shape(value: object) -> None:
        if type(value) is not list or len(value) != count:
            raise _bad(f"a list of {count} items", value)
        index = 0
        try:
            for field, element in zip(fields, value):  # noqa: B905 - the lengths were just compared
                field(element)
                index += 1
        except Bad as bad:
            bad.path.append(f"[{index}]")
            raise

    return shape


def dict_of(value_shape: Shape, key: Shape = STR) -> Shape:
    """An object whose keys fit ``key`` and values fit ``value_shape``."""

    def shape(value: object) -> None:
        if type(value) is not dict:
            raise _bad("an object", value)
        for name, element in value.items():
            try:
                key(name)
                value_shape(element)
            except Bad as bad:
                bad.path.append(f"[{name!r}]")
                raise

    return shape


def record(**fields: Shape) -> Shape:
    """An object with exactly these keys, each value fitting its shape."""
    names = set(fields)

    def shape(value: object) -> None:
        if type(value) is not dict or value.keys() != names:
            raise _bad(f"an object with the keys {', '.join(sorted(names))}", value)
        for name, field in fields.items():
            try:
                field(value[name])
            except Bad as bad:
                bad.path.append(f".{name}")
                raise

    return shape


def unique(values: Iterable[object], what: str) -> None:
    """Raise :class:`Bad` if ``values`` (hashable) repeat."""
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise Bad(f"{what} {reprlib.repr(value)} appears twice")
        seen.add(value)
