"""TikTok LIVE messages (TikTokLive's event classes) mapped onto festengine's wire format.

No I/O and no clock: the same messages, in the same order, map to the same events. One
:class:`Mapper` follows one LIVE (one room); feed it every message with :meth:`Mapper.map`.

========================  ====================================================================
TikTokLive message        festengine event
========================  ====================================================================
first message of a room   ``stream_started`` (at the room's start time when known), id
                          ``tiktok-<room>-start``
``GiftEvent``             ``gift``: ``gift_id`` from the catalogue's ``tiktok_gift_id``,
                          ``repeat_count``/``repeat_end`` from the message, ``count`` from
                          ``group_count`` (at least 1)
``LikeEvent``             ``like`` with the message's ``count``
``CommentEvent``          ``comment`` with its ``content`` (cut to 2,000 characters)
``FollowEvent``           ``follow``
``ShareEvent``            ``share``
``JoinEvent``             no event of its own: the viewer is present (see :mod:`.watch`)
``RoomUserSeqEvent``      no event of its own: moves the clock; its top viewers are present
(clock passes a slot)     ``view`` per present viewer, see :mod:`.watch`
``LiveEndEvent``          ``stream_ended``, id ``tiktok-<room>-end``
========================  ====================================================================

Every message event has ``event_id`` ``tiktok-<message id>``, ``occurred_at`` from the message's
``create_time`` (milliseconds since the epoch), ``user_id`` the sender's numeric id, ``stream_id``
the room id and ``creator_id`` the room's owner, or for a gift the recipient (``to_user``) when it
names one, as in multi-guest rooms.

What cannot be mapped is reported as a :class:`MappingProblem`, never guessed: a gift id missing
from the catalogue (``unknown_gift``), a catalogue price that differs from the message's diamond
count (``coins_mismatch``), a gift TikTok streaks that the catalogue does not (``streak_mismatch``),
a message without its id, time or sender (``incomplete``), or an event the wire format refuses
(``malformed``). Such a message adds no event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
from festengine import Event, EventParseError, Fest, parse_event
from festengine.catalog.model import Gift
from festengine.limits import EARLIEST_TIME, LATEST_TIME
from TikTokLive.events import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    RoomUserSeqEvent,
    ShareEvent,
)

from festengine_tiktoklive.watch import WatchTracker

__all__ = ["Mapped", "Mapper", "MappingProblem", "Room", "gift_table"]

_EPOCH = EARLIEST_TIME  # 1970-01-01T00:00:00Z
_TEXT_MAX = 2_000
_TIKTOK_STREAKABLE = 1  # a gift's ``type`` on TikTok when it can be sent as a streak
#: Message times festengine can compute with: milliseconds in [1970, 2100).
_LAST_MS = (LATEST_TIME - EARLIEST_TIME) // timedelta(milliseconds=1)


@attrs.frozen
class Room:
    """The LIVE a mapper follows: its room id, its owner's user id and, when known, its start time."""

    room_id: str
    creator_id: str
    started_at: datetime | None = None


@attrs.frozen
class MappingProblem:
    """A message that was not mapped, and why. ``code`` is stable for machines, ``reason`` for people."""

    code: str
    message_id: str | None
    reason: str


@attrs.frozen
class Mapped:
    """What one message became: events in the order to apply them, and problems."""

    events: tuple[Event, ...] = ()
    problems: tuple[MappingProblem, ...] = ()


def gift_table(fest: Fest) -> dict[int, Gift]:
    """The fest's gifts by their ``tiktok_gift_id`` (gifts without one are not reachable from TikTok)."""
    return {g.tiktok_gift_id: g for g in fest.economy.gifts.values() if g.tiktok_gift_id is not None}


