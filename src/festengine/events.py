"""Events: the flat JSON wire format, parsed at the boundary into one frozen :class:`Event` value.

The wire format is one flat JSON object per event (see ``docs/events.md``)::

    {"event_id": "e1", "type": "gift", "occurred_at": "2026-12-01T20:00:00Z", "user_id": "u1",
     "creator_id": "c1", "stream_id": "s1", "gift_id": "rose", "count": 1,
     "repeat_count": 1, "repeat_end": true}

Parsing checks the type, that each field belongs to that type, that the type's required fields are
there, that times are time-zone aware and that money is written as a decimal string (never a
float). Everything else (is the gift in the catalogue, is the event inside the fest…) is the
engine's business and comes back as a ``Rejected`` outcome, not an exception.
"""

from __future__ import annotations

import json
import json.scanner
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Final

import attrs

from festengine._share import share
from festengine._vocab import EVENT_TYPES
from festengine._wire_model import COMMON, FIELDS, MAX_TEXT, WHOLE_LIMITS, WIRE_FIELDS, parse_full
from festengine._wire_values import PLAIN_MONEY_TEXT, STAMP, is_unicode, to_utc
from festengine.errors import EventParseError, EventProblem
from festengine.limits import EARLIEST_TIME, LATEST_TIME

__all__ = ["EVENT_TYPES", "Event", "EventReader", "event_to_dict", "parse_event", "read_events"]

_COMMON: Final = COMMON
#: For each type: (required fields, optional fields) besides the common four.
_FIELDS: Final = FIELDS


@attrs.frozen(slots=True)
class Event:
    """One thing that happened. Fields that do not belong to the event's type are ``None``.

    ``amount`` is, for a purchase, the price actually paid (``price * quantity - discount``, the
    commission base; tax and shipping are excluded) and, for a refund, the refunded amount.
    ``coins`` is filled in by the engine for gifts: the coins this event adds once gift streaks are
    counted on their delta.
    """

    event_id: str
    type: str
    occurred_at: datetime
    user_id: str
    creator_id: str | None = None
    stream_id: str | None = None
    seconds: int | None = None
    count: int | None = None
    text: str | None = None
    gift_id: str | None = None
    repeat_count: int | None = None
    repeat_end: bool | None = None
    channel: str | None = None
    product_id: str | None = None
    order_id: str | None = None
    category: str | None = None
    seller_id: str | None = None
    quantity: int | None = None
    price: Decimal | None = None
    discount: Decimal | None = None
    tax: Decimal | None = None
    shipping: Decimal | None = None
    currency: str | None = None
    amount: Decimal | None = None
    mission_id: str | None = None
    promotion_id: str | None = None
    coins: int | None = None


_ZERO: Final = Decimal(0)


# --------------------------------------------------------------------------- the fast path
#
# Most events are plain and valid, and checking them with a few type and range tests is several
# times faster than building the pydantic model. The fast path accepts only what it can check
# completely and returns ``None`` for anything else (a null, a float, blanks around an id, an odd
# time format, a discount beyond the price…): the full parser (_wire_model) then decides and
# explains. So it only has to be right about what it accepts: nothing the full parser refuses, and
# an equal Event. Both read values with the patterns of _wire_values (one grammar for money, one for
# times), and tests/test_events.py checks them against each other with hypothesis, for every type.
#
# Each type gets its own checker, made by _fast_checker when the module loads: the type's field specs
# (name, place, kind of check, limits, default), worked out from _FIELDS and the tables below, and
# loops over them that branch on the kind of check. Ordinary code: nothing is generated or compiled.

