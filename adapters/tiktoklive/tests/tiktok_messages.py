"""TikTokLive messages built offline, as the client would hand them over (no network).

``parsed(message)`` round-trips a message through its protobuf bytes with ``.parse()``, which is what
the client does with what TikTok sends.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from TikTokLive.proto.custom_proto import ControlAction, ExtendedGift, ExtendedUser
from TikTokLiveProto.v3.webcast.model.message import Contributor
from TikTokLiveProto.v3.webcast.shared.message import CommonMessageData

ROOM = 7_400_000_000_000_000_001
OWNER = 6_900_000_000_000_000_001
START_MS = 1_796_500_800_000  # 2026-12-05T20:00:00Z

#: TikTok's gifts as the test pack knows them: id -> (name, diamond count, type); type 1 streaks.
GIFTS = {5655: ("Rose", 1, 1), 37: ("Panda", 5, 1), 5879: ("Concert", 500, 0), 9999: ("Galaxy", 1000, 0)}


def at(seconds: float) -> int:
    """A message time in milliseconds, ``seconds`` after the LIVE's start in these tests."""
    return START_MS + round(seconds * 1000)


def when(seconds: float) -> datetime:
    return datetime.fromtimestamp(at(seconds) / 1000, UTC)


def common(msg_id: int, seconds: float) -> CommonMessageData:
    return CommonMessageData(msg_id=msg_id, room_id=ROOM, create_time=at(seconds))


def user(user_id: int, handle: str = "") -> ExtendedUser:
    return ExtendedUser(id=user_id, display_id=handle or f"viewer{user_id}")


def gift(
    msg_id: int,
    seconds: float,
    sender: int,
    gift_id: int,
    *,
    repeat_count: int = 1,
    repeat_end: bool = True,
    diamonds: int | None = None,
    to_user: int | None = None,
    group_count: int = 1,
    kind: int | None = None,
) -> GiftEvent:
    name, price, usual_kind = GIFTS[gift_id]
    kind = usual_kind if kind is None else kind
    sent = ExtendedGift(id=gift_id, name=name, diamond_count=price if diamonds is None else diamonds, type=kind)
    extra: dict[str, Any] = {} if to_user is None else {"to_user": user(to_user)}
    return GiftEvent(
        common=common(msg_id, seconds),
        user=user(sender),
        gift=sent,
        gift_id=gift_id,
        repeat_count=repeat_count,
        repeat_end=int(repeat_end),
        group_count=group_count,
        **extra,
    )


def like(msg_id: int, seconds: float, sender: int, count: int) -> LikeEvent:
    return LikeEvent(common=common(msg_id, seconds), user=user(sender), count=count, total=count)


def comment(msg_id: int, seconds: float, sender: int, text: str) -> CommentEvent:
    return CommentEvent(common=common(msg_id, seconds), user=user(sender), content=text)


def join(msg_id: int, seconds: float, viewer: int) -> JoinEvent:
    return JoinEvent(common=common(msg_id, seconds), user=user(viewer), member_count=1)


def follow(msg_id: int, seconds: float, sender: int) -> FollowEvent:
    return FollowEvent(common=common(msg_id, seconds), user=user(sender), action=1, follow_count=1)


def share(msg_id: int, seconds: float, sender: int) -> ShareEvent:
    return ShareEvent(common=common(msg_id, seconds), user=user(sender), action=3, share_count=1)


def viewers(msg_id: int, seconds: float, total: int, top: tuple[int, ...] = ()) -> RoomUserSeqEvent:
    ranks = [Contributor(user=user(viewer), rank=place + 1) for place, viewer in enumerate(top)]
    return RoomUserSeqEvent(common=common(msg_id, seconds), total=total, total_user=total, ranks=ranks)


def live_end(msg_id: int, seconds: float) -> LiveEndEvent:
    return LiveEndEvent(common=common(msg_id, seconds), action=ControlAction.STREAM_ENDED)


#: The message classes a recording may hold, by name.
CLASSES: dict[str, Any] = {
    cls.__name__: cls
    for cls in (
        CommentEvent, FollowEvent, GiftEvent, JoinEvent, LikeEvent, LiveEndEvent, RoomUserSeqEvent, ShareEvent,
    )
}  # fmt: skip


def recording_line(message: Any) -> str:
    """One line of a recording: the message's class and its protobuf bytes in base64."""
    return json.dumps({"class": type(message).__name__, "payload": base64.b64encode(bytes(message)).decode()})


def read_recording(path: Path) -> list[Any]:
    """The messages of a recording, parsed from their protobuf bytes as the client does."""
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        messages.append(CLASSES[entry["class"]]().parse(base64.b64decode(entry["payload"])))
    return messages


def parsed(message: Any) -> Any:
    """The message as the client parses it from TikTok's protobuf bytes."""
    return type(message)().parse(bytes(message))
