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
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Final, NamedTuple

import attrs
import msgspec
from msgspec import UNSET
from msgspec.structs import astuple

from festengine._share import share
from festengine._vocab import EVENT_TYPES
from festengine._wire_format import (
    COMMON,
    DECODER,
    DEFAULTS,
    FIELDS,
    STRUCTS,
    WireEvent,
    purchase_amount,
)
from festengine._wire_model import MAX_TEXT, WIRE_FIELDS, parse_full
from festengine._wire_values import currency_of, date_of, is_unicode, region_of, to_utc
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
    ``credits`` is the part of a purchase's ``amount`` paid with the viewer's shopping credit.
    ``coins`` is filled in by the engine for gifts: the coins this event adds once gift streaks are
    counted on their delta.
    ``birth_date``, ``age_verified`` and ``region`` (ISO 3166-1 alpha-2) are a ``viewer_profile``'s: what the
    platform knows about the viewer, for the fest's eligibility rules.
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
    birth_date: date | None = None
    age_verified: bool | None = None
    region: str | None = None
    coins: int | None = None
    credits: Decimal | None = None


# --------------------------------------------------------------------------- the fast path
#
# Most events are plain and valid. msgspec decodes their JSON straight into the struct of their type
# (_wire_format: the wire format declared once), checking JSON types, bounds, lengths and the grammars
# of money and times in C; what a struct cannot say is checked while the Event is built from it: ids
# without blanks around them, a time that exists and lies in the supported range, no key written twice,
# a discount within the price, a refund of something. Whatever the fast path does not take (msgspec
# refuses it, or one of these checks does) goes to the full parser (_wire_model), which decides and names
# every problem. So the fast path only has to be right about what it accepts: nothing the full parser
# refuses, and an equal Event. tests/test_events.py checks both against each other with hypothesis.

#: The supported years (limits.py: from EARLIEST_TIME to LATEST_TIME, both the 1st of January in UTC).
_FIRST_YEAR: Final = EARLIEST_TIME.year
_PAST_YEAR: Final = LATEST_TIME.year
assert datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC) == EARLIEST_TIME  # noqa: S101 - module invariants: the years
assert datetime(_PAST_YEAR, 1, 1, tzinfo=UTC) == LATEST_TIME  # noqa: S101 - are enough to compare times

#: Ids seen before, each mapped to itself: a known id needs no check, and events (and the state
#: keyed by their ids) share one string per id instead of one per event. Bounded: emptied when full.
_IDS: Final[dict[str, str]] = {}
_IDS_MAX: Final = 1 << 16


def _new_id(value: str) -> str | None:
    """A valid id not seen before, now remembered; ``None`` if it has blanks around it or is not valid Unicode."""
    if value != value.strip() or not is_unicode(value):
        return None
    if len(_IDS) >= _IDS_MAX:
        _IDS.clear()
    value = share(value)  # the one copy the engine's components share too
    _IDS[value] = value
    return value


def _unique_id(value: str) -> str | None:
    """An id that _new_id would take, not remembered: unique ids (an event's, an order's) are not worth it."""
    return value if value == value.strip() and is_unicode(value) else None


def _moment(stamp: str) -> datetime | None:
    """``occurred_at`` (STAMP_PATTERN) in UTC as _wire_values.read_time reads it, if the time exists and is in
    the supported range."""
    if stamp[-1] == "Z":  # the usual form: fromisoformat checks that the day and hour exist, and gives UTC
        try:
            moment: datetime | None = _from_iso(stamp)
        except ValueError:
            return None
    else:
        moment = to_utc(stamp)
    return moment if moment is not None and _FIRST_YEAR <= moment.year < _PAST_YEAR else None


_from_iso: Final = datetime.fromisoformat


def _text(value: str) -> str | None:
    return value if is_unicode(value) else None  # msgspec decodes no lone surrogate; a mapping may hold one


#: How the fields that are not ids shared between events become the Event's values (``None`` when refused).
_READ: Final[dict[str, Callable[[Any], Any]]] = {
    "event_id": _unique_id,
    "order_id": _unique_id,
    "occurred_at": _moment,
    "text": _text,
    "birth_date": date_of,
    "currency": currency_of,
    "region": region_of,
    **dict.fromkeys(("price", "discount", "tax", "shipping", "amount", "credits"), Decimal),
}
#: The ids that events share (through _IDS), and the fields taken as decoded.
_SHARED: Final = frozenset(
    {"user_id", "creator_id", "stream_id", "gift_id", "channel", "product_id", "category", "seller_id"}
    | {"mission_id", "promotion_id"}
)
_AS_DECODED: Final = frozenset({"seconds", "count", "repeat_count", "quantity", "repeat_end", "age_verified"})
assert {*_READ, *_SHARED, *_AS_DECODED, "type"} == WIRE_FIELDS  # noqa: S101 - a module invariant: every field is read


class _Plan(NamedTuple):
    """How the Event of one struct is built: its type, its fields by how they are read (each with its place
    among the struct's fields), and the defaults of its optional fields."""

    kind: str
    shared: tuple[tuple[str, int], ...]
    read: tuple[tuple[str, int, Callable[[Any], Any]], ...]
    as_decoded: tuple[tuple[str, int], ...]
    defaults: Mapping[str, object]


