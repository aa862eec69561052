"""The kinds of value a fest pack holds: ids, text, whole numbers, decimals, booleans, times, durations.

Each kind reads exactly what ``docs/authoring.md`` allows, within the bounds the engine computes
with (see "Limits" there), and refuses anything else with a message that says what to write
instead. Each kind also describes itself in the JSON Schema: a decimal written as text has a
``pattern`` that is the very test the loader applies, so an editor and the loader agree.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from festengine.limits import EARLIEST_TIME, LATEST_TIME, MAX_DECIMALS, time_in_range

__all__ = [
    "MAX_COINS_PER_GIFT",
    "MAX_COIN_VALUE",
    "MAX_COUNT",
    "MAX_DURATION",
    "MAX_FACTOR",
    "MAX_LEVEL",
    "MAX_POINTS",
    "Bool",
    "Duration",
    "FestTime",
    "Id",
    "Text",
    "WholeNumber",
    "decimal_kind",
    "format_duration",
]

#: The most coins one gift of the catalogue may cost (the costliest real gifts cost about 45,000).
MAX_COINS_PER_GIFT: Final = 10**7
#: Coin values are below this, in the currency's units (a real coin is worth about 0.01 USD).
MAX_COIN_VALUE: Final = Decimal(1000)
#: The largest multiplier factor of creator scoring.
MAX_FACTOR: Final = Decimal(10)
#: The most points one reward or one matching event (per unit of ``per``) may give.
MAX_POINTS: Final = 10**6
#: The largest count, cap or threshold (streak minimums, daily caps, Fan Club level points).
MAX_COUNT: Final = 10**9
#: The highest Fan Club or community level a pack may name.
MAX_LEVEL: Final = 1000
#: The longest duration: the whole supported time range, so a time plus a few durations stays a
#: valid date.
MAX_DURATION: Final = LATEST_TIME - EARLIEST_TIME


# --------------------------------------------------------------------------- ids and text

_ID_PATTERN: Final = r"^[a-z0-9][a-z0-9_\-]*$"

Id = Annotated[
    str,
    StringConstraints(pattern=_ID_PATTERN, max_length=64),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _ID_PATTERN,
            "maxLength": 64,
            "description": "an id: lower-case letters, digits, '_' and '-'",
        }
    ),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _shown(value: object) -> str:
    """A value as a designer wrote it: ``'no'`` for text, ``true`` for a boolean, ``1.5`` for a number."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    return type(value).__name__


# --------------------------------------------------------------------------- booleans


def _boolean(value: object) -> object:
    """Only ``true`` and ``false`` are booleans: not ``yes``, ``no``, ``"false"`` or ``1``."""
    if isinstance(value, bool):
        return value
    raise ValueError(f"{_shown(value)} is not true or false; write true or false (without quotes)")


Bool = Annotated[bool, BeforeValidator(_boolean)]


# --------------------------------------------------------------------------- whole numbers


