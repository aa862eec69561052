"""The wire format's values: one reading of each kind of field, shared by the fast path and the full parser.

Each ``read_*`` function takes a value as JSON (or a Python mapping) gives it and returns it as an
:class:`~festengine.events.Event` holds it, or raises :class:`Invalid` with a problem code and a sentence
for people. ``None`` (JSON ``null``) passes through: for an optional field it means "absent".
The wire structs of ``_wire_format`` (the fast path) declare their values with the same patterns
(``PLAIN_MONEY_PATTERN`` is a part of ``MONEY_TEXT``; ``STAMP_PATTERN`` and ``to_utc`` are the time's;
``CURRENCY_PATTERN``), so both parsers read every value alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

from festengine._codes import REGION_PATTERN, is_currency, is_region
from festengine.limits import EARLIEST_TIME, LATEST_TIME, MAX_AMOUNT, MAX_DECIMALS

__all__ = [
    "CURRENCY_PATTERN",
    "DATE_PATTERN",
    "FIRST_BIRTH_DATE",
    "ID_MAX",
    "MONEY_TEXT",
    "PLAIN_MONEY_PATTERN",
    "STAMP",
    "STAMP_PATTERN",
    "TEXT_MAX",
    "Invalid",
    "currency_of",
    "date_of",
    "is_unicode",
    "read_bool",
    "read_currency",
    "read_date",
    "read_id",
    "read_money",
    "read_region",
    "read_text",
    "read_time",
    "reader_of_whole",
    "region_of",
    "to_utc",
]

#: Problem codes of a value (the other codes, for keys and types, are in events.py; docs/events.md lists all).
WRONG_TYPE: Final = "wrong_type"  # a string where a whole number is needed, a float for money…
INVALID: Final = "invalid"  # the right JSON type in the wrong form: money "1e2", a time without seconds…
OUT_OF_RANGE: Final = "out_of_range"  # a number, an amount, a time or a length beyond its bounds

ID_MAX: Final = 200
TEXT_MAX: Final = 2_000

#: Money on the wire: ASCII digits, optionally a point and 1 to MAX_DECIMALS digits ("12.99", "3", "0.5").
MONEY_TEXT: Final = re.compile(rf"[0-9]+(?:\.[0-9]{{1,{MAX_DECIMALS}}})?").fullmatch
#: The digits before the point that keep any amount below MAX_AMOUNT (12 for 10**12).
_PLAIN_DIGITS: Final = len(str(int(MAX_AMOUNT))) - 1
#: Plain money, a part of MONEY_TEXT: few enough digits before the point to be below MAX_AMOUNT without
#: comparing (the wire structs of ``_wire_format`` take only these; the full parser reads the rest).
PLAIN_MONEY_PATTERN: Final = rf"[0-9]{{1,{_PLAIN_DIGITS}}}(?:\.[0-9]{{1,{MAX_DECIMALS}}})?"
#: RFC 3339 with seconds and an offset: ``2026-12-01T20:00:00Z``, ``…T12:00:00.25-08:00`` (up to 9 fraction
#: digits, kept to the microsecond; ``t`` and ``z`` in lower case are allowed, as RFC 3339 says).
STAMP_PATTERN: Final = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-5][0-9])"
)
STAMP: Final = re.compile(STAMP_PATTERN).fullmatch
#: An ISO 4217 currency code.
CURRENCY_PATTERN: Final = r"[A-Z]{3}"
#: A day of the calendar: ``YYYY-MM-DD`` (a birth date).
DATE_PATTERN: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE_TEXT: Final = re.compile(DATE_PATTERN).fullmatch
_REGION_TEXT: Final = re.compile(REGION_PATTERN).fullmatch
#: The earliest birth date an event may carry; the latest is the day before LATEST_TIME.
FIRST_BIRTH_DATE: Final = date(1900, 1, 1)
#: The shapes of a time without its offset or without its seconds, to say what is missing.
_NO_ZONE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?").fullmatch
_NO_SECONDS: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?:[Zz]|[+-][0-9:]{2,5})?").fullmatch
_CURRENCY_TEXT: Final = re.compile(CURRENCY_PATTERN).fullmatch
_DIGITS: Final = re.compile(r"[0-9]{1,30}").fullmatch
_RANGE: Final = "1970-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z (exclusive)"
assert (EARLIEST_TIME.isoformat(), LATEST_TIME.isoformat()) == (  # noqa: S101 - _RANGE says what limits.py has
    "1970-01-01T00:00:00+00:00",
    "2100-01-01T00:00:00+00:00",
)


class Invalid(Exception):
    """A value the wire format refuses: ``code`` for machines, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def show(value: object) -> str:
    """A value as a message quotes it: short, in JSON's words (``true``, ``null``, ``"60"``)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int) and not -(10**18) < value < 10**18:
        return "a number of more than 18 digits"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(text, ensure_ascii=not (text.isprintable() and is_unicode(text)))
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def kind_of(value: object) -> str:
    """What JSON calls a value's type: a string, a boolean, a number with a fraction, a list…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    if isinstance(value, float):
        return f"a number with a fraction or an exponent ({show(value)})"
    if isinstance(value, int):
        return f"a whole number ({show(value)})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def is_unicode(text: str) -> bool:
    """False for a string with a lone surrogate (``"\\ud800"`` in JSON): it is not valid Unicode."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def reader_of_whole(low: int, high: int) -> Callable[[object], int | None]:
    """The reader of a whole-number field within ``[low, high]`` (counts, seconds, quantities)."""

    def read_whole(value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if not low <= value <= high:
                raise Invalid(OUT_OF_RANGE, f"must be from {low:,} to {high:,}, not {show(value)}")
            return int(value)
        hint = ""
        if isinstance(value, str) and _DIGITS(value.strip()):
            hint = f"; write {value.strip()} without quotes"
        raise Invalid(WRONG_TYPE, f"a whole number is needed, but {kind_of(value)} was given{hint}")

    return read_whole


def read_money(value: object) -> Decimal | None:
    """An amount of money: a decimal string as MONEY_TEXT says, or a whole number, below MAX_AMOUNT."""
    if value is None:
        return None
    if isinstance(value, str):
        if MONEY_TEXT(value) is None:
            raise _money_form(value)
        amount = Decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise Invalid(OUT_OF_RANGE, f"must not be negative, not {show(value)}")
        amount = Decimal(value)
    elif isinstance(value, Decimal):  # from a Python mapping
        amount = _decimal(value)
    elif isinstance(value, float):
        raise Invalid(WRONG_TYPE, f'write money as a decimal string such as "12.99", never a float ({show(value)})')
    else:
        raise Invalid(WRONG_TYPE, f'money is a decimal string such as "12.99", but {kind_of(value)} was given')
    if amount >= MAX_AMOUNT:
        raise Invalid(OUT_OF_RANGE, f"must be less than {MAX_AMOUNT:,}, not {show(value)}")
    return amount


def _money_form(text: str) -> Invalid:
    """What is wrong with money written as a string that MONEY_TEXT refuses."""
    if text[:1] == "-" and MONEY_TEXT(text[1:]):
        return Invalid(OUT_OF_RANGE, f"must not be negative, not {show(text)}")
    whole, point, decimals = text.partition(".")
    if point and _DIGITS(whole) and decimals.isascii() and decimals.isdigit():
        return Invalid(INVALID, f"has more than {MAX_DECIMALS} decimal places: {show(text)}")
    return Invalid(
        INVALID,
        f"{show(text)} is not money as the wire format writes it: ASCII digits, optionally a point and "
        f'1 to {MAX_DECIMALS} digits, such as "12.99" or "3"',
    )


def _decimal(value: Decimal) -> Decimal:
    """A Decimal given in a Python mapping, held to the same limits as the text."""
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        raise Invalid(INVALID, f"must be a finite amount, not {show(value)}")
    if value.is_signed():
        raise Invalid(OUT_OF_RANGE, f"must not be negative, not {show(value)}")
    if exponent < -MAX_DECIMALS:
        raise Invalid(INVALID, f"has more than {MAX_DECIMALS} decimal places: {show(value)}")
    return value


def read_time(value: object) -> datetime | None:
    """``occurred_at`` in UTC: RFC 3339 text as STAMP says (or an aware datetime from a Python mapping)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise Invalid(INVALID, "must carry a time zone, e.g. 2026-12-01T20:00:00Z")
        return _in_range(value, value)
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise Invalid(WRONG_TYPE, 'write the time as text, e.g. "2026-12-01T20:00:00Z", not as a number')
        raise Invalid(WRONG_TYPE, f'a time such as "2026-12-01T20:00:00Z" is needed, but {kind_of(value)} was given')
    if STAMP(value) is None:
        if _NO_ZONE(value):
            raise Invalid(INVALID, f"must carry a time zone, e.g. 2026-12-01T20:00:00Z, not {show(value)}")
        if _NO_SECONDS(value):
            raise Invalid(INVALID, f"must give the seconds, e.g. 2026-12-01T20:00:00Z, not {show(value)}")
        raise Invalid(
            INVALID,
            f"{show(value)} is not an RFC 3339 time with seconds and a time zone, "
            'such as "2026-12-01T20:00:00Z" or "2026-12-01T12:00:00-08:00"',
        )
    try:
        moment = datetime.fromisoformat(value.upper())  # "t" and "z" as fromisoformat wants them
    except ValueError:  # February 30th, hour 24, offset +24:00
        raise Invalid(INVALID, f"{show(value)} is not a valid date and time (no such day, hour or offset)") from None
    return _in_range(moment, value)


