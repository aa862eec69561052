"""Affiliate commission: attribution, the matching rule and its rate, and the orders' state.

**Attribution** (who a purchase is credited to), tried in this order:

1. ``in_stream``: the purchase names a stream (``stream_id``), or a creator (``creator_id``) whose
   latest stream the engine saw start, and that stream is live at the purchase or ended at most
   ``in_stream_window`` before it; the creator is the stream's. A purchase naming both a stream
   and a creator that the engine never saw start is taken at its word (bought in that LIVE).
2. ``last_click``: the viewer's last ``link_click`` at most ``attribution_window`` before the
   purchase; the creator is the one clicked.

**Rate**: the first rule whose non-empty lists (products, categories, sellers, channels) all
contain the purchase's value (targeted rules come before open ones); its flat rate, or the rate
of the highest tier whose ``from_volume`` the creator's settled volume has reached; plus the
extra rates of the bonus windows open at the purchase (for its category, if they name any); plus
commission boosts the creator won as a viewer. The total is at most 1.

**Owners**: a purchase is the buyer's (viewer key: :class:`Order`, :class:`Clicks`); its
commission is the fest's (fest key: :class:`OrderCommission`, :class:`Streams`,
:class:`CreatorCommission`), where the stream lifecycle and the creators' settled volume are. The
viewer's key sends the purchase, with the viewer's last click, in a
:class:`~festengine.economy.messages.AccrueCommission`, and the fest's key attributes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final, Protocol

import attrs

from festengine.catalog.model import CommissionRule, CommissionSettings
from festengine.economy.plain import (
    Plain,
    as_decimal,
    as_float,
    as_list,
    as_mapping,
    as_optional_float,
    as_optional_str,
    as_str,
)
from festengine.events import Event

__all__ = [
    "Attribution",
    "Boost",
    "Clicks",
    "CommissionRates",
    "CreatorCommission",
    "LastClick",
    "Order",
    "OrderCommission",
    "OrderStatus",
    "OrderView",
    "RateBreakdown",
    "Sale",
    "StreamSeen",
    "Streams",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
#: Most creator ids the attributor shares among clicks; it starts afresh when full.
_SHARED_IDS: Final = 4096


class OrderStatus:
    """The commission states of an order (plain strings, as they appear in snapshots)."""

    PENDING: Final = "pending"  #: commission accrued, waiting for delivery and the settlement days
    SETTLED: Final = "settled"  #: commission settled: payable to the creator
    INELIGIBLE: Final = "ineligible"  #: no commission: not attributed, no matching rule, or zero
    CANCELLED: Final = "cancelled"  #: refunded in full; any commission was reversed


class Sale(Protocol):
    """What commission rules and attribution read of a purchase (an event, or the message carrying it)."""

    @property
    def product_id(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def seller_id(self) -> str | None: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def stream_id(self) -> str | None: ...
    @property
    def creator_id(self) -> str | None: ...


@attrs.define(slots=True)
class Order:
    """What the buyer's key keeps of a purchase: enough to judge its refunds and delivery."""

    order_id: str
    event_id: str
    user_id: str
    paid: Decimal
    refunded: Decimal = _ZERO
    delivered_at: float | None = None
    cancelled: bool = False

    @property
    def remaining(self) -> Decimal:
        """What is paid and not refunded."""
        return self.paid - self.refunded

    def dump(self) -> dict[str, object]:
        """The order as a JSON-ready record, field by field."""
        return {
            "order_id": self.order_id,
            "event_id": self.event_id,
            "user_id": self.user_id,
            "paid": self.paid,
            "refunded": self.refunded,
            "delivered_at": self.delivered_at,
            "cancelled": self.cancelled,
        }

    @classmethod
    def load(cls, data: Plain) -> Order:
        """An order from the record :meth:`dump` made."""
        return cls(
            order_id=as_str(data["order_id"]),
            event_id=as_str(data["event_id"]),
            user_id=as_str(data["user_id"]),
            paid=as_decimal(data["paid"]),
            refunded=as_decimal(data["refunded"]),
            delivered_at=as_optional_float(data["delivered_at"]),
            cancelled=data["cancelled"] is True,
        )


