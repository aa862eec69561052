"""A stand-in for TikTokLiveClient (``on``, ``connect``, ``disconnect``, ``room_info``) that plays
recorded messages, one list per connection, so nothing touches the network."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from TikTokLive.events import ConnectEvent

import tiktok_messages as m

#: The room info TikTok would return: the owner and the room's start time (a minute before the first message).
INFO: dict[str, Any] = {
    "owner": {"id": m.OWNER, "id_str": str(m.OWNER), "display_id": "creator"},
    "create_time": m.START_MS // 1000 - 60,
}


class RecordedClient:
    """Plays one list of messages per connection; a connection is an exception to raise instead."""

    def __init__(self, connections: list[list[Any] | Exception], room_info: dict[str, Any] | None = INFO) -> None:
        self.connections = connections
        self.handlers: dict[type[Any], list[Callable[..., Any]]] = {}
        self.room_info = room_info
        self.connects = 0
        self.disconnected = False

    def on(self, event: type[Any], f: Callable[..., Any]) -> None:
        self.handlers.setdefault(event, []).append(f)

    async def connect(self, *, fetch_room_info: bool) -> None:
        assert fetch_room_info
        playing = self.connections[self.connects]
        self.connects += 1
        if isinstance(playing, Exception):
            raise playing
        self.disconnected = False
        await self._emit(ConnectEvent(unique_id="creator", room_id=m.ROOM))
        for message in playing:
            if self.disconnected:
                return
            await self._emit(message)

    async def disconnect(self) -> None:
        self.disconnected = True

    async def _emit(self, message: Any) -> None:
        for handler in self.handlers.get(type(message), []):
            result = handler(message)
            if asyncio.iscoroutine(result):
                await result
