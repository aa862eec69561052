"""The wire format's full parser: the pydantic model, and every problem named.

``parse_full`` decodes JSON text itself (the standard library's decoder, refusing repeated keys and
``NaN``), validates the object with the pydantic model :class:`Wire` whose every field is read by
``_wire_values`` (the same grammar as the wire structs of ``_wire_format``), checks the fields against
the event's type (``_wire_format.FIELDS``, worked out from those structs) and reports **all** the
problems it finds, one per field, as :class:`~festengine.errors.EventProblem`.
It does not depend on pydantic's JSON parser, so the installed pydantic version changes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from festengine import _wire_values as values
from festengine._wire_format import COMMON, DEFAULT_QUANTITY, DEFAULTS, FIELDS, WHOLE_LIMITS, purchase_amount
from festengine.errors import EventParseError, EventProblem

__all__ = ["MAX_TEXT", "WIRE_FIELDS", "Wire", "parse_full"]

#: The longest JSON text of one event, in characters (str) or bytes: far above any valid event.
MAX_TEXT: Final = 1 << 20
#: The most keys an event object may have (written, repeats included): the wire format has 29 fields.
MAX_KEYS: Final = 64
#: The longest key a problem names whole; longer ones are shortened.
_KEY_SHOWN: Final = 40

#: Problem codes besides the values' (``_wire_values``): docs/events.md lists them all.
INVALID_JSON: Final = "invalid_json"
NOT_AN_OBJECT: Final = "not_an_object"
DUPLICATE_KEY: Final = "duplicate_key"
MISSING: Final = "missing"
UNKNOWN_FIELD: Final = "unknown_field"
NOT_FOR_TYPE: Final = "not_for_type"
UNKNOWN_TYPE: Final = "unknown_type"
INCONSISTENT: Final = "inconsistent"


def _field(read: Callable[[object], Any], *, required: bool = False) -> PlainValidator:
    """A pydantic validator that reads a value as ``read`` does and reports its problem as ours."""

    def validate(value: object) -> Any:
        if required and value is None:
            raise PydanticCustomError(MISSING, "{message}", {"message": "required on every event"})
        try:
            return read(value)
        except values.Invalid as problem:
            raise PydanticCustomError(problem.code, "{message}", {"message": problem.message}) from None

    return PlainValidator(validate)


def _read_type(value: object) -> str:
    if isinstance(value, str) and value in FIELDS:
        return value
    raise values.Invalid(UNKNOWN_TYPE, f"unknown event type {values.show(value)}; expected one of {', '.join(FIELDS)}")


Id = Annotated[str | None, _field(values.read_id)]
Money = Annotated[Decimal | None, _field(values.read_money)]


def _whole(name: str) -> PlainValidator:
    return _field(values.reader_of_whole(*WHOLE_LIMITS[name]))


class Wire(BaseModel):
    """The wire format: every field of every type; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Annotated[str, _field(values.read_id, required=True)]
    type: Annotated[str, _field(_read_type, required=True)]
    occurred_at: Annotated[Any, _field(values.read_time, required=True)]
    user_id: Annotated[str, _field(values.read_id, required=True)]
    creator_id: Id = None
    stream_id: Id = None
    seconds: Annotated[int | None, _whole("seconds")] = None
    count: Annotated[int | None, _whole("count")] = None
    text: Annotated[str | None, _field(values.read_text)] = None
    gift_id: Id = None
    repeat_count: Annotated[int | None, _whole("repeat_count")] = None
    repeat_end: Annotated[bool | None, _field(values.read_bool)] = None
    channel: Id = None
    product_id: Id = None
    order_id: Id = None
    category: Id = None
    seller_id: Id = None
    quantity: Annotated[int | None, _whole("quantity")] = None
    price: Money = None
    discount: Money = None
    tax: Money = None
    shipping: Money = None
    currency: Annotated[str | None, _field(values.read_currency)] = None
    amount: Money = None
    mission_id: Id = None
    promotion_id: Id = None
    credits: Money = None

    birth_date: Annotated[date | None, _field(values.read_date)] = None
    age_verified: Annotated[bool | None, _field(values.read_bool)] = None
    region: Annotated[str | None, _field(values.read_region)] = None


WIRE_FIELDS: Final = frozenset(Wire.model_fields)


class _JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers the keys written more than once (the decoder keeps the last)."""

    repeated: tuple[str, ...] = ()
    written: int = 0

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _JsonObject:
        found = cls(pairs)
        found.written = len(pairs)
        if len(found) != len(pairs) and len(pairs) <= MAX_KEYS:
            written = Counter(key for key, _ in pairs)
            found.repeated = tuple(key for key, times in written.items() if times > 1)
        return found


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


_DECODER: Final = json.JSONDecoder(object_pairs_hook=_JsonObject.of, parse_constant=_no_constant)


class _Refused(Exception):
    """An input that is no object at all (not JSON, a list…): one problem, and no fields to check."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.problem = EventProblem("event", code, message)