@attrs.define(slots=True)
class OrderCommission:
    """What the fest's key keeps of an attributed order: its creator, rule and commission."""

    order_id: str
    user_id: str
    creator_id: str
    rule_id: str | None
    paid: Decimal
    refunded: Decimal = _ZERO
    commission: Decimal = _ZERO
    reversed: Decimal = _ZERO
    status: str = OrderStatus.INELIGIBLE

    @property
    def remaining(self) -> Decimal:
        """What is paid and not refunded."""
        return self.paid - self.refunded

    @property
    def outstanding(self) -> Decimal:
        """Commission accrued and not reversed."""
        return self.commission - self.reversed

    def dump(self) -> dict[str, object]:
        """The order's commission as a JSON-ready record, field by field."""
        return {
            "order_id": self.order_id,
            "user_id": self.user_id,
            "creator_id": self.creator_id,
            "rule_id": self.rule_id,
            "paid": self.paid,
            "refunded": self.refunded,
            "commission": self.commission,
            "reversed": self.reversed,
            "status": self.status,
        }

    @classmethod
    def load(cls, data: Plain) -> OrderCommission:
        """An order's commission from the record :meth:`dump` made."""
        return cls(
            order_id=as_str(data["order_id"]),
            user_id=as_str(data["user_id"]),
            creator_id=as_str(data["creator_id"]),
            rule_id=as_optional_str(data["rule_id"]),
            paid=as_decimal(data["paid"]),
            refunded=as_decimal(data["refunded"]),
            commission=as_decimal(data["commission"]),
            reversed=as_decimal(data["reversed"]),
            status=as_str(data["status"]),
        )


@attrs.frozen(slots=True)
class OrderView:
    """An order as the queries show it: the buyer's facts and, if attributed, its commission."""

    order_id: str
    event_id: str
    user_id: str
    creator_id: str | None
    rule_id: str | None
    paid: Decimal
    refunded: Decimal
    commission: Decimal
    reversed: Decimal
    status: str
    delivered_at: float | None

    @property
    def remaining(self) -> Decimal:
        """What is paid and not refunded."""
        return self.paid - self.refunded

    @property
    def outstanding(self) -> Decimal:
        """Commission accrued and not reversed."""
        return self.commission - self.reversed

    @classmethod
    def of(cls, order: Order, commission: OrderCommission | None) -> OrderView:
        """The view of ``order`` with its commission (``None``: not attributed)."""
        status = OrderStatus.INELIGIBLE if commission is None else commission.status
        return cls(
            order_id=order.order_id,
            event_id=order.event_id,
            user_id=order.user_id,
            creator_id=None if commission is None else commission.creator_id,
            rule_id=None if commission is None else commission.rule_id,
            paid=order.paid,
            refunded=order.refunded,
            commission=_ZERO if commission is None else commission.commission,
            reversed=_ZERO if commission is None else commission.reversed,
            status=OrderStatus.CANCELLED if order.cancelled else status,
            delivered_at=order.delivered_at,
        )


@attrs.frozen(slots=True)
class Attribution:
    """A purchase credited to ``creator_id`` by ``how`` (``in_stream`` or ``last_click``);
    ``source`` is the stream id or the click's event id."""

    creator_id: str
    how: str
    source: str


class StreamSeen:
    """What the attributor knows of a stream (stream key): its creator and when it ended, if it did."""

    __slots__ = ("creator_id", "ended_at")

    def __init__(self, creator_id: str, ended_at: float | None) -> None:
        self.creator_id = creator_id
        #: POSIX time of the stream's end; ``None`` while it is live
        self.ended_at = ended_at

    def dump(self) -> dict[str, object]:
        return {"creator_id": self.creator_id, "ended_at": self.ended_at}

    @classmethod
    def load(cls, data: Plain) -> StreamSeen:
        return cls(as_str(data["creator_id"]), as_optional_float(data["ended_at"]))


