"""The mapping of each TikTokLive message onto the wire format, and what it refuses to guess."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from festengine import Event, Fest, event_to_dict
from TikTokLive.events import ControlEvent, LikeEvent, LiveEndEvent, LivePauseEvent
from TikTokLive.proto.custom_proto import ControlAction

import tiktok_messages as m
from festengine_tiktoklive import Mapper, Room, gift_table

ROOM, OWNER = str(m.ROOM), str(m.OWNER)
BUILT: dict[str, Callable[[Any], Any]] = {"built": lambda message: message, "parsed": m.parsed}


def only(mapper: Mapper, message: Any) -> Event:
    """The one event of a message (after the stream's start, which the first message brings)."""
    mapper.map(m.join(1, 0, 99))
    mapped = mapper.map(message)
    assert mapped.problems == ()
    assert len(mapped.events) == 1, mapped.events
    return mapped.events[0]


def wire(event: Event) -> dict[str, Any]:
    return event_to_dict(event)


@pytest.fixture(params=list(BUILT))
def form(request: pytest.FixtureRequest) -> Callable[[Any], Any]:
    """Each message is checked as built in memory and as parsed from its protobuf bytes."""
    return BUILT[request.param]


def test_first_message_starts_the_stream(mapper: Mapper) -> None:
    """The first message of a room brings a stream_started at its own time, with a stable id per room."""
    mapped = mapper.map(m.join(1001, 2.5, 11))
    assert [wire(e) for e in mapped.events] == [
        {
            "event_id": f"tiktok-{ROOM}-start",
            "type": "stream_started",
            "occurred_at": "2026-12-05T20:00:02.500000Z",
            "user_id": OWNER,
            "creator_id": OWNER,
            "stream_id": ROOM,
        }
    ]
    assert mapper.map(m.join(1002, 3, 12)).events == ()


def test_stream_starts_at_the_rooms_start_time_when_known(fest: Fest) -> None:
    """With the room's start time (from the room info), stream_started carries it, not the first message's."""
    started = datetime(2026, 12, 5, 19, 58, tzinfo=UTC)
    mapper = Mapper(fest, Room(ROOM, OWNER, started))
    (event,) = mapper.map(m.join(1001, 2, 11)).events
    assert event.occurred_at == started


def test_gift(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """A gift: id from the message id, time in milliseconds, sender's id, room, owner, catalogue id, streak fields."""
    message = form(m.gift(2001, 12.345, 11, 5655, repeat_count=3, repeat_end=False))
    assert wire(only(mapper, message)) == {
        "event_id": "tiktok-2001",
        "type": "gift",
        "occurred_at": "2026-12-05T20:00:12.345000Z",
        "user_id": "11",
        "creator_id": OWNER,
        "stream_id": ROOM,
        "gift_id": "rose",
        "count": 1,
        "repeat_count": 3,
        "repeat_end": False,
    }


def test_gift_to_a_guest_is_the_guests(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """In a multi-guest room a gift names its recipient (to_user): that guest is the creator_id."""
    event = only(mapper, form(m.gift(2002, 5, 11, 37, to_user=424242)))
    assert (event.creator_id, event.gift_id) == ("424242", "panda")


def test_gift_group_count_multiplies(mapper: Mapper) -> None:
    """A message sending a group of gifts at once maps its group_count to count."""
    assert only(mapper, m.gift(2003, 5, 11, 5879, group_count=3)).count == 3


def test_gift_tiktok_does_not_streak_is_complete(mapper: Mapper) -> None:
    """A gift TikTok does not streak (type 0) is a whole send in each message, even with repeat_end 0,
    so a streakable catalogue gift does not wait for an end that never comes."""
    event = only(mapper, m.gift(2004, 5, 11, 5655, repeat_end=False, kind=0))
    assert event.repeat_end is True


def test_like(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """A like message maps to a like with the message's count."""
    event = only(mapper, form(m.like(2005, 7, 12, 15)))
    assert (event.event_id, event.type, event.user_id, event.count) == ("tiktok-2005", "like", "12", 15)


def test_comment(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """A comment maps to a comment with its content as written."""
    event = only(mapper, form(m.comment(2006, 8, 12, "where can I buy this? 🌹")))
    assert (event.type, event.text) == ("comment", "where can I buy this? 🌹")


def test_long_comment_is_cut_to_the_wire_limit(mapper: Mapper) -> None:
    """A comment longer than the wire format's 2,000 characters is cut to them, not dropped."""
    event = only(mapper, m.comment(2007, 8, 12, "x" * 2_500))
    assert event.text == "x" * 2_000


def test_follow(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """A follow message maps to a follow of the room's owner in this stream."""
    event = only(mapper, form(m.follow(2008, 9, 13)))
    assert (event.type, event.user_id, event.creator_id, event.stream_id) == ("follow", "13", OWNER, ROOM)


def test_share(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """A share message maps to a share."""
    assert only(mapper, form(m.share(2009, 9, 13))).type == "share"


def test_join_and_viewer_ticks_map_to_no_event_of_their_own(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """Joins and viewer-count ticks only feed watch time: alone, within one slot, they add no event."""
    mapper.map(m.join(1, 0, 99))
    assert mapper.map(form(m.join(2010, 1, 11))).events == ()
    assert mapper.map(form(m.viewers(2011, 2, 40, (11, 12)))).events == ()


def test_live_end(mapper: Mapper, form: Callable[[Any], Any]) -> None:
    """The live-end message ends the stream, with a stable id per room, after the last watch time."""
    mapper.map(m.join(1, 0, 11))
    events = mapper.map(form(m.live_end(2012, 90))).events
    assert [(e.type, e.event_id) for e in events] == [
        ("view", f"tiktok-{ROOM}-watch-11-{m.START_MS // 1000}"),
        ("view", f"tiktok-{ROOM}-watch-11-{m.START_MS // 1000 + 60}"),
        ("stream_ended", f"tiktok-{ROOM}-end"),
    ]
    assert events[-1].occurred_at == m.when(90)


def test_live_end_without_a_time_ends_at_the_newest_message(mapper: Mapper) -> None:
    """A live-end message without its time ends the stream as of the newest message seen; before any
    message there is nothing to end."""
    assert mapper.map(LiveEndEvent(action=ControlAction.STREAM_ENDED)).events == ()
    mapper.map(m.like(1, 30, 12, 1))
    events = mapper.map(LiveEndEvent(action=ControlAction.STREAM_ENDED)).events
    assert (events[-1].type, events[-1].occurred_at) == ("stream_ended", m.when(30))


def test_other_messages_map_to_nothing(mapper: Mapper) -> None:
    """Messages the adapter does not map (a pause, a bare control message) add no event and no problem."""
    control = ControlEvent(common=m.common(3001, 1), action=ControlAction.STREAM_PAUSED)
    pause = LivePauseEvent(common=m.common(3002, 1), action=ControlAction.STREAM_PAUSED)
    assert mapper.map(control).events == mapper.map(pause).events == ()
    assert mapper.map(object()).problems == ()


def test_unknown_gift_is_reported(mapper: Mapper) -> None:
    """A TikTok gift id that no catalogue gift has is reported (id and name), and adds no gift event."""
    mapped = mapper.map(m.gift(4001, 5, 13, 9999))
    assert [e.type for e in mapped.events] == ["stream_started"]
    (problem,) = mapped.problems
    assert (problem.code, problem.message_id) == ("unknown_gift", "4001")
    assert problem.reason == "TikTok gift 9999 (Galaxy) has no gift with that tiktok_gift_id"


def test_coins_mismatch_is_reported(mapper: Mapper) -> None:
    """A message whose diamond count differs from the catalogue's coins is reported, not applied at either price."""
    mapped = mapper.map(m.gift(4002, 5, 13, 37, diamonds=7))
    assert [e.type for e in mapped.events] == ["stream_started"]
    (problem,) = mapped.problems
    assert problem.code == "coins_mismatch"
    assert problem.reason == (
        "TikTok gift 37 (Panda) costs 7 coins, but gift 'panda' of the catalogue costs 5; "
        "fix the catalogue or its tiktok_gift_id"
    )


def test_streak_mismatch_is_reported(mapper: Mapper) -> None:
    """A gift TikTok streaks but the catalogue does not is reported: every event of its streaks would count."""
    (problem,) = mapper.map(m.gift(4003, 5, 13, 5879, kind=1)).problems
    assert problem.code == "streak_mismatch"
    assert "gift 'concert' is not streakable in the catalogue" in problem.reason


def test_message_without_sender_is_reported(mapper: Mapper) -> None:
    """A message without its sender's id is reported as incomplete and adds no event of its own."""
    message = m.like(4004, 5, 12, 3)
    message.user = None
    (problem,) = mapper.map(message).problems
    assert (problem.code, problem.reason) == ("incomplete", "the message names no sender (user.id)")


def test_message_without_id_or_time_is_reported(mapper: Mapper) -> None:
    """A message without its common part (id, time) maps to nothing, not even the stream's start."""
    mapped = mapper.map(LikeEvent(user=m.user(12), count=3))
    assert mapped.events == ()
    assert [p.code for p in mapped.problems] == ["incomplete"]


@pytest.mark.parametrize("create_time", [-5, 4_102_444_800_000, 2**63 - 1])
def test_message_time_out_of_range_is_reported(mapper: Mapper, create_time: int) -> None:
    """A create time festengine cannot compute with (before 1970, from 2100 on) is reported, not an exception."""
    message = m.like(4006, 5, 12, 3)
    message.common.create_time = create_time
    mapped = mapper.map(message)
    assert mapped.events == ()
    assert [(p.code, p.reason) for p in mapped.problems] == [
        ("incomplete", f"create_time {create_time} is not a time in milliseconds between 1970 and 2100")
    ]


def test_event_the_wire_format_refuses_is_reported(fest: Fest) -> None:
    """An event the wire format refuses (here an id longer than 200 characters) is reported as malformed."""
    mapper = Mapper(fest, Room("r" * 201, OWNER))
    mapped = mapper.map(m.like(4005, 5, 12, 3))
    assert {p.code for p in mapped.problems} == {"malformed"}
    assert "stream_id" in mapped.problems[0].reason


def test_gift_table(fest: Fest) -> None:
    """The catalogue's gifts by TikTok id; a gift without tiktok_gift_id cannot be reached from TikTok."""
    assert {k: g.id for k, g in gift_table(fest).items()} == {5655: "rose", 37: "panda", 5879: "concert"}