def _plan(kind: str, struct: type[WireEvent]) -> _Plan:
    names = struct.__struct_fields__
    return _Plan(
        kind,
        tuple((name, at) for at, name in enumerate(names) if name in _SHARED),
        tuple((name, at, _READ[name]) for at, name in enumerate(names) if name in _READ),
        tuple((name, at) for at, name in enumerate(names) if name in _AS_DECODED),
        DEFAULTS[kind],
    )


_PLANS: Final = {struct: _plan(kind, struct) for kind, struct in STRUCTS.items()}
#: Where occurred_at is among a struct's fields (the common ones come first).
_AT: Final = WireEvent.__struct_fields__.index("occurred_at")


def _event_of(wire: WireEvent, values: tuple[Any, ...]) -> Event | None:
    """The Event of a decoded struct (``values``: its fields, in order); ``None`` when a check refuses it."""
    kind, shared, read, as_decoded, defaults = _PLANS[type(wire)]
    found: dict[str, Any] = dict(defaults)
    for name, at in shared:
        value = values[at]
        if value is not UNSET:
            found[name] = value = _IDS.get(value) or _new_id(value)
            if value is None:
                return None
    for name, at, reader in read:
        value = values[at]
        if value is not UNSET:
            found[name] = value = reader(value)
            if value is None:
                return None
    for name, at in as_decoded:
        value = values[at]
        if value is not UNSET:
            found[name] = value
    if not _amounts_hold(kind, found):
        return None
    return Event(type=kind, **found)


def _amounts_hold(kind: str, found: dict[str, Any]) -> bool:
    """A purchase's amount, derived into ``found``, is not below 0 nor below its credits; a refund's is above 0."""
    if kind == "purchase":
        amount = found["amount"] = purchase_amount(found["price"], found["quantity"], found.get("discount"))
        return bool(amount >= 0) and found.get("credits", amount) <= amount
    return kind != "refund" or bool(found["amount"] > 0)


_decode: Final = DECODER.decode


def _fast_json(text: str | bytes) -> Event | None:
    """The fast path on one JSON text (a line, its line end included); ``None`` leaves it to the full parser."""
    if len(text) > MAX_TEXT:
        return None
    try:
        wire = _decode(text)
    # msgspec's DecodeError or ValidationError; the UnicodeEncodeError of a str holding a lone surrogate;
    # a deeply nested value (of an unknown key).
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    values = astuple(wire)
    return _event_of(wire, values) if _keys_written_once(text, values) else None


#: The escapes of ``0`` to ``?``, the colon ``\\u003a`` among them.
_ESCAPED_COLONS: Final = ("\\u003", b"\\u003")


def _keys_written_once(text: str | bytes, values: tuple[Any, ...]) -> bool:
    """Whether no key is written twice in the JSON text of a decoded struct (``values``: its fields).

    msgspec keeps the last of a repeated key, which the full parser refuses. Every key written is followed
    by one colon and no field's name holds one, so the text has one colon per key written (``type`` and
    each field not UNSET) besides those inside its string values, exactly when no key is repeated. (A
    value could hide a colon as the escape ``\\u003a``: such rare texts are left to the full parser.)
    """
    written = len(values) + 1 - values.count(UNSET)
    # str.find and bytes.find, not ``in``: ``b"\\" in text`` costs a caught exception inside CPython.
    if isinstance(text, str):
        extra = text.count(":") - written
        escaped = text.find("\\") >= 0 and text.find(_ESCAPED_COLONS[0]) >= 0
    else:
        extra = text.count(b":") - written
        escaped = text.find(b"\\") >= 0 and text.find(_ESCAPED_COLONS[1]) >= 0
    if escaped:
        return False
    return extra == values[_AT].count(":") or extra == _colons_inside(values)


def _colons_inside(values: tuple[Any, ...]) -> int:
    return sum(value.count(":") for value in values if type(value) is str)


#: The Python types of a mapping's values that msgspec reads as it reads JSON's (a str subclass, a
#: Decimal, a datetime or a ``None`` are left to the full parser).
_PLAIN_TYPES: Final = frozenset({str, int, bool})


def _fast_mapping(data: dict[Any, Any]) -> Event | None:
    """The fast path on a dict (left unchanged); ``None`` leaves it to the full parser."""
    if not _PLAIN_TYPES.issuperset(map(type, data.values())):
        return None
    try:
        wire = msgspec.convert(data, STRUCTS[data["type"]])  # the struct of its type: msgspec checks the tag
    # No type or an unknown one; msgspec's ValidationError (a key of no field or no string, a value out of
    # bounds…); the UnicodeEncodeError of a str holding a lone surrogate.
    except (KeyError, msgspec.MsgspecError, ValueError):
        return None
    return _event_of(wire, astuple(wire))


def parse_event(data: Mapping[str, Any] | str | bytes, *, line: int | None = None) -> Event:
    """Parse one event from a mapping or a JSON text; raise :class:`EventParseError` if it is malformed.

    The error lists every problem of the event (``.problems``), each naming its field.
    """
    if type(data) is str or type(data) is bytes:
        event = _fast_json(data)
    elif type(data) is dict:
        event = _fast_mapping(data)
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
        elif isinstance(value, date):
            value = value.isoformat()
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
