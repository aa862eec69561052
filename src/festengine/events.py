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
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final

import attrs
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from festengine._share import share
from festengine._vocab import EVENT_TYPES
from festengine.errors import EventParseError

__all__ = ["EVENT_TYPES", "Event", "EventReader", "event_to_dict", "parse_event", "read_events"]

_COMMON: Final = ("event_id", "type", "occurred_at", "user_id")

#: For each type: (required fields, optional fields) besides the common four.
_FIELDS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "stream_started": (("creator_id", "stream_id"), ()),
    "stream_ended": (("creator_id", "stream_id"), ()),
    "view": (("creator_id", "stream_id", "seconds"), ()),
    "like": (("creator_id", "stream_id"), ("count",)),
    "comment": (("creator_id", "stream_id", "text"), ()),
    "share": (("creator_id", "stream_id"), ()),
    "follow": (("creator_id",), ("stream_id",)),
    "gift": (("creator_id", "stream_id", "gift_id"), ("count", "repeat_count", "repeat_end", "channel")),
    "fan_club_join": (("creator_id",), ("stream_id",)),
    "link_click": (("creator_id", "product_id"), ("stream_id",)),
    "product_view": (("product_id",), ("creator_id", "stream_id")),
    "purchase": (
        ("order_id", "product_id", "price", "currency"),
        (
            "creator_id",
            "stream_id",
            "category",
            "seller_id",
            "channel",
            "quantity",
            "discount",
            "tax",
            "shipping",
            "promotion_id",
        ),
    ),
    "refund": (("order_id", "amount"), ("currency",)),
    "delivery": (("order_id",), ()),
    "check_in": ((), ("creator_id", "stream_id")),
    "claim": (("mission_id",), ()),
}
assert set(_FIELDS) == set(EVENT_TYPES)  # noqa: S101 - a module invariant, checked at import


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


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('write money as a decimal string such as "12.99", never a float')
    return value


def _timestamp_text(value: object) -> object:
    if isinstance(value, int | float):
        raise ValueError('write the time as text, e.g. "2026-12-01T20:00:00Z", not as a number')
    return value


