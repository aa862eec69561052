"""Following a creator's LIVE with TikTokLive's client: connect, feed every message, reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx
from TikTokLive.client.errors import TikTokLiveError, UserOfflineError
from TikTokLive.events import (
    CommentEvent,
    ConnectEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    RoomUserSeqEvent,
    ShareEvent,
)
from websockets.exceptions import WebSocketException

from festengine_tiktoklive.feed import Feed, room_of
from festengine_tiktoklive.sinks import TikTokAdapterError

__all__ = ["MESSAGE_TYPES", "Client", "follow"]

#: The message classes the feed maps (see :mod:`festengine_tiktoklive.mapping`).
MESSAGE_TYPES: tuple[type[Any], ...] = (
    GiftEvent,
    LikeEvent,
    CommentEvent,
    JoinEvent,
    FollowEvent,
    ShareEvent,
    RoomUserSeqEvent,
    LiveEndEvent,
)


class Client(Protocol):
    """What :func:`follow` uses of ``TikTokLive.TikTokLiveClient`` (tests pass a recorded stand-in)."""

    @property
    def room_info(self) -> dict[str, Any] | None: ...

    def on(self, event: type[Any], f: Callable[..., Any]) -> Any: ...

    async def connect(self, *, fetch_room_info: bool) -> Any: ...

    async def disconnect(self) -> None: ...


async def follow(
    client: Client,
    feed: Feed,
    *,
    retries: int = 10,
    delay: float = 5.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Feed the LIVE's messages to ``feed`` until it ends; reconnect after a dropped connection.

    A reconnect delivers some messages again: they map to the same event ids, so nothing is applied
    twice. Gives up with :class:`TikTokAdapterError` when the creator is not LIVE at the start, or
    after ``retries`` failed connections in a row. A creator found offline after a connection has
    worked means the LIVE is over, even without its end message.
    """
    state = _Following(client, feed)
    client.on(ConnectEvent, state.on_connect)
    for kind in MESSAGE_TYPES:
        client.on(kind, state.on_message)
    failures = 0
    while not state.ended:
        try:
            await client.connect(fetch_room_info=True)
            failures = 0
        except UserOfflineError as error:
            if feed.mapper is None:
                raise TikTokAdapterError("the creator is not LIVE now") from error
            return
        except (TikTokLiveError, OSError, httpx.HTTPError, WebSocketException) as error:
            failures += 1
            if failures > retries:
                raise TikTokAdapterError(f"gave up after {retries} failed connections: {error}") from error
        if state.failure is not None:
            raise state.failure
        if not state.ended:
            await sleep(delay * min(failures + 1, 6))


class _Following:
    """The client's handlers: they pass messages to the feed and stop the client if the sink fails."""

    def __init__(self, client: Client, feed: Feed) -> None:
        self.client = client
        self.feed = feed
        self.ended = False
        self.failure: Exception | None = None

    def on_connect(self, event: Any) -> None:
        self.feed.connected(room_of(event.room_id, event.unique_id, self.client.room_info))

    async def on_message(self, message: Any) -> None:
        if self.failure is not None:
            return
        try:
            self.feed.receive(message)
        except Exception as error:  # raised again by follow, outside the client's handlers
            self.failure = error
            self.ended = True
            await self.client.disconnect()
            return
        if isinstance(message, LiveEndEvent):
            self.ended = True