class LastClick:
    """A viewer's newest ``link_click`` (viewer key): the creator clicked, when, and the click's event."""

    __slots__ = ("at", "creator_id", "event_id")

    def __init__(self, creator_id: str, at: float, event_id: str) -> None:
        self.creator_id = creator_id
        #: POSIX time of the click
        self.at = at
        self.event_id = event_id

    def dump(self) -> dict[str, object]:
        return {"creator_id": self.creator_id, "at": self.at, "event_id": self.event_id}

    @classmethod
    def load(cls, data: Plain) -> LastClick:
        return cls(as_str(data["creator_id"]), as_float(data["at"]), as_str(data["event_id"]))


class Streams:
    """What attribution knows of streams (fest key): each stream's creator and end, each creator's latest."""

    __slots__ = ("_latest", "_streams", "_window")

    def __init__(self, settings: CommissionSettings) -> None:
        self._window = settings.in_stream_window.total_seconds()
        #: stream -> its creator and end
        self._streams: dict[str, StreamSeen] = {}
        #: creator -> their latest stream
        self._latest: dict[str, str] = {}

    def started(self, event: Event) -> None:
        stream, creator = event.stream_id or "", event.creator_id or ""
        self._streams[stream] = StreamSeen(creator, None)
        self._latest[creator] = stream

    def ended(self, event: Event, ts: float) -> None:
        known = self._streams.get(event.stream_id or "")
        if known is None:
            self._streams[event.stream_id or ""] = StreamSeen(event.creator_id or "", ts)
        else:
            known.ended_at = ts

    def in_stream(self, sale: Sale, ts: float) -> Attribution | None:
        """The stream a purchase at ``ts`` is credited to (rule 1 of the module's docstring), if any."""
        stream = sale.stream_id
        if stream is None and sale.creator_id is not None:
            stream = self._latest.get(sale.creator_id)
        if stream is None:
            return None
        known = self._streams.get(stream)
        if known is None:
            if sale.stream_id is not None and sale.creator_id is not None:
                return Attribution(creator_id=sale.creator_id, how="in_stream", source=stream)
            return None
        ended = known.ended_at
        if ended is None or ts <= ended + self._window:
            return Attribution(creator_id=known.creator_id, how="in_stream", source=stream)
        return None

    def dump(self) -> dict[str, object]:
        return {
            "streams": {stream: seen.dump() for stream, seen in self._streams.items()},
            "latest": dict(self._latest),
        }

    def load(self, data: Plain) -> None:
        streams = as_mapping(data["streams"])
        self._streams = {stream: StreamSeen.load(as_mapping(seen)) for stream, seen in streams.items()}
        self._latest = {creator: as_str(stream) for creator, stream in as_mapping(data["latest"]).items()}


class Clicks:
    """Each viewer's newest ``link_click`` (viewer key), for attribution by last click."""

    __slots__ = ("_clicks", "_creators", "_window")

    def __init__(self, settings: CommissionSettings) -> None:
        self._window = settings.attribution_window.total_seconds()
        #: viewer -> the viewer's newest click
        self._clicks: dict[str, LastClick] = {}
        #: creator id -> the same id, so that the clicks on a creator share one string
        self._creators: dict[str, str] = {}

    def click(self, event: Event, ts: float) -> None:
        last = self._clicks.get(event.user_id)
        if last is None or ts >= last.at:
            creator = event.creator_id or ""
            shared = self._creators.get(creator)
            if shared is None:
                if len(self._creators) >= _SHARED_IDS:
                    self._creators.clear()
                shared = self._creators[creator] = creator
            self._clicks[event.user_id] = LastClick(shared, ts, event.event_id)

    def last_click(self, user_id: str, ts: float) -> LastClick | None:
        """The viewer's newest click, if it is at most the attribution window before ``ts`` (and not after)."""
        last = self._clicks.get(user_id)
        if last is not None and last.at <= ts <= last.at + self._window:
            return last
        return None

    def dump(self) -> dict[str, object]:
        return {user: click.dump() for user, click in self._clicks.items()}

    def load(self, data: Plain) -> None:
        self._clicks = {user: LastClick.load(as_mapping(click)) for user, click in data.items()}
        self._creators = {}