#: The kinds of check of the fast path, one per kind of field (_fast_checker and _checked do them).
_ID: Final = 0  # a shared id: known in _IDS, or valid and remembered there by _new_id
_INT: Final = 1  # a whole number (not a bool) within the field's _LIMITS
_MONEY: Final = 2  # plain money, as _money reads it
_UNIQUE_ID: Final = 3  # an id that _new_id would take, not remembered: unique ids are not worth it
_TEXT: Final = 4  # a string of at most 2 000 characters of valid Unicode
_BOOL: Final = 5
_CURRENCY: Final = 6  # three capital letters
_TIME: Final = 7  # occurred_at, as _moment reads it
_CHECK_OF: Final = {
    "event_id": _UNIQUE_ID,
    "order_id": _UNIQUE_ID,
    "occurred_at": _TIME,
    **dict.fromkeys(
        (
            "user_id", "creator_id", "stream_id", "gift_id", "channel", "product_id", "category",
            "seller_id", "mission_id", "promotion_id",
        ),
        _ID,
    ),
    **dict.fromkeys(("seconds", "count", "repeat_count", "quantity"), _INT),
    "repeat_end": _BOOL,
    "text": _TEXT,
    **dict.fromkeys(("price", "discount", "tax", "shipping", "amount"), _MONEY),
    "currency": _CURRENCY,
}  # fmt: skip
assert set(_CHECK_OF) | {"type"} == WIRE_FIELDS  # noqa: S101 - a module invariant
_LIMITS: Final = WHOLE_LIMITS
#: Optional fields that the parser fills in when they are missing (as _wire_model._values_of does).
_DEFAULTS: Final[dict[tuple[str, str], object]] = {
    ("like", "count"): 1,
    ("gift", "count"): 1,
    ("gift", "repeat_count"): 1,
    ("gift", "repeat_end"): True,
    ("purchase", "quantity"): 1,
}

#: After the fields, the checks across fields and the derived amount, as _wire_model's _cross_problems
#: and _values_of do them: for a purchase, ``amount = (price or 0) * quantity - (discount or 0)``, refused
#: below 0; for a refund, an amount of 0 is refused. (The end of ``check`` in _fast_checker.)
_NO_FINISH: Final = 0
_PURCHASE: Final = 1
_REFUND: Final = 2
_FINISH: Final = {"purchase": _PURCHASE, "refund": _REFUND}


#: Plain money: the wire format's money with few enough digits to be below MAX_AMOUNT.
_MONEY_TEXT: Final = PLAIN_MONEY_TEXT
_CURRENCY_TEXT: Final = re.compile(r"[A-Z]{3}").fullmatch
_STAMP: Final = STAMP
_from_iso: Final = datetime.fromisoformat
#: The supported years (limits.py: from EARLIEST_TIME to LATEST_TIME, both the 1st of January in UTC).
_FIRST_YEAR: Final = EARLIEST_TIME.year
_PAST_YEAR: Final = LATEST_TIME.year
assert datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC) == EARLIEST_TIME  # noqa: S101 - module invariants: the years
assert datetime(_PAST_YEAR, 1, 1, tzinfo=UTC) == LATEST_TIME  # noqa: S101 - are enough to compare times

#: Ids seen before, each mapped to itself: a known id needs no check, and events (and the state
#: keyed by their ids) share one string per id instead of one per event. Bounded: emptied when full.
_IDS: Final[dict[str, str]] = {}
_IDS_MAX: Final = 1 << 16


def _new_id(value: object) -> str | None:
    """A valid id not seen before, now remembered; ``None`` for anything else."""
    if type(value) is not str or not 0 < len(value) <= 200 or value != value.strip() or not is_unicode(value):
        return None
    if len(_IDS) >= _IDS_MAX:
        _IDS.clear()
    value = share(value)  # the one copy the engine's components share too
    _IDS[value] = value
    return value


def _moment(stamp: object) -> datetime | None:
    """``occurred_at`` in UTC as _wire_values.read_time reads it, if it is in the supported range."""
    if type(stamp) is not str:
        return None
    if len(stamp) == 20 and stamp[4::3] == "--T::Z":
        # "2026-12-01T20:00:00Z": the separators are where they belong (every third character from
        # the fifth), fromisoformat checks the digits, and the result is already in UTC.
        try:
            moment = _from_iso(stamp)
        except ValueError:  # no such day or hour
            return None
    else:
        found = to_utc(stamp) if _STAMP(stamp) is not None else None
        if found is None:
            return None
        moment = found
    return moment if _FIRST_YEAR <= moment.year < _PAST_YEAR else None