def _moment(milliseconds: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=milliseconds)


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class _Skip(Exception):
    """Control flow inside this module: a message that maps to no event. Never raised out of it."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _user_id(user: Any) -> str:
    if user is None or not user.id:
        raise _Skip("incomplete", "the message names no sender (user.id)")
    return str(user.id)


class Mapper:
    """Maps the messages of one room; keeps the little state the mapping needs (start, end, presence)."""

    def __init__(self, fest: Fest, room: Room, *, slot: int = 60, presence: int = 300) -> None:
        self.room = room
        self._gifts = gift_table(fest)
        self._watch = WatchTracker(room.room_id, room.creator_id, slot=slot, presence=presence)
        self._clock: datetime | None = None
        self._started = False
        self._ended = False

    def map(self, message: object) -> Mapped:
        """The events and problems of one message; a message of a kind not listed above maps to nothing."""
        common = getattr(message, "common", None)
        message_id = str(common.msg_id) if common is not None and common.msg_id else None
        if not isinstance(message, _HANDLED):
            return Mapped()
        if isinstance(message, LiveEndEvent) and (common is None or not common.create_time):
            if self._clock is None:  # the end of a LIVE of which nothing was seen: nothing to end
                return Mapped()
            at = self._clock  # the end without a time of its own: as of the newest message
        elif common is None or not common.create_time or message_id is None:
            return Mapped(problems=(MappingProblem("incomplete", message_id, "the message has no id or time"),))
        elif not 0 < common.create_time < _LAST_MS:
            reason = f"create_time {common.create_time} is not a time in milliseconds between 1970 and 2100"
            return Mapped(problems=(MappingProblem("incomplete", message_id, reason),))
        else:
            at = _moment(common.create_time)
        wire = [*self._start(at), *self._tick(at)]
        problems: list[MappingProblem] = []
        try:
            wire += self._message(message, f"tiktok-{message_id}", at)
        except _Skip as skip:
            problems.append(MappingProblem(skip.code, message_id, skip.reason))
        events: list[Event] = []
        for data in wire:
            try:
                events.append(parse_event(data))
            except EventParseError as error:
                problems.append(MappingProblem("malformed", message_id, "; ".join(error.reasons)))
        return Mapped(tuple(events), tuple(problems))

    # ------------------------------------------------------------------ stream and clock

    def _start(self, at: datetime) -> list[dict[str, Any]]:
        if self._started:
            return []
        self._started = True
        started_at = self.room.started_at if self.room.started_at is not None else at
        return [self._stream_event("start", "stream_started", started_at)]

    def _tick(self, at: datetime) -> list[dict[str, Any]]:
        if self._clock is not None and at <= self._clock:
            return []
        self._clock = at
        return self._watch.advance(at)

    def _stream_event(self, suffix: str, kind: str, at: datetime) -> dict[str, Any]:
        room = self.room
        return {
            "event_id": f"tiktok-{room.room_id}-{suffix}",
            "type": kind,
            "occurred_at": _stamp(at),
            "user_id": room.creator_id,
            "creator_id": room.creator_id,
            "stream_id": room.room_id,
        }

    def _present(self, user: Any, at: datetime) -> str:
        user_id = _user_id(user)
        if not self._ended:
            self._watch.seen(user_id, at)
        return user_id

    # ------------------------------------------------------------------ messages

    def _message(self, message: Any, event_id: str, at: datetime) -> list[dict[str, Any]]:
        if isinstance(message, LiveEndEvent):
            self._ended = True
            return [*self._watch.finish(at), self._stream_event("end", "stream_ended", at)]
        if isinstance(message, RoomUserSeqEvent):
            for rank in message.ranks:
                if rank.user is not None and rank.user.id:
                    self._present(rank.user, at)
            return []
        user_id = self._present(message.user, at)
        if isinstance(message, JoinEvent):
            return []
        base = {
            "event_id": event_id,
            "occurred_at": _stamp(at),
            "user_id": user_id,
            "creator_id": self.room.creator_id,
            "stream_id": self.room.room_id,
        }
        if isinstance(message, GiftEvent):
            return [self._gift(message, base)]
        if isinstance(message, LikeEvent):
            return [{**base, "type": "like", "count": max(1, message.count)}]
        if isinstance(message, CommentEvent):
            return [{**base, "type": "comment", "text": message.content[:_TEXT_MAX]}]
        kind = "follow" if isinstance(message, FollowEvent) else "share"
        return [{**base, "type": kind}]

    def _gift(self, message: Any, base: dict[str, Any]) -> dict[str, Any]:
        sent = message.gift
        tiktok_id = sent.id if sent is not None and sent.id else message.gift_id
        gift = self._gifts.get(tiktok_id)
        name = f" ({sent.name})" if sent is not None and sent.name else ""
        if gift is None:
            raise _Skip("unknown_gift", f"TikTok gift {tiktok_id}{name} has no gift with that tiktok_gift_id")
        if sent is not None and sent.diamond_count and sent.diamond_count != gift.coins:
            raise _Skip(
                "coins_mismatch",
                f"TikTok gift {tiktok_id}{name} costs {sent.diamond_count} coins, "
                f"but gift {gift.id!r} of the catalogue costs {gift.coins}; fix the catalogue or its tiktok_gift_id",
            )
        if sent is not None and sent.type == _TIKTOK_STREAKABLE and not gift.streakable:
            raise _Skip(
                "streak_mismatch",
                f"TikTok sends gift {tiktok_id}{name} as streaks, but gift {gift.id!r} is not streakable "
                "in the catalogue, so every event of a streak would count; set streakable: true",
            )
        recipient = message.to_user
        creator_id = str(recipient.id) if recipient is not None and recipient.id else base["creator_id"]
        return {
            **base,
            "type": "gift",
            "creator_id": creator_id,
            "gift_id": gift.id,
            "count": max(1, message.group_count),
            "repeat_count": max(1, message.repeat_count),
            # A gift TikTok does not streak is complete in every message, whatever its repeat_end says.
            "repeat_end": bool(message.repeat_end) or (sent is not None and sent.type != _TIKTOK_STREAKABLE),
        }


_HANDLED = (GiftEvent, LikeEvent, CommentEvent, JoinEvent, FollowEvent, ShareEvent, RoomUserSeqEvent, LiveEndEvent)
