"""Guards at the engine's edges: fests it cannot run, and wire values that only look right."""

from __future__ import annotations

from typing import Any

import pytest
from fests import make_fest, mission

from festengine import EventParseError, FestEngineError, parse_event
from festengine.assembly import Engine


def test_an_engine_refuses_a_fest_granting_rewards_no_layer_handles() -> None:
    """A reward kind without a handler is refused when the engine is built, not halfway through an event."""
    fest = make_fest(mission("likes", "like", 1, rewards=[{"points": 1}]))
    engine = Engine(fest)
    del engine._routing.reward_handlers["points"]
    with pytest.raises(FestEngineError, match="grants points rewards, but no engine layer handles them"):
        engine._check_reward_handlers()


def _like(**changes: Any) -> dict[str, Any]:
    return {"event_id": "e1", "type": "like", "occurred_at": "2026-03-02T10:00:00Z", "user_id": "u1",
            "creator_id": "c1", "stream_id": "s1", **changes}  # fmt: skip


@pytest.mark.parametrize("source", ["mapping", "json"])
def test_a_boolean_is_not_a_count(source: str) -> None:
    """``count: true`` is refused rather than read as 1, from a mapping and from JSON alike."""
    import json

    data = _like(count=True)
    with pytest.raises(EventParseError, match=r"count: a whole number is needed, but a boolean \(true\) was given"):
        parse_event(data if source == "mapping" else json.dumps(data))


def test_a_number_is_not_a_time() -> None:
    """``occurred_at`` must be text with a time zone; a bare number (Unix seconds?) is refused."""
    with pytest.raises(EventParseError, match="write the time as text"):
        parse_event(_like(occurred_at=1_772_445_600))


def test_repeat_end_must_be_a_boolean() -> None:
    """``repeat_end: 1`` is refused: a streak's end is true or false."""
    gift = {**_like(), "type": "gift", "gift_id": "rose", "repeat_count": 1, "repeat_end": 1}
    with pytest.raises(EventParseError, match="repeat_end"):
        parse_event(gift)