def _money(value: object) -> Decimal | None:
    if type(value) is not str or _MONEY_TEXT(value) is None:
        return None
    return Decimal(value)


_EVENT_FIELDS: Final = tuple(field.name for field in attrs.fields(Event))
#: Whether an Event can be built by setting its slots one by one, as its attrs __init__ does: only
#: while __init__ has nothing else to do (no validator, converter or hook; every default None).
_BY_SLOTS: Final = (
    all(
        field.validator is None and field.converter is None and field.init and field.default in (None, attrs.NOTHING)
        for field in attrs.fields(Event)
    )
    and not hasattr(Event, "__attrs_post_init__")
    and not hasattr(Event, "__attrs_pre_init__")
    and set(Event.__slots__) == {*_EVENT_FIELDS, "__weakref__"}
)
_new: Final = object.__new__
#: The fields after the common four, which _fast_checker gathers in a list (in this order).
_REST: Final = _EVENT_FIELDS[4:]
# One setter per slot of an Event, by name: _event_of sets them all, in the order of its fields.
(
    _set_event_id, _set_type, _set_occurred_at, _set_user_id, _set_creator_id, _set_stream_id, _set_seconds,
    _set_count, _set_text, _set_gift_id, _set_repeat_count, _set_repeat_end, _set_channel, _set_product_id,
    _set_order_id, _set_category, _set_seller_id, _set_quantity, _set_price, _set_discount, _set_tax,
    _set_shipping, _set_currency, _set_amount, _set_mission_id, _set_promotion_id, _set_coins,
) = (getattr(Event, name).__set__ for name in _EVENT_FIELDS)  # fmt: skip
assert _EVENT_FIELDS == (  # noqa: S101 - a module invariant: _event_of sets every field, in this order
    "event_id", "type", "occurred_at", "user_id", "creator_id", "stream_id", "seconds", "count", "text",
    "gift_id", "repeat_count", "repeat_end", "channel", "product_id", "order_id", "category", "seller_id",
    "quantity", "price", "discount", "tax", "shipping", "currency", "amount", "mission_id", "promotion_id",
    "coins",
)  # fmt: skip


def _event_of(event_id: str, kind: str, occurred_at: datetime, user_id: str, v: list[Any]) -> Event:
    """``Event(event_id, kind, occurred_at, user_id, *v)`` (``v``: the values of _REST), built by setting
    its slots one by one, as its __init__ does; only while _BY_SLOTS."""
    event = _new(Event)
    _set_event_id(event, event_id)
    _set_type(event, kind)
    _set_occurred_at(event, occurred_at)
    _set_user_id(event, user_id)
    _set_creator_id(event, v[0])
    _set_stream_id(event, v[1])
    _set_seconds(event, v[2])
    _set_count(event, v[3])
    _set_text(event, v[4])
    _set_gift_id(event, v[5])
    _set_repeat_count(event, v[6])
    _set_repeat_end(event, v[7])
    _set_channel(event, v[8])
    _set_product_id(event, v[9])
    _set_order_id(event, v[10])
    _set_category(event, v[11])
    _set_seller_id(event, v[12])
    _set_quantity(event, v[13])
    _set_price(event, v[14])
    _set_discount(event, v[15])
    _set_tax(event, v[16])
    _set_shipping(event, v[17])
    _set_currency(event, v[18])
    _set_amount(event, v[19])
    _set_mission_id(event, v[20])
    _set_promotion_id(event, v[21])
    _set_coins(event, v[22])
    return event


def _checked(value: Any, test: int, low: int, high: int) -> Any:
    """A field's value as the event holds it when it passes its kind of check; ``None`` if not."""
    if test == _ID:
        return _IDS.get(value) or _new_id(value)
    if test == _INT:
        return value if type(value) is int and low <= value <= high else None
    if test == _MONEY:
        return _money(value)
    if test == _UNIQUE_ID:
        return _unique_id(value)
    if test == _TEXT:
        ok = type(value) is str and len(value) <= 2_000 and (value.isascii() or is_unicode(value))
        return value if ok else None
    if test == _BOOL:
        return value if type(value) is bool else None
    if test == _CURRENCY:
        return value if type(value) is str and _CURRENCY_TEXT(value) is not None else None
    raise AssertionError(test)  # _TIME is one of the common four, which _fast_checker checks itself