def _whole_number(value: object) -> object:
    """A whole number written as a number: not text, not a boolean, not a fraction."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        _no_exponent(value)
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
    quotes = " (without quotes)" if isinstance(value, str) else ""
    raise ValueError(f"expected a whole number, got {_shown(value)}; write a whole number such as 5{quotes}")


#: Reads a whole number: ``Annotated[int, Field(ge=…, le=…), WholeNumber]`` (bounds first: the schema shows them).
WholeNumber: Final = BeforeValidator(_whole_number)


# --------------------------------------------------------------------------- decimals

_EXPONENT: Final = re.compile(r"[-+]?[0-9.]+[eE][-+]?[0-9]+")
_PLAIN_DECIMAL: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _no_exponent(value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:  # 1e3 read by YAML: Decimal('1E+3')
        raise ValueError(f"{value} is written with an exponent; write the number out in digits, e.g. 1000 for 1e3")


def _grouped(value: Decimal) -> str:
    return f"{value:,f}"


#: The lowest value of a decimal kind: 0 included, above 0, or 1 included.
Low = Literal["zero", "positive", "one"]


def _pattern(maximum: Decimal, *, inclusive: bool, low: Low) -> str:
    """The text of a decimal from ``low`` up to ``maximum`` (a power of ten) with at most
    ``MAX_DECIMALS`` decimals: no sign, no leading zeros, no exponent, no spaces."""
    digits = len(str(int(maximum))) - 1
    if maximum != 10**digits or (low == "one" and digits == 0):
        raise ValueError(f"the bound of a decimal kind is a power of ten above 1, not {maximum}")
    fraction = rf"(?:\.[0-9]{{1,{MAX_DECIMALS}}})?"
    if low == "one":
        below = rf"[1-9][0-9]{{0,{digits - 1}}}"
    else:
        below = "0" if digits == 0 else rf"(?:0|[1-9][0-9]{{0,{digits - 1}}})"
    options = [below + fraction]
    if inclusive:
        options.append(str(int(maximum)) + rf"(?:\.0{{1,{MAX_DECIMALS}}})?")
    not_zero = r"(?!0(?:\.0+)?$)" if low == "positive" else ""
    return "^" + not_zero + "(?:" + "|".join(options) + ")$"


_LOWEST: Final = {"zero": Decimal(0), "positive": Decimal(0), "one": Decimal(1)}
_FROM: Final = {"zero": "from 0", "positive": "above 0", "one": "from 1"}
_AT_LEAST: Final = {"zero": "0 or more", "positive": "a number greater than 0", "one": "1 or more"}


class _DecimalKind:
    """Reads one kind of decimal (money, rates, coin values…) and says how to write it."""

    def __init__(self, what: str, maximum: Decimal, *, inclusive: bool, low: Low, example: str) -> None:
        self.what = what
        self.maximum = maximum
        self.inclusive = inclusive
        self.low = low
        self.example = example
        self.pattern = _pattern(maximum, inclusive=inclusive, low=low)
        self._text = re.compile(self.pattern).fullmatch  # not match: "$" also matches before a newline
        #: the pydantic metadata that reads the kind and describes it in the JSON Schema
        self.validator = BeforeValidator(self.read)
        self.schema = WithJsonSchema(self.json_schema())

    @property
    def range(self) -> str:
        high = f"up to {_grouped(self.maximum)}" if self.inclusive else f"below {_grouped(self.maximum)}"
        return f"{_FROM[self.low]}, {high}, with at most {MAX_DECIMALS} decimals"

    def read(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return self._checked(Decimal(value), str(value))
        if isinstance(value, Decimal):
            checked = self._checked(value, str(value))  # a bound says more than the exponent of 1e400
            _no_exponent(checked)
            return checked
        if isinstance(value, str):
            return self._from_text(value)
        raise ValueError(f"expected a number, got {_shown(value)}; write {self.what} such as {self.example}")

    def _from_text(self, text: str) -> Decimal:
        if self._text(text):
            return Decimal(text)
        if _EXPONENT.fullmatch(text.strip()):
            raise ValueError(
                f"{text!r} is written with an exponent; write the number out in digits, e.g. {self.example}"
            )
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise ValueError(f"expected a number, got {text!r}; write {self.what} such as {self.example}")
        value = self._checked(Decimal(text), text)
        raise ValueError(f"{text!r} has a leading zero; write it as {value}")

    def _checked(self, value: Decimal, shown: str) -> Decimal:
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int):  # NaN or infinity
            raise ValueError(f"expected a number, got {shown}; write {self.what} such as {self.example}")
        if -exponent > MAX_DECIMALS:
            raise ValueError(f"{shown} has {-exponent} decimals; write at most {MAX_DECIMALS}, e.g. {self.example}")
        if value < _LOWEST[self.low] or (self.low == "positive" and value == 0):
            size = "negative" if value < 0 else "too small"
            raise ValueError(f"{shown} is {size}; write {_AT_LEAST[self.low]}")
        if value > self.maximum or (value == self.maximum and not self.inclusive):
            most = f"{self.maximum} or less" if self.inclusive else f"a number less than {_grouped(self.maximum)}"
            raise ValueError(f"{shown} is too large; write {most}")
        return value

    def json_schema(self) -> dict[str, Any]:
        low = "exclusiveMinimum" if self.low == "positive" else "minimum"
        high = "maximum" if self.inclusive else "exclusiveMaximum"
        says = f'{self.what} {self.range}, e.g. "{self.example}"'
        return {
            "anyOf": [
                {"type": "number", low: int(_LOWEST[self.low]), high: int(self.maximum), "description": says},
                # patternErrorMessage: what VS Code's YAML and JSON support show instead of the regex
                {
                    "type": "string",
                    "pattern": self.pattern,
                    "description": says,
                    "patternErrorMessage": f"write {says}",
                },
            ],
            "description": says,
        }


def decimal_kind(what: str, maximum: Decimal, *, low: Low, inclusive: bool = False, example: str) -> _DecimalKind:
    """One kind of exact decimal: a number, or text of digits with an optional point. Use it as
    ``Annotated[Decimal, kind.validator, kind.schema]``."""
    return _DecimalKind(what, maximum, inclusive=inclusive, low=low, example=example)


# --------------------------------------------------------------------------- times


def _in_range(moment: datetime) -> datetime:
    if not time_in_range(moment):
        raise ValueError(
            f"{moment.isoformat()} is outside the supported time range; write a time from "
            f"{EARLIEST_TIME:%Y-%m-%dT%H:%M:%SZ} up to (not including) {LATEST_TIME:%Y-%m-%dT%H:%M:%SZ}"
        )
    return moment


FestTime = Annotated[AwareDatetime, AfterValidator(_in_range)]


# --------------------------------------------------------------------------- durations

#: ASCII digits only (``\d`` would also read other scripts' digits); the schema's pattern below says the same.
_DURATION_RE: Final = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")
_DURATION_HINT: Final = "write it like '15m', '2h', '7d' or '1h30m'"


def format_duration(value: timedelta) -> str:
    """A duration as designers write it: ``'1h30m'``, ``'7d'``, ``'0s'``."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


def _too_long(value: object) -> ValueError:
    return ValueError(
        f"{value!r} is too long for a duration: longer than the supported time range; "
        f"write at most '{format_duration(MAX_DURATION)}'"
    )


def _duration_of(value: object) -> timedelta | None:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{value!r} is negative; a duration is 0 or more seconds, or written like '15m'")
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION_RE.fullmatch(value.strip())
        if match and any(match.groups()):
            days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
            return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return None


def _parse_duration(value: object) -> object:
    try:
        duration = _duration_of(value)
    except OverflowError:
        raise _too_long(value) from None
    if duration is None:
        if isinstance(value, bool):
            raise ValueError(
                f"{_shown(value)} is not a duration; a duration is written like '15m', '2h', '7d' or '1h30m'"
            )
        raise ValueError(f"{_shown(value)} is not a duration; {_DURATION_HINT}")
    if duration > MAX_DURATION:
        raise _too_long(value)
    if duration < timedelta(0):
        raise ValueError(f"{value!r} is negative; a duration is 0 or more seconds, or written like '15m'")
    return duration


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*(?!\s*$)([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?\s*$"},
                {"type": "integer", "minimum": 0, "maximum": int(MAX_DURATION.total_seconds())},
            ],
            "description": "a duration such as '90s', '15m', '2h', '7d' or '1h30m' (or whole seconds)",
        }
    ),
]
