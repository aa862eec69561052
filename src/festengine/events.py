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
import re
from collections.abc import Iterator, Mapping
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


_TEXT_FIELDS: Final = frozenset(
    {
        "event_id", "user_id", "creator_id", "stream_id", "gift_id", "channel", "product_id",
        "order_id", "category", "seller_id", "mission_id", "promotion_id",
    }
)  # fmt: skip
_INT_LIMITS: Final = {"seconds": (0, 86_400), "count": (1, 1_000_000), "repeat_count": (1, 1_000_000)}
_ALLOWED: Final = {
    kind: frozenset(_COMMON) | frozenset(required) | frozenset(optional)
    for kind, (required, optional) in _FIELDS.items()
}


def _fast(data: dict[str, Any]) -> Event | None:
    """The common case without pydantic: plain, clearly valid events of the hot types.

    Returns ``None`` whenever anything is unusual; the full parser then decides (and explains).
    Only types without money or free text take this path, so both parsers give equal events.
    """
    kind = data.get("type")
    if kind not in _FAST_TYPES or not _ALLOWED[kind].issuperset(data):
        return None
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            if type(value) is not str or not value or len(value) > 200 or value != value.strip():
                return None
        elif name in _INT_LIMITS:
            low, high = _INT_LIMITS[name]
            if type(value) is not int or not low <= value <= high:
                return None
        elif name == "repeat_end":
            if type(value) is not bool:
                return None
        elif name not in {"type", "occurred_at"}:
            return None
    required = _FIELDS[kind][0]
    if any(name not in data for name in required) or "user_id" not in data or "event_id" not in data:
        return None
    stamp = data.get("occurred_at")
    # Only the plain RFC 3339 shape: ``fromisoformat`` also takes forms pydantic refuses (ISO week
    # dates, "+01", offsets with seconds or minute 60…), and both parsers must agree.
    if type(stamp) is not str or _STAMP(stamp) is None:
        return None
    try:
        moment = datetime.fromisoformat(stamp).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    values = dict(data)
    values["occurred_at"] = moment
    if kind in {"like", "gift"}:
        values.setdefault("count", 1)
        if kind == "gift":
            values.setdefault("repeat_count", 1)
            values.setdefault("repeat_end", True)
    return Event(**values)


_STAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:?[0-5][0-9])"
).fullmatch
_FAST_TYPES: Final = frozenset(
    {"view", "like", "share", "follow", "gift", "fan_club_join", "link_click", "product_view", "check_in"}
)


def parse_event(data: Mapping[str, Any] | str | bytes, *, line: int | None = None) -> Event:
    """Parse one event from a mapping or a JSON text; raise :class:`EventParseError` if it is malformed."""
    if isinstance(data, str | bytes):
        try:
            loaded = json.loads(data)
        except (ValueError, RecursionError):
            loaded = None
        if type(loaded) is dict and (event := _fast(loaded)) is not None:
            return event
    elif type(data) is dict and (event := _fast(data)) is not None:
        return event
    return _parse_slow(data, line=line)


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
                if not raw.strip():
                    continue
                try:
                    yield parse_event(raw, line=number)
                except EventParseError as error:
                    self.errors.append(error)


def read_events(path: str | os.PathLike[str]) -> EventReader:
    """Read events from a JSON Lines file: ``for event in (reader := read_events(p))``, then ``reader.errors``."""
    return EventReader(Path(path))


def dumps_event(event: Event) -> str:
    """One JSON line for an event, keys in wire order."""
    return json.dumps(event_to_dict(event), separators=(",", ":"))
