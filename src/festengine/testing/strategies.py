"""Hypothesis strategies for festengine, in Hypothesis's own style.

``events(fest)`` draws time-ordered lists of well-formed events for a compiled fest: viewers,
creators and streams from small pools (so missions actually progress), gifts from the fest's
catalogue (streaks included), purchases with exact decimal prices, viewers' profiles (adults in a
region the fest allows). Asked to, it also draws the
awkward deliveries a real feed makes: repeated events (``duplicates``: the feed delivered one
twice, soon after), events a little out of order (``out_of_order``: within the fest's allowed
lateness, so they count) and events too late to count (``late``: further behind than the allowed
lateness).

Bad arguments raise :class:`~festengine.testing.InvalidArgumentError` when the strategy is made.
This module needs hypothesis: ``pip install "festengine[testing]"``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

try:
    from hypothesis import strategies as st
except ModuleNotFoundError:  # pragma: no cover - exercised by a test in a separate process
    raise ModuleNotFoundError(
        'festengine.testing.strategies needs hypothesis; install it with pip install "festengine[testing]"',
        name="hypothesis",
    ) from None

from festengine.catalog.model import Fest
from festengine.events import Event, parse_event
from festengine.testing._errors import InvalidArgumentError

__all__ = ["InvalidArgumentError", "events"]

_TYPES = ("view", "like", "comment", "share", "follow", "gift", "fan_club_join", "link_click",
          "product_view", "purchase", "check_in", "stream_started", "stream_ended", "viewer_profile")  # fmt: skip


def _check_int(name: str, value: object, least: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgumentError(f"{name}={value!r} must be a whole number (an int)")
    if value < least:
        raise InvalidArgumentError(f"{name}={value!r} must be at least {least}")


def _validate(fest: object, sizes: dict[str, int], flags: dict[str, bool]) -> None:
    if not isinstance(fest, Fest):
        raise InvalidArgumentError(
            f"fest must be a compiled Fest (from festengine.load_fest), got {type(fest).__name__}"
        )
    for name, value in sizes.items():
        _check_int(name, value, 0 if name.endswith("_size") else 1)
    if sizes["max_size"] < sizes["min_size"]:
        raise InvalidArgumentError(f"min_size={sizes['min_size']} must not be larger than max_size={sizes['max_size']}")
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise InvalidArgumentError(f"{name}={flag!r} must be True or False")


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
    elif kind == "viewer_profile":  # an adult in a region the fest allows: the fest's rules let them take part
        allowed = sorted(fest.eligibility.regions) if fest.eligibility is not None else []
        fields.update(
            birth_date=f"{draw(st.integers(min_value=1950, max_value=2000))}-0{draw(st.integers(1, 9))}-15",
            region=draw(st.sampled_from(allowed or ["US", "DE", "KR", "JP"])),
        )
    elif kind == "purchase":
        cents = draw(st.integers(min_value=100, max_value=20_000))
        fields.update(
            creator_id=creator, order_id=f"o-{draw(st.integers(min_value=0, max_value=10**9))}",
            product_id=draw(st.sampled_from(["p1", "p2", "p3"])), category=draw(st.sampled_from(["beauty", "home"])),
            price=str(Decimal(cents) / 100), currency=fest.economy.currency,
        )  # fmt: skip
    return fields


def _when(draw: st.DrawFn, fest: Fest, moment: datetime, latest: datetime | None, options: dict[str, bool]) -> datetime:
    """When the next event happened: ``moment``, or moved back (in lateness, or beyond it) if asked."""
    lateness = fest.allowed_lateness
    roll = draw(st.integers(min_value=0, max_value=9))
    if options["out_of_order"] and roll == 0 and lateness:
        back = timedelta(seconds=draw(st.integers(min_value=1, max_value=int(lateness.total_seconds()))))
        return max(fest.starts_at, moment - back)
    if options["late"] and roll == 1 and latest is not None:
        beyond = latest - lateness - timedelta(seconds=draw(st.integers(min_value=1, max_value=6 * 3600)))
        if beyond >= fest.starts_at:
            return beyond
    return moment


@st.composite
def _stream(draw: st.DrawFn, fest: Fest, sizes: dict[str, int], options: dict[str, bool]) -> list[Event]:
    count = draw(st.integers(min_value=sizes["min_size"], max_value=sizes["max_size"]))
    span = int((fest.ends_at - fest.starts_at).total_seconds()) - 1
    moment: datetime = fest.starts_at + timedelta(seconds=draw(st.integers(min_value=0, max_value=span // 2)))
    latest: datetime | None = None
    result: list[Event] = []
    while len(result) < count:
        moment += timedelta(seconds=draw(st.integers(min_value=0, max_value=6 * 3600)))
        if moment >= fest.ends_at:
            moment = fest.ends_at - timedelta(seconds=1)
        if options["duplicates"] and latest is not None and draw(st.integers(min_value=0, max_value=9)) == 0:
            # a feed redelivers recent events: within the allowed lateness of the latest, so a Duplicate
            recent = [event for event in result if event.occurred_at >= latest - fest.allowed_lateness]
            result.append(draw(st.sampled_from(recent)))
            continue
        at = _when(draw, fest, moment, latest, options)
        latest = at if latest is None else max(latest, at)
        user = f"u{draw(st.integers(min_value=1, max_value=sizes['users']))}"
        creator = f"c{draw(st.integers(min_value=1, max_value=sizes['creators']))}"
        stream = f"{creator}-s{draw(st.integers(min_value=1, max_value=3))}"
        kind = draw(st.sampled_from(_TYPES))
        fields = _fields(draw, fest, kind, user, creator, stream)
        stamp = at.isoformat().replace("+00:00", "Z")
        result.append(parse_event({"event_id": f"e{len(result)}", "occurred_at": stamp, **fields}))
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
    late: bool = False,
) -> st.SearchStrategy[list[Event]]:
    """Lists of between ``min_size`` and ``max_size`` well-formed events for ``fest``.

    Events are in time order unless asked otherwise, all inside the fest. ``users`` and
    ``creators`` size the pools ids are drawn from (``u1``…, ``c1``…). If asked, some draws are:

    * ``duplicates``: a recent event again, same ``event_id``, within the allowed lateness of the
      latest event (as an at-least-once feed redelivers; the engine answers ``Duplicate``);
    * ``out_of_order``: moved back in time by up to the fest's allowed lateness (still counted);
    * ``late``: more than the allowed lateness behind the latest event before it (the engine
      rejects it as ``too_late``).

    Raises :class:`InvalidArgumentError` for arguments that cannot work (a negative size,
    ``min_size > max_size``, empty pools, a flag that is not a bool, a ``fest`` that is not a Fest).
    """
    sizes = {"min_size": min_size, "max_size": max_size, "users": users, "creators": creators}
    options = {"duplicates": duplicates, "out_of_order": out_of_order, "late": late}
    _validate(fest, sizes, options)
    return _stream(fest, sizes, options)