def to_utc(stamp: str) -> datetime | None:
    """A time that matches STAMP, in UTC; ``None`` if there is no such time or it has no UTC equivalent."""
    try:
        return datetime.fromisoformat(stamp.upper()).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _in_range(moment: datetime, value: object) -> datetime:
    """An aware time in UTC, if it lies in ``[EARLIEST_TIME, LATEST_TIME)``."""
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC equivalent
        raise Invalid(OUT_OF_RANGE, f"{show(value)} is outside the supported range, {_RANGE}") from None
    if not EARLIEST_TIME <= moment < LATEST_TIME:
        raise Invalid(OUT_OF_RANGE, f"{show(value)} is outside the supported range, {_RANGE}")
    return moment


def read_id(value: object) -> str | None:
    """An id: a string of 1 to ID_MAX characters of valid Unicode, blanks around it stripped."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(WRONG_TYPE, f"an id is a string, but {kind_of(value)} was given")
    text = value.strip()
    if not text:
        raise Invalid(INVALID, "must not be empty")
    if len(text) > ID_MAX:
        raise Invalid(OUT_OF_RANGE, f"must be at most {ID_MAX} characters, not {len(text):,}")
    if not is_unicode(text):
        raise Invalid(INVALID, "is not valid Unicode (it holds a lone surrogate)")
    return str(text)


def read_text(value: object) -> str | None:
    """A comment's text: a string of at most TEXT_MAX characters of valid Unicode, kept as written."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(WRONG_TYPE, f"text is a string, but {kind_of(value)} was given")
    if len(value) > TEXT_MAX:
        raise Invalid(OUT_OF_RANGE, f"must be at most {TEXT_MAX:,} characters, not {len(value):,}")
    if not is_unicode(value):
        raise Invalid(INVALID, "is not valid Unicode (it holds a lone surrogate)")
    return str(value)