@attrs.frozen(slots=True)
class Boost:
    """An extra commission rate for ``creator`` from ``start`` to ``until`` (POSIX times)."""

    start: float
    until: float
    rate: Decimal
    source: str

    def active(self, ts: float) -> bool:
        return self.start <= ts < self.until

    def dump(self) -> dict[str, object]:
        return {"start": self.start, "until": self.until, "rate": self.rate, "source": self.source}

    @classmethod
    def load(cls, data: Plain) -> Boost:
        return cls(
            start=as_float(data["start"]),
            until=as_float(data["until"]),
            rate=as_decimal(data["rate"]),
            source=as_str(data["source"]),
        )


class CreatorCommission:
    """A creator's commission state (creator key): settled volume (it picks the tier) and boosts won.

    ``settled_volume`` is the commission base of the creator's settled orders, net of refunds;
    ``boosts`` are the commission boosts the creator won as a viewer, oldest first.
    """

    __slots__ = ("boosts", "settled_volume")

    def __init__(self, settled_volume: Decimal = _ZERO, boosts: tuple[Boost, ...] = ()) -> None:
        self.settled_volume = settled_volume
        self.boosts = boosts

    def dump(self) -> dict[str, object]:
        return {"settled_volume": self.settled_volume, "boosts": [boost.dump() for boost in self.boosts]}

    @classmethod
    def load(cls, data: Plain) -> CreatorCommission:
        boosts = tuple(Boost.load(as_mapping(boost)) for boost in as_list(data["boosts"]))
        return cls(as_decimal(data["settled_volume"]), boosts)


@attrs.frozen(slots=True)
class RateBreakdown:
    """How a commission rate was made: ``rate = min(1, base_rate + bonus_rate + boost_rate)``."""

    rule: CommissionRule
    base_rate: Decimal
    tier_from: Decimal | None
    bonus_rate: Decimal
    bonus_ids: tuple[str, ...]
    boost_rate: Decimal
    boost_sources: tuple[str, ...]

    @property
    def rate(self) -> Decimal:
        return min(_ONE, self.base_rate + self.bonus_rate + self.boost_rate)


class CommissionRates:
    """The fest's commission rules, bonus windows and settlement timing, as lookups."""

    __slots__ = ("_bonuses", "_rules", "settlement_seconds")

    def __init__(self, settings: CommissionSettings) -> None:
        self._rules = settings.rules
        self._bonuses = tuple((b, b.starts_at.timestamp(), b.ends_at.timestamp()) for b in settings.bonus_windows)
        self.settlement_seconds = settings.settlement_days * 86_400

    def match(self, event: Sale) -> CommissionRule | None:
        """The first rule whose non-empty lists all contain the purchase's value."""
        for rule in self._rules:
            if (
                (not rule.products or event.product_id in rule.products)
                and (not rule.categories or event.category in rule.categories)
                and (not rule.sellers or event.seller_id in rule.sellers)
                and (not rule.channels or event.channel in rule.channels)
            ):
                return rule
        return None

    def breakdown(
        self, rule: CommissionRule, event: Sale, ts: float, volume: Decimal, boosts: Iterable[Boost]
    ) -> RateBreakdown:
        """The rate of ``rule`` for ``event`` at ``ts``, for a creator with settled ``volume``."""
        base_rate, tier_from = _base_rate(rule, volume)
        bonuses = [b for b, start, end in self._bonuses if start <= ts < end and _covers(b.categories, event)]
        active = [boost for boost in boosts if boost.active(ts)]
        return RateBreakdown(
            rule=rule,
            base_rate=base_rate,
            tier_from=tier_from,
            bonus_rate=sum((b.extra_rate for b in bonuses), _ZERO),
            bonus_ids=tuple(b.id for b in bonuses),
            boost_rate=sum((boost.rate for boost in active), _ZERO),
            boost_sources=tuple(boost.source for boost in active),
        )


def _covers(categories: frozenset[str], event: Sale) -> bool:
    return not categories or event.category in categories


def _base_rate(rule: CommissionRule, volume: Decimal) -> tuple[Decimal, Decimal | None]:
    """A flat rule's rate, or the rate of the highest tier reached by ``volume`` (and where it starts)."""
    if not rule.tiers:
        return rule.rate or _ZERO, None
    chosen = rule.tiers[0]
    for tier in rule.tiers:
        if tier.from_volume <= volume:
            chosen = tier
    return chosen.rate, chosen.from_volume
