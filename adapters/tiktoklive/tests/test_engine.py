"""Mapped events through an engine: streaks counted once, duplicates, and a recorded LIVE replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from festengine import Engine, Fest, Step
from festengine.engine.outcomes import Duplicate, MissionCompleted, MissionProgressed

import tiktok_messages as m
from festengine_tiktoklive import EngineSink, Feed, Mapper, MappingProblem, Room

RECORDING = Path(__file__).parent / "fixtures" / "live.jsonl"
ROOM, OWNER = str(m.ROOM), str(m.OWNER)


def apply(mapper: Mapper, engine: Engine, messages: list[Any]) -> list[Step]:
    """Every message mapped and applied directly, without the feed's memory of recent ids."""
    return [engine.apply(event) for message in messages for event in mapper.map(message).events]


def progress(steps: list[Step], mission_id: str, subject: str) -> int | None:
    """The last progress reported for a mission and subject."""
    found = [
        o.progress
        for s in steps
        for o in s.outcomes
        if isinstance(o, MissionProgressed) and (o.mission_id, o.subject) == (mission_id, subject)
    ]
    return int(found[-1]) if found else None


def completed(steps: list[Step]) -> set[tuple[str, str]]:
    return {(o.subject, o.mission_id) for s in steps for o in s.outcomes if isinstance(o, MissionCompleted)}


def test_gift_streak_is_counted_once(mapper: Mapper, engine: Engine) -> None:
    """A streak of 6 Roses arrives as repeat_count 1, 3, 6 (the last with repeat_end): 6 Roses and 6 coins."""
    steps = apply(
        mapper,
        engine,
        [
            m.gift(1, 10, 11, 5655, repeat_count=1, repeat_end=False),
            m.gift(2, 11, 11, 5655, repeat_count=3, repeat_end=False),
            m.gift(3, 12, 11, 5655, repeat_count=6, repeat_end=True),
        ],
    )
    assert progress(steps, "ten_roses", "11") == 6
    assert progress(steps, "gift_100_coins", "11") == 6


def test_single_streakable_gift_is_counted_once(mapper: Mapper, engine: Engine) -> None:
    """A streakable gift sent once arrives twice (without, then with repeat_end): one Rose."""
    steps = apply(
        mapper,
        engine,
        [m.gift(1, 10, 11, 5655, repeat_end=False), m.gift(2, 10.5, 11, 5655, repeat_end=True)],
    )
    assert progress(steps, "ten_roses", "11") == 1


def test_redelivered_messages_are_duplicates_in_the_engine(mapper: Mapper, engine: Engine, fest: Fest) -> None:
    """The same messages delivered again (a reconnect) map to the same event ids: the engine reports
    Duplicate and its state does not change, even through a new mapper (a restarted process)."""
    messages = [m.gift(1, 10, 11, 5655, repeat_count=2, repeat_end=True), m.comment(2, 11, 11, "hi")]
    apply(mapper, engine, messages)
    before = engine.snapshot()
    again = apply(Mapper(fest, Room(ROOM, OWNER)), engine, messages)
    assert again
    assert all(step.duplicate for step in again)
    assert engine.snapshot() == before


def test_feed_hands_each_event_to_the_sink_once(fest: Fest, engine: Engine, room: Room) -> None:
    """A feed drops events it handed to its sink recently: a re-delivered message reaches no sink."""
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    feed.connected(room)
    message = m.like(1, 10, 12, 5)
    first = feed.receive(message)
    assert [s.event_id for s in first] == [f"tiktok-{ROOM}-start", "tiktok-1"]
    assert feed.receive(m.parsed(message)) == []
    assert feed.sent == 2


def test_feed_keeps_its_mapper_on_a_reconnect_and_starts_a_new_one_for_a_new_room(fest: Fest, engine: Engine) -> None:
    """Connecting to the same room again keeps the mapper; another room (a new LIVE) gets its own."""
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    feed.connected(Room(ROOM, OWNER))
    mapper = feed.mapper
    feed.connected(Room(ROOM, OWNER))
    assert feed.mapper is mapper
    feed.connected(Room("other", OWNER))
    assert feed.mapper is not mapper


def test_feed_before_connect_is_a_misuse(fest: Fest, engine: Engine) -> None:
    """Messages come after the client connected; before that the feed has no room to map them to."""
    feed = Feed(fest, EngineSink(engine), report=lambda problem: None)
    with pytest.raises(RuntimeError, match=r"before Feed\.connected"):
        feed.receive(m.like(1, 10, 12, 5))


def replay(fest: Fest, engine: Engine) -> tuple[list[Step], list[MappingProblem]]:
    problems: list[MappingProblem] = []
    feed = Feed(fest, EngineSink(engine), report=problems.append)
    feed.connected(Room(ROOM, OWNER))
    return feed.receive_all(m.read_recording(RECORDING)), problems


def test_recorded_live_replayed(fest: Fest, engine: Engine) -> None:
    """A recorded LIVE (protobuf messages, a streak delivered twice, an unknown gift, viewer ticks, the end)
    replayed into an engine: the missions each viewer completed, watch time per viewer, and one problem."""
    steps, problems = replay(fest, engine)
    assert not any(o for s in steps for o in s.outcomes if isinstance(o, Duplicate))
    assert [(p.code, p.message_id) for p in problems] == [("unknown_gift", "1012")]
    assert completed(steps) == {
        ("11", "ten_roses"),  # 6 + 4 Roses, the replayed streak not counted again
        ("11", "three_comments"),
        ("11", "watch_5_minutes"),  # present from 0 s to the end at 610 s (ticks list them)
        ("12", "gift_100_coins"),  # a Concert, 500 coins
        ("12", "like_50"),  # 30 + 25 likes
        ("12", "follow_once"),
        ("12", "share_once"),
        ("12", "watch_5_minutes"),  # last seen at 95 s: credited until 395 s
        ("13", "watch_5_minutes"),  # in the room from 80 s, though their gift was unknown
    }
    assert progress(steps, "gift_100_coins", "11") == 10
    assert engine.badges("11") == {"fan": "bronze"}


def test_recorded_live_watch_seconds(fest: Fest, room: Room) -> None:
    """Watch time of the recorded LIVE per viewer, from joins, activity and ticks, cut at the end (610 s)."""
    mapper = Mapper(fest, room)
    events = [e for message in m.read_recording(RECORDING) for e in mapper.map(message).events]
    seconds: dict[str, int] = {}
    for event in events:
        if event.type == "view":
            seconds[event.user_id] = seconds.get(event.user_id, 0) + (event.seconds or 0)
    assert seconds == {"11": 610, "12": 390, "13": 300}
    assert events[0].type == "stream_started"
    assert events[-1].type == "stream_ended"


def test_recorded_live_replayed_twice_changes_nothing(fest: Fest, engine: Engine) -> None:
    """The whole recording replayed again (a restarted process, same store): every event is a Duplicate."""
    replay(fest, engine)
    before = engine.snapshot()
    steps, _ = replay(fest, engine)
    assert steps
    assert all(step.duplicate for step in steps)
    assert engine.snapshot() == before
