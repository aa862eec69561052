"""The wire format, declared once: one msgspec Struct per event type, tagged by its ``type``.

Each struct lists the type's fields (the common three of :class:`WireEvent` first, then the type's
required fields, then its optional ones) with the kind of value each holds. msgspec decodes a JSON
text straight into the struct of its type (:data:`DECODER`, strict: no ``"60"`` for 60, no ``1.0``,
no ``null``) and refuses anything else: an unknown key, a key of another type, a missing required
field, a value of the wrong JSON type, a whole number beyond its bounds, text too long, money or a
time not in the grammar of ``_wire_values``. What a struct cannot say is checked when the event is
built (``events.py``): ids without blanks around them, a time that exists and lies in the supported
range, a key written twice, a discount within the price, a refund of something.

The struct is the fast, declarative reading of the common shapes; the pydantic model of
``_wire_model`` reads every input msgspec refuses, accepts the unusual shapes (a ``null`` for an
absent field, ids with blanks around them, money as a whole number or with leading zeros, times as
``datetime`` from Python) and names every problem. :data:`FIELDS` and :data:`DEFAULTS`, which it
reads too, are worked out from the structs, so the two readings share one list of fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, ClassVar, Final, TypeAlias, get_args

import msgspec
from msgspec import UNSET, Meta, UnsetType

from festengine._codes import REGION_PATTERN
from festengine._vocab import EVENT_TYPES
from festengine._wire_values import (
    CURRENCY_PATTERN,
    DATE_PATTERN,
    ID_MAX,
    PLAIN_MONEY_PATTERN,
    STAMP_PATTERN,
    TEXT_MAX,
)

__all__ = [
    "COMMON",
    "DECODER",
    "DEFAULTS",
    "DEFAULT_QUANTITY",
    "FIELDS",
    "STRUCTS",
    "WHOLE_LIMITS",
    "WireEvent",
    "purchase_amount",
]


def _whole(low: int, high: int) -> Meta:
    return Meta(ge=low, le=high)


def _anchored(pattern: str) -> Meta:
    """The whole string matches ``pattern`` (msgspec searches; ``\\Z``, unlike ``$``, refuses a final newline)."""
    return Meta(pattern=rf"\A(?:{pattern})\Z")


#: The limits of the whole-number fields, (lowest, highest), both allowed.
WHOLE_LIMITS: Final = {
    "seconds": (0, 86_400),
    "count": (1, 1_000_000),
    "repeat_count": (1, 1_000_000),
    "quantity": (1, 100_000),
}

#: A purchase's quantity when it is not written.
DEFAULT_QUANTITY: Final = 1

#: An id: 1 to ID_MAX characters. Blanks around it are the full parser's to strip (events.py refuses them here).
Id: TypeAlias = Annotated[str, Meta(min_length=1, max_length=ID_MAX)]
#: ``occurred_at``: RFC 3339 with seconds and an offset (events.py checks the day exists and the range).
Stamp: TypeAlias = Annotated[str, _anchored(STAMP_PATTERN)]
#: Plain money, ``"12.99"``: a decimal string with at most 12 digits before the point and 6 after.
Money: TypeAlias = Annotated[str, _anchored(PLAIN_MONEY_PATTERN)]
Currency: TypeAlias = Annotated[str, _anchored(CURRENCY_PATTERN)]
#: ``YYYY-MM-DD`` (events.py checks the day exists and the range).
Day: TypeAlias = Annotated[str, _anchored(DATE_PATTERN)]
#: Two capital letters (events.py checks the code is ISO 3166-1 alpha-2).
Region: TypeAlias = Annotated[str, _anchored(REGION_PATTERN)]
Text: TypeAlias = Annotated[str, Meta(max_length=TEXT_MAX)]
Seconds: TypeAlias = Annotated[int, _whole(*WHOLE_LIMITS["seconds"])]
Count: TypeAlias = Annotated[int, _whole(*WHOLE_LIMITS["count"])]
RepeatCount: TypeAlias = Annotated[int, _whole(*WHOLE_LIMITS["repeat_count"])]
Quantity: TypeAlias = Annotated[int, _whole(*WHOLE_LIMITS["quantity"])]


class WireEvent(msgspec.Struct, forbid_unknown_fields=True, tag_field="type", gc=False):
    """The fields of every event; ``type`` is the tag that picks the struct.

    An optional field is ``UNSET`` when its key is not written (a ``null`` is left to the full parser),
    so the decoded struct tells how many keys were written; ``defaults`` are the values the parser
    fills in for the optional fields left out.
    """

    event_id: Id
    occurred_at: Stamp
    user_id: Id

    defaults: ClassVar[Mapping[str, object]] = {}


class StreamStarted(WireEvent, tag="stream_started"):
    creator_id: Id
    stream_id: Id


class StreamEnded(WireEvent, tag="stream_ended"):
    creator_id: Id
    stream_id: Id


class View(WireEvent, tag="view"):
    creator_id: Id
    stream_id: Id
    seconds: Seconds


class Like(WireEvent, tag="like"):
    creator_id: Id
    stream_id: Id
    count: Count | UnsetType = UNSET

    defaults: ClassVar[Mapping[str, object]] = {"count": 1}


class Comment(WireEvent, tag="comment"):
    creator_id: Id
    stream_id: Id
    text: Text


class Share(WireEvent, tag="share"):
    creator_id: Id
    stream_id: Id


class Follow(WireEvent, tag="follow"):
    creator_id: Id
    stream_id: Id | UnsetType = UNSET


class Gift(WireEvent, tag="gift"):
    creator_id: Id
    stream_id: Id
    gift_id: Id
    count: Count | UnsetType = UNSET
    repeat_count: RepeatCount | UnsetType = UNSET
    repeat_end: bool | UnsetType = UNSET
    channel: Id | UnsetType = UNSET

    defaults: ClassVar[Mapping[str, object]] = {"count": 1, "repeat_count": 1, "repeat_end": True}


class FanClubJoin(WireEvent, tag="fan_club_join"):
    creator_id: Id
    stream_id: Id | UnsetType = UNSET


class LinkClick(WireEvent, tag="link_click"):
    creator_id: Id
    product_id: Id
    stream_id: Id | UnsetType = UNSET


class ProductView(WireEvent, tag="product_view"):
    product_id: Id
    creator_id: Id | UnsetType = UNSET
    stream_id: Id | UnsetType = UNSET


class Purchase(WireEvent, tag="purchase"):
    """``amount`` is derived: :func:`purchase_amount`; ``credits`` is the part of it paid with shopping credit
    (at most ``amount``)."""

    order_id: Id
    product_id: Id
    price: Money
    currency: Currency
    creator_id: Id | UnsetType = UNSET
    stream_id: Id | UnsetType = UNSET
    category: Id | UnsetType = UNSET
    seller_id: Id | UnsetType = UNSET
    channel: Id | UnsetType = UNSET
    quantity: Quantity | UnsetType = UNSET
    discount: Money | UnsetType = UNSET
    tax: Money | UnsetType = UNSET
    shipping: Money | UnsetType = UNSET
    promotion_id: Id | UnsetType = UNSET
    credits: Money | UnsetType = UNSET

    defaults: ClassVar[Mapping[str, object]] = {"quantity": DEFAULT_QUANTITY}


class Refund(WireEvent, tag="refund"):
    """``amount`` must be greater than 0 (checked when the event is built)."""

    order_id: Id
    amount: Money
    currency: Currency | UnsetType = UNSET


class Delivery(WireEvent, tag="delivery"):
    order_id: Id


class CheckIn(WireEvent, tag="check_in"):
    creator_id: Id | UnsetType = UNSET
    stream_id: Id | UnsetType = UNSET


class Claim(WireEvent, tag="claim"):
    mission_id: Id


class ViewerProfile(WireEvent, tag="viewer_profile"):
    """What the platform knows about a viewer; each field may be left out (then it is not known)."""

    birth_date: Day | UnsetType = UNSET
    age_verified: bool | UnsetType = UNSET
    region: Region | UnsetType = UNSET


#: Any event of the wire format: the struct of its type.
AnyWireEvent: TypeAlias = (
    StreamStarted
    | StreamEnded
    | View
    | Like
    | Comment
    | Share
    | Follow
    | Gift
    | FanClubJoin
    | LinkClick
    | ProductView
    | Purchase
    | Refund
    | Delivery
    | CheckIn
    | Claim
    | ViewerProfile
)
#: Each type's struct, by its ``type``.
STRUCTS: Final[dict[str, type[WireEvent]]] = {
    str(struct.__struct_config__.tag): struct for struct in get_args(AnyWireEvent)
}
#: JSON text (str or bytes) to the struct of its type; raises msgspec.DecodeError or ValidationError.
DECODER: Final = msgspec.json.Decoder(AnyWireEvent)

COMMON: Final = ("event_id", "type", "occurred_at", "user_id")


def _required_and_optional(struct: type[WireEvent]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    own = [field for field in msgspec.structs.fields(struct) if field.name not in COMMON]
    return (
        tuple(field.name for field in own if field.required),
        tuple(field.name for field in own if not field.required),
    )


#: For each type: (required fields, optional fields) besides the common four, in the order declared.
FIELDS: Final = {kind: _required_and_optional(struct) for kind, struct in STRUCTS.items()}
#: For each type: the values filled in for optional fields left out (``count`` 1 for a like…).
DEFAULTS: Final = {kind: struct.defaults for kind, struct in STRUCTS.items()}
assert tuple(STRUCTS) == EVENT_TYPES  # noqa: S101 - a module invariant: one struct per type, in _vocab's order


def purchase_amount(price: Decimal | None, quantity: int, discount: Decimal | None) -> Decimal:
    """What a purchase paid: ``price * quantity - discount`` (tax and shipping are not part of it).

    A price or discount of zero counts as ``Decimal(0)`` (so a free purchase's amount is ``0``, not ``0.0``).
    """
    return (price or _ZERO) * quantity - (discount or _ZERO)


_ZERO: Final = Decimal(0)