def _unique_id(value: object) -> str | None:
    """An id that _new_id would take, not remembered: unique ids are not worth it (see _UNIQUE_ID)."""
    if type(value) is not str or not 0 < len(value) <= 200 or value != value.strip():
        return None
    return value if value.isascii() or is_unicode(value) else None


def _fast_checker(kind: str) -> Callable[[Mapping[str, Any]], Event | None]:
    """``check(data)`` for one type: the event, or ``None`` for the full parser to decide."""
    required, optional = _FIELDS[kind]
    allowed = frozenset((*_COMMON, *required, *optional))
    needed = frozenset((*_COMMON, *required))
    place = {name: at for at, name in enumerate(_REST)}
    # The type's field specs besides the common four, checked in the order of _FIELDS (as the
    # full parser reports them, required ones first): name, place in _REST, kind of check, limits (a
    # whole number's; (0, 0) for the rest) and, for an optional field, its default: filled in when the
    # field is missing (it passes the check), while a null is refused. An optional field without a
    # default (None) is left None when missing or null, as in the full parser.
    required_specs = tuple((name, place[name], _CHECK_OF[name], *_LIMITS.get(name, (0, 0))) for name in required)
    optional_specs = tuple(
        (name, place[name], _CHECK_OF[name], *_LIMITS.get(name, (0, 0)), _DEFAULTS.get((kind, name)))
        for name in optional
    )
    nones: list[Any] = [None] * len(_REST)  # the fields after the common four: None until set
    finish = _FINISH.get(kind, _NO_FINISH)
    price_at, quantity_at, discount_at, amount_at = (
        place[name] for name in ("price", "quantity", "discount", "amount")
    )
    by_slots = _BY_SLOTS  # read now: a test builds checkers without it

    def check(data: Mapping[str, Any]) -> Event | None:
        if not allowed.issuperset(data) or not data.keys() >= needed:
            return None
        event_id = data["event_id"]  # checked as _unique_id does, written out: every event has one
        if (
            type(event_id) is not str
            or not 0 < len(event_id) <= 200
            or event_id != event_id.strip()
            or not (event_id.isascii() or is_unicode(event_id))
        ):
            return None
        occurred_at = _moment(data["occurred_at"])
        if occurred_at is None:
            return None
        user_id = data["user_id"]
        user_id = _IDS.get(user_id) or _new_id(user_id)
        if user_id is None:
            return None
        values = nones.copy()
        for name, at, test, low, high in required_specs:
            value = data[name]  # there (see needed); a null fails every check
            if test == _ID:  # the usual kinds written out, the others in _checked
                value = _IDS.get(value) or _new_id(value)
            elif test == _INT:
                if type(value) is not int or not low <= value <= high:
                    return None
            else:
                value = _checked(value, test, low, high)
            if value is None:
                return None
            values[at] = value
        for name, at, test, low, high, default in optional_specs:
            value = data.get(name, default)
            if value is not None:
                if test == _ID:
                    value = _IDS.get(value) or _new_id(value)
                elif test == _INT:
                    if type(value) is not int or not low <= value <= high:
                        return None
                else:
                    value = _checked(value, test, low, high)
                if value is None:
                    return None
                values[at] = value
            elif default is not None:  # a null where the full parser would not fill in the default
                return None
        if finish == _PURCHASE:
            amount = (values[price_at] or _ZERO) * values[quantity_at] - (values[discount_at] or _ZERO)
            if amount < 0:
                return None
            values[amount_at] = amount
        elif finish == _REFUND and values[amount_at] <= 0:
            return None
        if by_slots:  # every slot set directly: the same Event, in two thirds of the time of __init__
            return _event_of(event_id, kind, occurred_at, user_id, values)
        return Event(event_id, kind, occurred_at, user_id, *values)

    return check


