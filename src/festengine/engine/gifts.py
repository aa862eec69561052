"""Gift streaks: count each gift once.

A streakable gift sent repeatedly arrives as several events with a growing ``repeat_count``; the
last has ``repeat_end`` set, and a gift sent once still arrives twice (``repeat_count`` 1 without
and then with ``repeat_end``). Counting every event would overcount, so this component counts the
*delta*: the gifts an event adds to its streak. Downstream components see the event with ``count``
set to that delta and ``coins`` to its value in coins; an event that adds nothing reaches no one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from festengine.catalog.model import Fest
from festengine.engine.component import Check, Component, Rejection, StepContext
from festengine.engine.keys import Owner
from festengine.engine.shapes import COUNT, STR, Shape, list_of, member, row
from festengine.events import Event

__all__ = ["GiftStreaks"]


class GiftStreaks(Component):
    name: ClassVar[str] = "gifts"
    owner: ClassVar[Owner | None] = Owner.VIEWER

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        self._gifts = fest.economy.gifts
        #: (user, stream, gift) -> repeat_count seen so far in the open streak
        self._open: dict[tuple[str, str, str], int] = {}

    def checks(self) -> Mapping[str, Check]:
        return {"gift": self._check}

    def _check(self, event: Event) -> Rejection | None:
        if event.gift_id not in self._gifts:
            known = ", ".join(sorted(self._gifts)[:12])
            return Rejection("unknown_gift", f"gift {event.gift_id!r} is not in the fest's catalogue ({known})")
        channel = event.channel
        if channel is not None and channel not in self.fest.economy.coin_value:
            return Rejection("unknown_channel", f"coin channel {channel!r} has no coin value in the fest")
        return None

    def normalize(self, event: Event, ctx: StepContext) -> Event | None:
        """The event as it counts (``count`` = gifts added, ``coins`` = their coins), or ``None``."""
        gift = self._gifts[event.gift_id or ""]
        per_event = event.count or 1
        repeat = event.repeat_count or 1
        if gift.streakable:
            key = (event.user_id, event.stream_id or "", gift.id)
            before = self._open.get(key, 0)
            if repeat < before:  # a new streak began without the old one ending
                before = 0
            if event.repeat_end:
                self._open.pop(key, None)
            else:
                self._open[key] = repeat
            added = per_event * (repeat - before)
        else:
            added = per_event * repeat
        if added <= 0:
            return None
        return attrs.evolve(event, count=added, coins=added * gift.coins)

    def dump(self) -> object:
        return [[user, stream, gift, repeat] for (user, stream, gift), repeat in self._open.items()]

    def snapshot_shape(self) -> Shape:
        return list_of(row(STR, STR, member(self._gifts, "a gift of the fest"), COUNT))

    def load(self, data: Any) -> None:
        self._open = {(user, stream, gift): repeat for user, stream, gift, repeat in data}
