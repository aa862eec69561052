"""Watch time, which TikTok does not send: derived from joins, activity and viewer-count ticks.

TikTok LIVE tells when a viewer joins, comments, likes, gifts, shares or follows, and sends the room's
viewer count (with its top viewers) every few seconds, but never when a viewer leaves. So watch time
is an approximation, and this module makes it the same for every run that sees the same messages:

- A viewer is **present** from the first message that shows them (a join, any activity, or a place
  among the top viewers of a viewer-count tick) until ``presence`` seconds after the last one. A
  message after that gap starts a new presence.
- Time is cut into **slots** of ``slot`` seconds, aligned on the Unix epoch. Once the feed's clock
  (the newest message time) passes a slot's end, each viewer present during the slot gets one
  ``view`` event with the seconds of the slot they were present for, and the event id
  ``tiktok-<room>-watch-<viewer>-<slot start>``. Ticks move the clock forward when nobody acts.
  Views come in time order to within a slot, so a slot must not be longer than the fest's
  ``allowed_lateness`` (the engine would refuse views as too late).
- The stream's end closes the last, partial slot at the end time, and nobody is present after it.

So a viewer who leaves is credited up to ``presence`` seconds too many, and a silent viewer who
stays longer than ``presence`` after their last sign is credited too few. Because a slot's event id
depends only on the room, the viewer and the slot, a process that restarts and sees messages again
produces the same ids, and the engine's idempotency drops them (the first credit of a slot wins).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

__all__ = ["WatchTracker"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _seconds(moment: datetime) -> int:
    """Whole seconds since the epoch (a message time in milliseconds is rounded down)."""
    return (moment - _EPOCH) // timedelta(seconds=1)


@attrs.define
class _Presence:
    start: int
    last_seen: int


@attrs.define
class WatchTracker:
    """Per-viewer presence in one room, turned into ``view`` events slot by slot (see the module doc)."""

    room_id: str
    creator_id: str
    slot: int = 60
    presence: int = 300
    _viewers: dict[str, list[_Presence]] = attrs.field(factory=dict, init=False)
    _closed_until: int | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.slot <= 3_600 or not 1 <= self.presence <= 86_400:
            raise ValueError("slot is 1-3600 seconds and presence 1-86400 seconds")

    def seen(self, user_id: str, at: datetime) -> None:
        """A message shows ``user_id`` in the room at ``at``."""
        moment = _seconds(at)
        if self._closed_until is None:
            self._closed_until = moment - moment % self.slot
        moment = max(moment, self._closed_until)  # time already credited is not credited again
        spans = self._viewers.setdefault(user_id, [])
        if spans and moment <= spans[-1].last_seen + self.presence:
            spans[-1].last_seen = max(spans[-1].last_seen, moment)
        else:  # the first sign, or one after a gap: a new presence (the old one is credited as it was)
            spans.append(_Presence(moment, moment))

    def advance(self, now: datetime) -> list[dict[str, Any]]:
        """The ``view`` events (wire dicts) of every slot that ended by ``now``, the feed's clock."""
        moment = _seconds(now)
        return self._close(moment - moment % self.slot)

    def finish(self, at: datetime) -> list[dict[str, Any]]:
        """The stream ended at ``at``: credit up to it, then nobody is present."""
        views = self._close(_seconds(at))
        self._viewers.clear()
        return views

    def _close(self, until: int) -> list[dict[str, Any]]:
        if self._closed_until is None or until <= self._closed_until:
            return []
        since = self._closed_until
        views = sorted(
            (
                (slot_start, user_id, seconds, end)
                for user_id, spans in self._viewers.items()
                for slot_start, (seconds, end) in self._per_slot(spans, since, until).items()
            ),
        )  # in time order, so that no view is later than the ones before it by more than a slot
        self._forget(until)
        self._closed_until = until
        return [self._view(user_id, slot_start, seconds, end) for slot_start, user_id, seconds, end in views]

    def _forget(self, until: int) -> None:
        """Drop the presences that ended by ``until``, and the viewers left with none."""
        for user_id in list(self._viewers):
            kept = [span for span in self._viewers[user_id] if span.last_seen + self.presence > until]
            if kept:
                self._viewers[user_id] = kept
            else:
                del self._viewers[user_id]

    def _per_slot(self, spans: list[_Presence], since: int, until: int) -> dict[int, tuple[int, int]]:
        """For each slot of [since, until) a viewer was present in: (seconds present, end of the last part)."""
        slots: dict[int, tuple[int, int]] = {}
        for span in spans:
            start, end = max(span.start, since), min(span.last_seen + self.presence, until)
            slot_start = start - start % self.slot
            while slot_start < end:
                low, high = max(start, slot_start), min(end, slot_start + self.slot)
                if high > low:
                    seconds, _ = slots.get(slot_start, (0, 0))
                    slots[slot_start] = (seconds + high - low, high)
                slot_start += self.slot
        return slots

    def _view(self, user_id: str, slot_start: int, seconds: int, end: int) -> dict[str, Any]:
        return {
            "event_id": f"tiktok-{self.room_id}-watch-{user_id}-{slot_start}",
            "type": "view",
            "occurred_at": (_EPOCH + timedelta(seconds=end)).isoformat().replace("+00:00", "Z"),
            "user_id": user_id,
            "creator_id": self.creator_id,
            "stream_id": self.room_id,
            "seconds": seconds,
        }
