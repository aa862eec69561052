"""Hypothesis strategies for festengine, in Hypothesis's own style.

``events(fest)`` draws time-ordered lists of well-formed events for a compiled fest: viewers,
creators and streams from small pools (so missions actually progress), gifts from the fest's
catalogue (streaks included), purchases with exact decimal prices, and, if asked, repeated events
(the feed delivered twice) and events a little out of order (within the fest's allowed lateness).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError:  # the optional extra festengine[testing]
    raise ImportError(
        "festengine.testing.strategies needs hypothesis, which is not installed; "
        'install it with: pip install "festengine[testing]"'
    ) from None

from festengine.catalog.model import Fest
from festengine.errors import FestEngineError
from festengine.events import Event, parse_event

__all__ = ["InvalidArgumentError", "events"]

_TYPES = ("view", "like", "comment", "share", "follow", "gift", "fan_club_join", "link_click",
          "product_view", "purchase", "check_in", "stream_started", "stream_ended")  # fmt: skip


class InvalidArgumentError(FestEngineError, ValueError):
    """A strategy was called with arguments that cannot work."""


def _validate(min_size: int, max_size: int, users: int, creators: int) -> None:
    if min_size < 0 or max_size < min_size:
        raise InvalidArgumentError(f"need 0 <= min_size <= max_size, got min_size={min_size}, max_size={max_size}")
    if users < 1 or creators < 1:
        raise InvalidArgumentError(f"need at least one user and one creator, got users={users}, creators={creators}")


def _fields(draw: st.DrawFn, fest: Fest, kind: str, user: str, creator: str, stream: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": kind, "user_id": user}
    if kind in ("stream_started", "stream_ended"):
        return {**fields, "user_id": creator, "creator_id": creator, "stream_id": stream}
    if kind in ("view", "like", "comment", "share", "gift"):
        fields.update(creator_id=creator, stream_id=stream)
    if kind == "view":
        fields["seconds"] = draw(st.integers(min_value=1, max_value=3600))
    elif kind == "like":
        fields["count"] = draw(st.integers(min_value=1, max_value=50))
    elif kind == "comment":
        fields["text"] = draw(st.sampled_from(["hi", "love it", "#fest", "so cute", "where to buy?"]))
    elif kind == "gift":
        gift = draw(st.sampled_from(sorted(fest.economy.gifts)))
        fields.update(gift_id=gift, repeat_count=1, repeat_end=True)
    elif kind in ("follow", "fan_club_join"):
        fields["creator_id"] = creator
    elif kind in ("link_click", "product_view"):
        fields.update(creator_id=creator, product_id=draw(st.sampled_from(["p1", "p2", "p3"])))
    elif kind == "purchase":
        cents = draw(st.integers(min_value=100, max_value=20_000))
        fields.update(
            creator_id=creator, order_id=f"o-{draw(st.integers(min_value=0, max_value=10**9))}",
            product_id=draw(st.sampled_from(["p1", "p2", "p3"])), category=draw(st.sampled_from(["beauty", "home"])),
            price=str(Decimal(cents) / 100), currency=fest.economy.currency,
        )  # fmt: skip
    return fields


@st.composite
def _stream(
    draw: st.DrawFn, fest: Fest, min_size: int, max_size: int, users: int, creators: int,
    duplicates: bool, out_of_order: bool,
) -> list[Event]:  # fmt: skip
    count = draw(st.integers(min_value=min_size, max_value=max_size))
    span = int((fest.ends_at - fest.starts_at).total_seconds()) - 1
    moment: datetime = fest.starts_at + timedelta(seconds=draw(st.integers(min_value=0, max_value=span // 2)))
    lateness = int(fest.allowed_lateness.total_seconds())
    result: list[Event] = []
    for index in range(count):
        moment += timedelta(seconds=draw(st.integers(min_value=0, max_value=6 * 3600)))
        if moment >= fest.ends_at:
            break
        at = moment
        if out_of_order and lateness and draw(st.integers(min_value=0, max_value=9)) == 0:
            at = max(fest.starts_at, moment - timedelta(seconds=draw(st.integers(min_value=1, max_value=lateness))))
        user = f"u{draw(st.integers(min_value=1, max_value=users))}"
        creator = f"c{draw(st.integers(min_value=1, max_value=creators))}"
        stream = f"{creator}-s{draw(st.integers(min_value=1, max_value=3))}"
        kind = draw(st.sampled_from(_TYPES))
        fields = _fields(draw, fest, kind, user, creator, stream)
        stamp = at.isoformat().replace("+00:00", "Z")
        result.append(parse_event({"event_id": f"e{index}", "occurred_at": stamp, **fields}))
        if duplicates and result and draw(st.integers(min_value=0, max_value=14)) == 0:
            result.append(draw(st.sampled_from(result)))
    return result


def events(
    fest: Fest,
    *,
    min_size: int = 0,
    max_size: int = 50,
    users: int = 3,
    creators: int = 2,
    duplicates: bool = False,
    out_of_order: bool = False,
) -> st.SearchStrategy[list[Event]]:
    """Lists of well-formed events for ``fest``, in time order (unless ``out_of_order``).

    ``users`` and ``creators`` size the pools ids are drawn from; ``duplicates`` repeats some
    events (as at-least-once feeds do); ``out_of_order`` moves some events back in time by up to
    the fest's allowed lateness.
    """
    _validate(min_size, max_size, users, creators)
    return _stream(fest, min_size, max_size, users, creators, duplicates, out_of_order)
