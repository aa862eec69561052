"""The feed: events waiting to be delivered, in delivery order, misbehaving like real feeds do.

Platform webhooks deliver at least once and not always in order (DOMAIN.md, "Delivery semantics").
The :class:`Feed` queues every generated event under its delivery time and, for a small share,
delivers the same event (same ``event_id``) a second time a little later, or delivers it late:
mostly within the fest's allowed lateness (the engine still counts it in its window), sometimes
beyond it (the engine rejects it as too late). Gift-streak events and stream starts and ends are
always delivered on time, in order.

The queue holds only what is not yet delivered (the next hours of sessions, plus deliveries and
refunds of recent orders), so memory does not grow with the length of the stream.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from festengine.events import Event

__all__ = ["EventMaker", "Feed", "FeedRates"]

_ON_TIME_TYPES = frozenset({"gift", "stream_started", "stream_ended"})


@attrs.frozen(slots=True)
class FeedRates:
    """How badly the feed behaves: shares of events delivered twice, and late."""

    duplicate: float = 0.004
    late: float = 0.004
    #: of the late ones, the share that is later than the fest's allowed lateness
    too_late: float = 0.25


class Feed:
    """A priority queue of ``(delivery time, sequence, event)``; ties keep the order of pushing."""

    def __init__(self, rng: random.Random, lateness: int, rates: FeedRates) -> None:
        self._rng = rng
        self._lateness = lateness
        self._rates = rates
        self._queue: list[tuple[int, int, Event]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._queue)

    def _put(self, at: int, event: Event) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, event))

    def push(self, event: Event, ts: int) -> None:
        """Queue ``event`` (which happened at ``ts``), maybe late, maybe twice."""
        if event.type in _ON_TIME_TYPES:
            self._put(ts, event)
            return
        rng, rates = self._rng, self._rates
        roll = rng.random()
        if roll < rates.late:
            self._put(ts + self._delay(), event)
        else:
            self._put(ts, event)
        if rng.random() < rates.duplicate:
            self._put(ts + rng.randint(1, 600), event)

    def _delay(self) -> int:
        rng, lateness = self._rng, self._lateness
        if lateness >= 60 and rng.random() >= self._rates.too_late:
            return rng.randint(30, lateness)
        return lateness + rng.randint(60, 3600)

    def pop_until(self, ts: int) -> Iterator[Event]:
        """Deliver every event due before ``ts``, in delivery order."""
        queue = self._queue
        while queue and queue[0][0] < ts:
            yield heapq.heappop(queue)[2]

    def drain(self) -> Iterator[Event]:
        """Deliver everything left."""
        queue = self._queue
        while queue:
            yield heapq.heappop(queue)[2]


class EventMaker:
    """Builds :class:`Event` values with sequential ids (``e1``, ``e2``…) straight from the simulator.

    The values are exactly what :func:`festengine.parse_event` makes of their wire form (defaults
    filled in, purchase ``amount`` derived), so a replay from JSON Lines sees the same events.
    """

    __slots__ = ("_count", "_orders", "currency")

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._count = 0
        self._orders = 0

    @property
    def made(self) -> int:
        """How many events were made so far."""
        return self._count

    def order_id(self) -> str:
        self._orders += 1
        return f"o{self._orders}"

    def make(self, kind: str, ts: int, user: str, **fields: Any) -> Event:
        """An event of type ``kind`` at POSIX second ``ts``."""
        self._count += 1
        return Event(f"e{self._count}", kind, datetime.fromtimestamp(ts, UTC), user, **fields)

    def purchase(
        self, ts: int, user: str, order_id: str, price: Decimal, quantity: int, discount: Decimal, **fields: Any
    ) -> Event:
        """A purchase, with ``amount`` (the price actually paid) derived as the parser does."""
        amount = price * quantity - discount
        return self.make(
            "purchase",
            ts,
            user,
            order_id=order_id,
            price=price,
            quantity=quantity,
            discount=discount if discount else None,
            currency=self.currency,
            amount=amount,
            **fields,
        )