#: Each type's checker.
_FAST_BY_TYPE: Final = {kind: _fast_checker(kind) for kind in _FIELDS}


def _fast(data: Mapping[str, Any]) -> Event | None:
    """The fast path on a dict (left unchanged); ``None`` leaves the event to the full parser."""
    try:
        return _FAST_BY_TYPE[data["type"]](data)
    except (KeyError, TypeError):  # no type, an unknown one, or an id that is not even hashable
        return None


#: ``json.loads`` without its wrapper: (value, end) of the JSON value at an index; the C scanner.
#: (typeshed wants a scanner as the context, but any object with a decoder's settings is one.)
_scan: Final[Callable[[str, int], tuple[Any, int]]] = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _fast_json_stdlib(text: str | bytes) -> Event | None:
    """The fast path on one JSON text (a line, its line end included); ``None`` as for :func:`_fast`."""
    if len(text) > MAX_TEXT:
        return None
    try:
        line = text.decode() if isinstance(text, bytes) else text
        data, end = _scan(line, 0)
        if end != len(line) and line[end:].strip(" \t\r\n"):
            return None
        event = _FAST_BY_TYPE[data["type"]](data)
    # Not UTF-8, not JSON, blanks before it; not an object, no type or an unknown one, an id that
    # is not even hashable.
    except (StopIteration, ValueError, RecursionError, KeyError, TypeError):
        return None
    return event if event is None or _keys_written_once(line, data) else None


def _keys_written_once(text: str | bytes, data: dict[str, Any]) -> bool:
    """Whether no key is written twice in the JSON text of an object that a checker accepted.

    A JSON decoder keeps the last of a repeated key, which the full parser refuses. Every key written is
    followed by one colon, and the keys of an accepted object hold none, so the text has ``len(data)``
    colons besides those inside its string values, exactly when no key is repeated. (A value could hide
    a colon as the escape ``\\u003a``: such rare texts are left to the full parser.)
    """
    # str.find and bytes.find, not ``in``: ``b"\\" in text`` costs a caught exception inside CPython.
    if isinstance(text, str):
        extra = text.count(":") - len(data)
        escaped = text.find("\\") >= 0
    else:
        extra = text.count(b":") - len(data)
        escaped = text.find(b"\\") >= 0
    if not escaped:  # every colon of a value is written as one; usually the time's are the only ones
        return extra == data["occurred_at"].count(":") or extra == _colons_inside(data)
    hidden = text.find("\\u003") >= 0 if isinstance(text, str) else text.find(b"\\u003") >= 0
    return not hidden and extra == _colons_inside(data)


def _colons_inside(data: dict[str, Any]) -> int:
    return sum(value.count(":") for value in data.values() if type(value) is str)


