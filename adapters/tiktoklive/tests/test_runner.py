"""Following a LIVE with a client: connect, reconnect without applying twice, give up, stop on failures.

The client is a stand-in with TikTokLiveClient's surface that plays recorded messages, so nothing
touches the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from festengine import Engine, Event, Fest, Step
from TikTokLive.client.errors import UserOfflineError

import tiktok_messages as m
from festengine_tiktoklive import EngineSink, Feed, TikTokAdapterError, follow, room_of
from recorded_client import INFO, RecordedClient

ROOM, OWNER = str(m.ROOM), str(m.OWNER)


async def no_wait(seconds: float) -> None:
    """Reconnect at once in tests."""


def run(client: RecordedClient, feed: Feed, **options: Any) -> None:
    asyncio.run(follow(client, feed, sleep=no_wait, **options))


def test_reconnect_applies_nothing_twice(fest: Fest, engine: Engine) -> None:
    """A dropped connection is reopened; the messages the new connection delivers again are not applied
    again, and the LIVE's events are those of one clean pass."""
    messages = m.read_recording(Path(__file__).parent / "fixtures" / "live.jsonl")
    client = RecordedClient([messages[:12], OSError("connection reset"), messages[8:]])
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    run(client, feed)
    assert client.connects == 3
    clean = Engine(fest)
    clean_feed = Feed(fest, EngineSink(clean), report=lambda problem: None)
    clean_feed.connected(room_of(m.ROOM, "creator", INFO))
    clean_feed.receive_all(messages)
    assert engine.snapshot() == clean.snapshot()
    assert feed.sent == clean_feed.sent


def test_room_owner_and_start_come_from_the_room_info(fest: Fest, engine: Engine) -> None:
    """creator_id is the room owner's id and the stream starts at the room's create time."""
    client = RecordedClient([[m.like(1, 5, 12, 3), m.live_end(2, 10)]])
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    run(client, feed)
    assert feed.mapper is not None
    assert feed.mapper.room == room_of(m.ROOM, "creator", INFO)
    assert feed.mapper.room.creator_id == OWNER
    assert feed.mapper.room.started_at == m.when(-60)


def test_room_without_info_falls_back_to_the_handle() -> None:
    """Without room info the creator is the @handle and the start time is the first message's."""
    room = room_of(m.ROOM, "creator", None)
    assert (room.room_id, room.creator_id, room.started_at) == (ROOM, "creator", None)


@pytest.mark.parametrize(
    "info",
    [{"owner": "someone", "create_time": "yesterday"}, {"owner": None, "create_time": True}, {"create_time": 10**12}],
)
def test_odd_room_info_is_not_used(info: dict[str, Any]) -> None:
    """Room info of an unexpected shape (it comes from the network) falls back to the handle and no start time."""
    assert room_of(m.ROOM, "creator", info) == room_of(m.ROOM, "creator", None)


def test_creator_offline_at_the_start_is_an_error(fest: Fest, engine: Engine) -> None:
    """A creator who is not LIVE when we start: a TikTokAdapterError, nothing applied."""
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    with pytest.raises(TikTokAdapterError, match="the creator is not LIVE now"):
        run(RecordedClient([UserOfflineError()]), feed)
    assert feed.sent == 0


def test_offline_after_a_connection_means_the_live_is_over(fest: Fest, engine: Engine) -> None:
    """A creator found offline on a reconnect: the LIVE is over, following stops without an error."""
    client = RecordedClient([[m.like(1, 5, 12, 3)], UserOfflineError()])
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    run(client, feed)
    assert (client.connects, feed.sent) == (2, 2)


def test_gives_up_after_retries(fest: Fest, engine: Engine) -> None:
    """Failed connections in a row beyond ``retries``: a TikTokAdapterError naming the last failure."""
    client = RecordedClient([OSError("no route to host")] * 4)
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    with pytest.raises(TikTokAdapterError, match="gave up after 3 failed connections: no route to host"):
        run(client, feed, retries=3)
    assert client.connects == 4


class FailingSink:
    """A sink that cannot write, as a store on a full disk."""

    def apply_batch(self, events: Sequence[Event]) -> list[Step]:
        raise OSError("disk full")


def test_a_failing_sink_stops_following(fest: Fest) -> None:
    """When the sink fails, the client is disconnected and the failure is raised by follow."""
    client = RecordedClient([[m.like(1, 5, 12, 3), m.like(2, 6, 12, 3)]])
    feed = Feed(fest, FailingSink(), report=lambda problem: None)
    with pytest.raises(OSError, match="disk full"):
        run(client, feed)
    assert client.disconnected