Money = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, max_digits=18, decimal_places=6)]
Ident = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class _Wire(BaseModel):
    """The wire format; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Ident
    type: str
    occurred_at: Annotated[AwareDatetime, BeforeValidator(_timestamp_text)]
    user_id: Ident
    creator_id: Ident | None = None
    stream_id: Ident | None = None
    seconds: Annotated[int, Strict(), Field(ge=0, le=86_400)] | None = None
    count: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] | None = None
    text: Annotated[str, StringConstraints(max_length=2_000)] | None = None
    gift_id: Ident | None = None
    repeat_count: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] | None = None
    repeat_end: StrictBool | None = None
    channel: Ident | None = None
    product_id: Ident | None = None
    order_id: Ident | None = None
    category: Ident | None = None
    seller_id: Ident | None = None
    quantity: Annotated[int, Strict(), Field(ge=1, le=100_000)] | None = None
    price: Money | None = None
    discount: Money | None = None
    tax: Money | None = None
    shipping: Money | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    amount: Money | None = None
    mission_id: Ident | None = None
    promotion_id: Ident | None = None


_ZERO = Decimal(0)


def _reasons(error: ValidationError) -> list[str]:
    reasons = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "event"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "is not a field of the wire format (see docs/events.md)"
        elif item["type"] == "timezone_aware":
            message = "must carry a time zone, e.g. 2026-12-01T20:00:00Z"
        reasons.append(f"{where}: {message}")
    return reasons


def _check_type_fields(wire: _Wire) -> list[str]:
    if wire.type not in _FIELDS:
        return [f"type: unknown event type {wire.type!r}; expected one of {', '.join(EVENT_TYPES)}"]
    required, optional = _FIELDS[wire.type]
    allowed = set(_COMMON) | set(required) | set(optional)
    reasons = [f"{name}: required for a {wire.type} event" for name in required if getattr(wire, name) is None]
    reasons += [
        f"{name}: is not a field of a {wire.type} event"
        for name in sorted(wire.model_fields_set - allowed)
        if getattr(wire, name) is not None
    ]
    if wire.type == "purchase" and not reasons:
        paid = (wire.price or _ZERO) * (wire.quantity or 1) - (wire.discount or _ZERO)
        if paid < 0:
            reasons.append("discount: is larger than price * quantity")
    if wire.type == "refund" and wire.amount is not None and wire.amount <= 0:
        reasons.append("amount: a refund must be greater than 0")
    return reasons


def _to_event(wire: _Wire) -> Event:
    values = wire.model_dump(exclude_none=True)
    values["occurred_at"] = wire.occurred_at.astimezone(UTC)
    if wire.type == "purchase":
        quantity = wire.quantity or 1
        values["quantity"] = quantity
        discount = wire.discount or _ZERO
        values["amount"] = (wire.price or _ZERO) * quantity - discount
    elif wire.type in ("gift", "like"):
        values.setdefault("count", 1)
        if wire.type == "gift":
            values.setdefault("repeat_count", 1)
            values.setdefault("repeat_end", True)
    return Event(**values)


# --------------------------------------------------------------------------- the fast path
#
# Most events are plain and valid, and checking them with a few type and range tests is several
# times faster than building the pydantic model. The fast path accepts only what it can check
# completely and returns ``None`` for anything else (a null, a float, blanks around an id, an odd
# time format, a discount beyond the price…): the full parser then decides and explains. So it only
# has to be right about what it accepts: nothing the full parser refuses, and an equal Event.
# tests/test_events.py checks both with hypothesis, for every type.
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
assert set(_CHECK_OF) | {"type"} == set(_Wire.model_fields)  # noqa: S101 - a module invariant
_LIMITS: Final = {
    "seconds": (0, 86_400),
    "count": (1, 1_000_000),
    "repeat_count": (1, 1_000_000),
    "quantity": (1, 100_000),
}
#: Optional fields that the parser fills in when they are missing (as _to_event does).
_DEFAULTS: Final[dict[tuple[str, str], object]] = {
    ("like", "count"): 1,
    ("gift", "count"): 1,
    ("gift", "repeat_count"): 1,
    ("gift", "repeat_end"): True,
    ("purchase", "quantity"): 1,
}

#: After the fields, the checks across fields and the derived amount, as _check_type_fields and
#: _to_event do them: for a purchase, ``amount = (price or 0) * quantity - (discount or 0)``, refused
#: below 0; for a refund, an amount of 0 is refused. (The end of ``check`` in _fast_checker.)
_NO_FINISH: Final = 0
_PURCHASE: Final = 1
_REFUND: Final = 2
_FINISH: Final = {"purchase": _PURCHASE, "refund": _REFUND}


#: Plain money: what ``Decimal`` and pydantic read alike, within 18 digits and 6 decimal places.
_MONEY_TEXT: Final = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?").fullmatch
_CURRENCY_TEXT: Final = re.compile(r"[A-Z]{3}").fullmatch
# Only the plain RFC 3339 shape: ``fromisoformat`` also takes forms pydantic refuses (ISO week
# dates, "+01", offsets with seconds or minute 60…), and both parsers must agree.
_STAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:?[0-5][0-9])"
).fullmatch
_from_iso: Final = datetime.fromisoformat

#: Ids seen before, each mapped to itself: a known id needs no check, and events (and the state
#: keyed by their ids) share one string per id instead of one per event. Bounded: emptied when full.
_IDS: Final[dict[str, str]] = {}
_IDS_MAX: Final = 1 << 16


def _new_id(value: object) -> str | None:
    """A valid id not seen before, now remembered; ``None`` for anything else."""
    if type(value) is not str or not 0 < len(value) <= 200 or value != value.strip() or not _is_unicode(value):
        return None
    if len(_IDS) >= _IDS_MAX:
        _IDS.clear()
    value = share(value)  # the one copy the engine's components share too
    _IDS[value] = value
    return value


def _is_unicode(text: str) -> bool:
    """False for a string with a lone surrogate, which pydantic refuses (it is not valid Unicode)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _moment(stamp: object) -> datetime | None:
    """``occurred_at`` in UTC for the usual shapes (``…T20:00:00Z``, ``…T20:00:00-08:00``, fractions)."""
    if type(stamp) is not str:
        return None
    try:
        # "2026-12-01T20:00:00Z": the separators are where they belong (every third character from
        # the fifth), fromisoformat checks the digits, and the result is already in UTC.
        if len(stamp) == 20 and stamp[4::3] == "--T::Z":
            return _from_iso(stamp)
        if _STAMP(stamp) is None:
            return None
        return _from_iso(stamp).astimezone(UTC)
    except (ValueError, OverflowError):  # no such day or hour; no UTC equivalent
        return None


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
        ok = type(value) is str and len(value) <= 2_000 and (value.isascii() or _is_unicode(value))
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
    return value if value.isascii() or _is_unicode(value) else None


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
            or not (event_id.isascii() or _is_unicode(event_id))
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
    try:
        line = text.decode() if isinstance(text, bytes) else text
        data, end = _scan(line, 0)
        if end != len(line) and line[end:].strip(" \t\r\n"):
            return None
        return _FAST_BY_TYPE[data["type"]](data)
    # Not UTF-8, not JSON, blanks before it; not an object, no type or an unknown one, an id that
    # is not even hashable.
    except (StopIteration, ValueError, RecursionError, KeyError, TypeError):
        return None


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
    if _orjson_loads is None or text[:1] not in _OPEN_BRACE:  # a BOM, blanks before it, not an object
        return None
    try:
        data = _orjson_loads(text)
        return _FAST_BY_TYPE[data["type"]](data)
    except (ValueError, KeyError, TypeError):  # as above; orjson.JSONDecodeError is a ValueError
        return None


