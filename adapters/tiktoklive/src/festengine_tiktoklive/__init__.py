"""festengine-tiktoklive: TikTok LIVE events, through the TikTokLive client, into a festengine fest.

``festengine-tiktoklive run @creator --pack PACK --db FILE`` follows a LIVE; the pieces are usable
on their own: :class:`Mapper` turns TikTokLive messages into festengine events (no I/O), a
:class:`Feed` hands them to a :class:`Sink` once each, and :func:`follow` drives a client.
"""

from __future__ import annotations

from festengine_tiktoklive.feed import Feed, room_of
from festengine_tiktoklive.mapping import Mapped, Mapper, MappingProblem, Room, gift_table
from festengine_tiktoklive.runner import follow
from festengine_tiktoklive.sinks import EngineSink, JsonLinesSink, Sink, TikTokAdapterError, open_store
from festengine_tiktoklive.watch import WatchTracker

__version__ = "0.1.0.dev0"

__all__ = [
    "EngineSink",
    "Feed",
    "JsonLinesSink",
    "Mapped",
    "Mapper",
    "MappingProblem",
    "Room",
    "Sink",
    "TikTokAdapterError",
    "WatchTracker",
    "__version__",
    "follow",
    "gift_table",
    "open_store",
    "room_of",
]