def _find_orjson() -> Callable[[str | bytes], Any] | None:
    """orjson's ``loads`` when the optional extra ``festengine[fast]`` is installed."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson.loads


_orjson_loads: Final = _find_orjson()


def _fast_json_orjson(text: str | bytes) -> Event | None:
    """:func:`_fast_json_stdlib` with orjson, which decodes JSON about twice as fast."""
    if _orjson_loads is None or text[:1] not in _OPEN_BRACE or len(text) > MAX_TEXT:  # a BOM, blanks before it…
        return None
    try:
        data = _orjson_loads(text)
        event = _FAST_BY_TYPE[data["type"]](data)
    except (ValueError, KeyError, TypeError):  # as above; orjson.JSONDecodeError is a ValueError
        return None
    return event if event is None or _keys_written_once(text, data) else None


_OPEN_BRACE: Final = ("{", b"{")

#: The fast path on JSON text: with orjson if it is installed (both give the same events).
_fast_json: Callable[[str | bytes], Event | None] = _fast_json_stdlib if _orjson_loads is None else _fast_json_orjson


def parse_event(data: Mapping[str, Any] | str | bytes, *, line: int | None = None) -> Event:
    """Parse one event from a mapping or a JSON text; raise :class:`EventParseError` if it is malformed.

    The error lists every problem of the event (``.problems``), each naming its field.
    """
    if type(data) is str or type(data) is bytes:
        event = _fast_json(data)
    elif type(data) is dict:
        event = _fast(data)
    else:
        event = None
    return event if event is not None else _parse_slow(data, line=line)


def _parse_slow(data: object, *, line: int | None) -> Event:
    """The full parser (_wire_model): the Event, or EventParseError naming every problem."""
    return Event(**parse_full(data, line=line))


def event_to_dict(event: Event) -> dict[str, Any]:
    """The wire form of an event (the inverse of :func:`parse_event`), JSON-ready."""
    out: dict[str, Any] = {}
    for field in attrs.fields(Event):
        value = getattr(event, field.name)
        if value is None or field.name == "coins" or (field.name == "amount" and event.type == "purchase"):
            continue
        if isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        elif isinstance(value, Decimal):
            value = str(value)
        out[field.name] = value
    return out


#: The longest line of a JSON Lines file that is read (with its line end): longer ones are malformed.
MAX_LINE_BYTES: Final = MAX_TEXT
#: How many malformed lines' errors an EventReader keeps unless told otherwise.
KEEP_ERRORS: Final = 20


@attrs.define
class EventReader:
    """Iterates the events of a JSON Lines file; bad lines are counted, and reading goes on.

    Memory stays bounded whatever the file holds: ``errors`` keeps the first ``keep_errors`` errors
    (each with its line number), ``malformed`` counts every bad line and ``problem_counts`` their
    problems by field and code (``"seconds: wrong_type"``; ``"unknown_field"`` for keys of no field).
    """

    path: Path
    keep_errors: int = KEEP_ERRORS
    errors: list[EventParseError] = attrs.field(factory=list)
    malformed: int = 0
    problem_counts: Counter[str] = attrs.field(factory=Counter)
    lines_read: int = 0

    def __iter__(self) -> Iterator[Event]:
        with self.path.open("rb") as handle:
            for number, raw in enumerate(_lines(handle), start=1):
                self.lines_read = number
                if raw is None:
                    self._count(line_too_long(number))
                    continue
                event = _fast_json(raw)
                if event is not None:
                    yield event
                elif raw.strip():  # blank lines are skipped
                    try:
                        yield _parse_slow(raw, line=number)
                    except EventParseError as error:
                        self._count(error)

    def _count(self, error: EventParseError) -> None:
        self.malformed += 1
        count_problems(error, self.problem_counts)
        if len(self.errors) < self.keep_errors:
            self.errors.append(error.with_traceback(None))  # not the frames it was raised in


def count_problems(error: EventParseError, counts: Counter[str]) -> None:
    """Add a malformed line's problems to ``counts``, by field and code (``"seconds: wrong_type"``)."""
    for problem in error.problems:
        known = problem.field in WIRE_FIELDS or problem.field == "event"
        counts[f"{problem.field}: {problem.code}" if known else problem.code] += 1


#: The problem of a line longer than MAX_LINE_BYTES.
_TOO_LONG: Final = EventProblem("event", "out_of_range", f"the line is longer than {MAX_LINE_BYTES:,} bytes")


def line_too_long(line: int) -> EventParseError:
    """The error of a JSON Lines line longer than MAX_LINE_BYTES."""
    return EventParseError([_TOO_LONG], line=line)


def _lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """The lines of a file, each with its line end; ``None`` for a line longer than MAX_LINE_BYTES, skipped
    without holding more than MAX_LINE_BYTES of it."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES:
            yield raw
            continue
        while not raw.endswith(b"\n") and (raw := handle.readline(MAX_LINE_BYTES)):
            pass
        yield None


def read_events(path: str | os.PathLike[str], *, keep_errors: int = KEEP_ERRORS) -> EventReader:
    """Read events from a JSON Lines file: ``for event in (reader := read_events(p))``, then ``reader.malformed``
    and ``reader.errors`` (the first ``keep_errors`` bad lines' errors)."""
    return EventReader(Path(path), keep_errors=keep_errors)


def dumps_event(event: Event) -> str:
    """One JSON line for an event, keys in wire order."""
    return json.dumps(event_to_dict(event), separators=(",", ":"))