def read_bool(value: object) -> bool | None:
    """``true`` or ``false``; nothing else (not 1, not "true")."""
    if value is None or isinstance(value, bool):
        return value
    raise Invalid(WRONG_TYPE, f"true or false is needed, but {kind_of(value)} was given")


def read_currency(value: object) -> str | None:
    """An ISO 4217 code: three capital ASCII letters naming a current currency (``_codes``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(WRONG_TYPE, f'a currency code such as "USD" is needed, but {kind_of(value)} was given')
    if _CURRENCY_TEXT(value) is None:
        raise Invalid(INVALID, f'must be three capital letters (ISO 4217) such as "USD", not {show(value)}')
    if not is_currency(value):
        raise Invalid(INVALID, f"{show(value)} is not an ISO 4217 currency code")
    return str(value)


def currency_of(text: str) -> str | None:
    """A currency code that matches CURRENCY_PATTERN as read_currency reads it; ``None`` if it refuses it."""
    return text if is_currency(text) else None


def read_date(value: object) -> date | None:
    """A day of the calendar written ``YYYY-MM-DD`` (or a ``date`` from a Python mapping), from
    FIRST_BIRTH_DATE up to the day before LATEST_TIME."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif not isinstance(value, str):
        raise Invalid(WRONG_TYPE, f'a date such as "2001-07-15" is needed, but {kind_of(value)} was given')
    elif _DATE_TEXT(value) is None:
        raise Invalid(INVALID, f'must be a date written YYYY-MM-DD such as "2001-07-15", not {show(value)}')
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:  # February 30th, month 13
            raise Invalid(INVALID, f"{show(value)} is not a day of the calendar") from None
    if not FIRST_BIRTH_DATE <= day < LATEST_TIME.date():
        raise Invalid(OUT_OF_RANGE, f"must be from {FIRST_BIRTH_DATE} to 2099-12-31, not {show(str(day))}")
    return day


def date_of(text: str) -> date | None:
    """A date that matches DATE_PATTERN as read_date reads it; ``None`` if read_date refuses it."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_BIRTH_DATE <= day < LATEST_TIME.date() else None


def read_region(value: object) -> str | None:
    """An ISO 3166-1 alpha-2 code: two capital letters naming a country or territory (``"DE"``)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(WRONG_TYPE, f'a region code such as "DE" is needed, but {kind_of(value)} was given')
    if _REGION_TEXT(value) is None:
        raise Invalid(INVALID, f'must be two capital letters (ISO 3166-1 alpha-2) such as "DE", not {show(value)}')
    if not is_region(value):
        raise Invalid(INVALID, f"{show(value)} is not an ISO 3166-1 alpha-2 code")
    return str(value)


def region_of(text: str) -> str | None:
    """A region code that matches REGION_PATTERN as read_region reads it; ``None`` if it refuses it."""
    return text if is_region(text) else None