def _decode(text: str | bytes) -> Any:
    """The JSON value of a text, or _Refused with what is wrong with it."""
    if len(text) > MAX_TEXT:
        unit = "bytes" if isinstance(text, bytes) else "characters"
        raise _Refused(f"the text is longer than {MAX_TEXT:,} {unit} ({len(text):,})", values.OUT_OF_RANGE)
    try:
        line = text.decode() if isinstance(text, bytes) else text
        return _DECODER.decode(line)
    except UnicodeDecodeError as error:
        message = f"Invalid JSON: the text is not UTF-8 (byte {error.object[error.start]:#04x} at {error.start})"
    except json.JSONDecodeError as error:
        message = f"Invalid JSON: {error.msg} at line {error.lineno} column {error.colno}"
    except RecursionError:
        message = "Invalid JSON: nested too deeply"
    except ValueError as error:  # NaN or Infinity; a number of more than 4,300 digits (without Python's advice)
        message = f"Invalid JSON: {str(error).split(';')[0]}"
    raise _Refused(message, INVALID_JSON)


def _as_object(data: object) -> Mapping[Any, Any]:
    """The mapping to validate: decoded JSON text, or a mapping as given."""
    if isinstance(data, str | bytes):
        data = _decode(data)  # a _JsonObject, if an object
        if not isinstance(data, dict):
            raise _Refused(f"an event is a JSON object, not {values.kind_of(data)}", NOT_AN_OBJECT)
        written = getattr(data, "written", 0)
        if written > MAX_KEYS:
            raise _Refused(f"has {written:,} keys; an event has at most {MAX_KEYS}", values.OUT_OF_RANGE)
        return data
    if isinstance(data, Mapping):
        if len(data) > MAX_KEYS:
            raise _Refused(f"has {len(data):,} keys; an event has at most {MAX_KEYS}", values.OUT_OF_RANGE)
        return data
    raise _Refused(f"an event is a JSON object or a mapping, not {type(data).__name__}", NOT_AN_OBJECT)


def parse_full(data: object, *, line: int | None) -> dict[str, Any]:
    """The values of an Event (defaults filled in, ``amount`` derived), or EventParseError with every problem."""
    try:
        fields = _as_object(data)
    except _Refused as refused:
        raise EventParseError([refused.problem], line=line) from None
    problems: dict[str, EventProblem] = {}  # at most one per field, in the order found
    for key in getattr(fields, "repeated", ()):
        problems[_shown(key)] = EventProblem(_shown(key), DUPLICATE_KEY, "is given more than once; write each key once")
    wire: Wire | None = None
    try:
        wire = Wire.model_validate(dict(fields))
    except ValidationError as error:
        for problem in _problems_of(error):
            problems.setdefault(problem.field, problem)
    kind = fields.get("type")
    if isinstance(kind, str) and kind in FIELDS:
        problems.update((problem.field, problem) for problem in _type_problems(kind, fields))
    if wire is not None and not problems:
        problems.update((problem.field, problem) for problem in _cross_problems(wire))
    if problems or wire is None:
        raise EventParseError(list(problems.values()), line=line)
    return _values_of(wire)


def _problems_of(error: ValidationError) -> list[EventProblem]:
    found = []
    for item in error.errors(include_url=False):
        field = _shown(".".join(str(part) for part in item["loc"])) or "event"
        code, message = item["type"], item["msg"]
        if code == "missing":
            message = "required on every event"
        elif code == "extra_forbidden":
            code, message = UNKNOWN_FIELD, "is not a field of the wire format (see docs/events.md)"
        found.append(EventProblem(field, code, message))
    return found


def _shown(key: str) -> str:
    """A key as a problem names it: shortened when long."""
    return key if len(key) <= _KEY_SHOWN else key[: _KEY_SHOWN - 3] + "..."


def _type_problems(kind: str, fields: Mapping[Any, Any]) -> list[EventProblem]:
    """Required fields of the type that are missing (or null); fields of other types that are given."""
    required, optional = FIELDS[kind]
    allowed = {*COMMON, *required, *optional}
    found = [
        EventProblem(name, MISSING, f"required for a {kind} event") for name in required if fields.get(name) is None
    ]
    found += [
        EventProblem(name, NOT_FOR_TYPE, f"is not a field of a {kind} event")
        for name, value in fields.items()
        if name in WIRE_FIELDS and name not in allowed and value is not None
    ]
    return found


def _cross_problems(wire: Wire) -> list[EventProblem]:
    """The checks across fields: a discount within the price, credits within the amount, a refund of something."""
    if wire.type == "purchase" and _paid(wire) < 0:
        return [EventProblem("discount", INCONSISTENT, "is larger than price * quantity")]
    if wire.type == "purchase" and wire.credits is not None and wire.credits > _paid(wire):
        return [EventProblem("credits", INCONSISTENT, "is larger than price * quantity - discount")]
    if wire.type == "refund" and wire.amount is not None and wire.amount <= 0:
        return [EventProblem("amount", values.OUT_OF_RANGE, "a refund must be greater than 0")]
    return []


def _paid(wire: Wire) -> Decimal:
    """A purchase's amount; called once every field is valid, so the price is there."""
    return purchase_amount(wire.price, wire.quantity or DEFAULT_QUANTITY, wire.discount)


def _values_of(wire: Wire) -> dict[str, Any]:
    """The Event's values: the fields given, the type's defaults, a purchase's amount."""
    found = {name: getattr(wire, name) for name in wire.model_fields_set if getattr(wire, name) is not None}
    for name, default in DEFAULTS[wire.type].items():
        found.setdefault(name, default)
    if wire.type == "purchase":
        found["amount"] = _paid(wire)
    return found
