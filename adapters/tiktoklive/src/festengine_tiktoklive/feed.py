"""A creator's LIVE as a feed: messages mapped room by room and handed to a sink, each event once."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from festengine import Fest, Step
from festengine.limits import EARLIEST_TIME, LATEST_TIME

from festengine_tiktoklive.mapping import Mapped, Mapper, MappingProblem, Room
from festengine_tiktoklive.sinks import Sink

__all__ = ["Feed", "room_of"]

#: How many event ids the feed remembers to drop a re-delivered message before it reaches the sink.
RECENT_IDS = 100_000
_LATEST_S = (LATEST_TIME - EARLIEST_TIME) // timedelta(seconds=1)


def room_of(room_id: int, unique_id: str, room_info: dict[str, Any] | None) -> Room:
    """The room a client connected to: its owner's user id and start time from the room info when
    it has them, else the creator's @handle and no start time (the first message's time is used)."""
    info = room_info if isinstance(room_info, dict) else {}
    owner = info.get("owner")
    owner = owner if isinstance(owner, dict) else {}
    creator_id = str(owner.get("id_str") or owner.get("id") or unique_id)
    created = info.get("create_time")
    started_at = None
    if type(created) is int and 0 < created < _LATEST_S:  # seconds; anything else is not used
        started_at = EARLIEST_TIME + timedelta(seconds=created)
    return Room(str(room_id), creator_id, started_at)


class Feed:
    """Maps the messages of a creator's LIVEs and applies their events to ``sink``.

    A reconnect to the same room keeps its mapper (so presence and the stream's start are not
    repeated); a new room gets a new one. Events whose id was handed to the sink recently are
    dropped here; the store's idempotency drops the rest (event ids are stable message ids).
    """

    def __init__(
        self,
        fest: Fest,
        sink: Sink,
        *,
        report: Callable[[MappingProblem], None],
        slot: int = 60,
        presence: int = 300,
    ) -> None:
        self.fest = fest
        self.sink = sink
        self.report = report
        self.slot = slot
        self.presence = presence
        self.mapper: Mapper | None = None
        #: events handed to the sink; of their steps (a sink that runs an engine), duplicates and rejections
        self.sent = 0
        self.duplicates = 0
        self.rejected = 0
        self._recent: OrderedDict[str, None] = OrderedDict()

    def connected(self, room: Room) -> None:
        """The client is connected to ``room`` (again, after a reconnect, or a new LIVE)."""
        if self.mapper is None or self.mapper.room.room_id != room.room_id:
            self.mapper = Mapper(self.fest, room, slot=self.slot, presence=self.presence)

    def receive(self, message: object) -> list[Step]:
        """Map one message and apply its new events; problems go to ``report``."""
        if self.mapper is None:
            raise RuntimeError("Feed.receive before Feed.connected")
        mapped = self.mapper.map(message)
        for problem in mapped.problems:
            self.report(problem)
        return self._apply(mapped)

    def receive_all(self, messages: Iterable[object]) -> list[Step]:
        """:meth:`receive` for each message, in order (a recording, for instance)."""
        return [step for message in messages for step in self.receive(message)]

    def _apply(self, mapped: Mapped) -> list[Step]:
        fresh = [event for event in mapped.events if event.event_id not in self._recent]
        if not fresh:
            return []
        steps = list(self.sink.apply_batch(fresh))
        for event in fresh:
            self._recent[event.event_id] = None
        while len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
        self.sent += len(fresh)
        self.duplicates += sum(step.duplicate for step in steps)
        self.rejected += sum(step.rejected is not None for step in steps)
        return steps
