"""The shared vocabulary: event types and the fields a mission filter or measure may name.

Kept in one small module so that the fest schema (what designers may write), the event parser
(what backends may send) and the engine (what it reads) can never disagree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = ["EVENT_FIELDS", "EVENT_TYPES", "FIELD_RANGES", "VIEWER_ACTIONS", "FieldKind"]


class FieldKind(StrEnum):
    """What kind of value an event field holds, for checking filter conditions at load time."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "bool"


_STREAM = {"creator_id": FieldKind.TEXT, "stream_id": FieldKind.TEXT}

#: Per event type, the fields a mission may filter on or measure (besides ``user_id``).
#: ``gift.coins`` and ``purchase.amount`` are derived: the coins the event is worth once
#: streaks are deduplicated, and the price actually paid (the commission base).
EVENT_FIELDS: Final[dict[str, dict[str, FieldKind]]] = {
    "stream_started": dict(_STREAM),
    "stream_ended": dict(_STREAM),
    "view": {**_STREAM, "seconds": FieldKind.NUMBER},
    "like": {**_STREAM, "count": FieldKind.NUMBER},
    "comment": {**_STREAM, "text": FieldKind.TEXT},
    "share": dict(_STREAM),
    "follow": dict(_STREAM),
    "gift": {
        **_STREAM,
        "gift_id": FieldKind.TEXT,
        "count": FieldKind.NUMBER,
        "coins": FieldKind.NUMBER,
        "channel": FieldKind.TEXT,
    },
    "fan_club_join": dict(_STREAM),
    "link_click": {**_STREAM, "product_id": FieldKind.TEXT},
    "product_view": {**_STREAM, "product_id": FieldKind.TEXT},
    "purchase": {
        **_STREAM,
        "order_id": FieldKind.TEXT,
        "product_id": FieldKind.TEXT,
        "category": FieldKind.TEXT,
        "seller_id": FieldKind.TEXT,
        "channel": FieldKind.TEXT,
        "quantity": FieldKind.NUMBER,
        "amount": FieldKind.NUMBER,
    },
    "refund": {"order_id": FieldKind.TEXT, "amount": FieldKind.NUMBER},
    "delivery": {"order_id": FieldKind.TEXT},
    "check_in": dict(_STREAM),
    "claim": {"mission_id": FieldKind.TEXT},
    "viewer_profile": {"region": FieldKind.TEXT},
}

EVENT_TYPES: Final[tuple[str, ...]] = tuple(EVENT_FIELDS)

#: The events a viewer makes as a participant of the fest: what eligibility rules apply to. Not the
#: creators' stream_started and stream_ended, not the order's refund and delivery (an order already
#: taken is settled whatever its buyer's eligibility), not the viewer's own profile.
VIEWER_ACTIONS: Final[tuple[str, ...]] = (
    "view", "like", "comment", "share", "follow", "gift", "fan_club_join", "link_click", "product_view",
    "purchase", "check_in", "claim",
)  # fmt: skip

#: The whole-number fields that reach filters as the wire format carries them, and the inclusive
#: range the event parser accepts for each: a filter outside it can never match. (``gift.count`` is
#: derived, gifts added once streaks are deduplicated, so it has no such range.)
FIELD_RANGES: Final[dict[tuple[str, str], tuple[int, int]]] = {
    ("like", "count"): (1, 1_000_000),
    ("view", "seconds"): (0, 86_400),
    ("purchase", "quantity"): (1, 100_000),
}