_OPEN_BRACE: Final = ("{", b"{")

#: The fast path on JSON text: with orjson if it is installed (both give the same events).
_fast_json: Callable[[str | bytes], Event | None] = _fast_json_stdlib if _orjson_loads is None else _fast_json_orjson


def parse_event(data: Mapping[str, Any] | str | bytes, *, line: int | None = None) -> Event:
    """Parse one event from a mapping or a JSON text; raise :class:`EventParseError` if it is malformed."""
    if type(data) is str or type(data) is bytes:
        event = _fast_json(data)
    elif type(data) is dict:
        event = _fast(data)
    else:
        event = None
    return event if event is not None else _parse_slow(data, line=line)


def _parse_slow(data: Mapping[str, Any] | str | bytes, *, line: int | None) -> Event:
    try:
        if isinstance(data, str | bytes):
            wire = _Wire.model_validate_json(data)
        elif isinstance(data, Mapping):
            wire = _Wire.model_validate(dict(data))
        else:
            raise EventParseError([f"an event is a JSON object or a mapping, not {type(data).__name__}"], line=line)
    except ValidationError as error:
        raise EventParseError(_reasons(error), line=line) from None
    reasons = _check_type_fields(wire)
    if reasons:
        raise EventParseError(reasons, line=line)
    try:
        return _to_event(wire)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 has no UTC equivalent
        raise EventParseError(["occurred_at: is out of the range of representable times"], line=line) from None


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


@attrs.define
class EventReader:
    """Iterates the events of a JSON Lines file; bad lines go to ``.errors`` and reading goes on."""

    path: Path
    errors: list[EventParseError] = attrs.field(factory=list)
    lines_read: int = 0

    def __iter__(self) -> Iterator[Event]:
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                self.lines_read = number
                event = _fast_json(raw)
                if event is not None:
                    yield event
                elif raw.strip():  # blank lines are skipped
                    try:
                        yield _parse_slow(raw, line=number)
                    except EventParseError as error:
                        self.errors.append(error)


def read_events(path: str | os.PathLike[str]) -> EventReader:
    """Read events from a JSON Lines file: ``for event in (reader := read_events(p))``, then ``reader.errors``."""
    return EventReader(Path(path))


def dumps_event(event: Event) -> str:
    """One JSON line for an event, keys in wire order."""
    return json.dumps(event_to_dict(event), separators=(",", ":"))
