"""The pytest fixtures of festengine's plugin: ``fest_loader`` and ``fest_engine``.

Installing festengine registers the plugin, so any test can ask for these fixtures by name,
without imports or a conftest.py. Run with ``pytest examples/testing``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import festengine

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


def like(event_id: str, count: int, minute: int = 0) -> festengine.Event:
    return festengine.parse_event({
        "event_id": event_id, "type": "like", "occurred_at": f"2026-06-16T03:{minute:02d}:00Z",
        "user_id": "ana", "creator_id": "cora", "stream_id": "cora-1", "count": count,
    })  # fmt: skip


def test_a_hundred_likes_complete_the_daily_like_tapper(
    fest_loader: Callable[..., festengine.Fest], fest_engine: Callable[[festengine.Fest], festengine.Engine]
) -> None:
    """fest_loader(path) compiles a pack; fest_engine(fest) gives a fresh engine for it."""
    engine = fest_engine(fest_loader(PACK))
    engine.apply(like("e1", 50))
    step = engine.apply(like("e2", 50, minute=1))
    completed = [o for o in step.outcomes if o.kind == "mission_completed"]
    assert [o.mission_id for o in completed] == ["daily_like_tapper"]
    assert engine.points("ana") == 5


def test_each_engine_starts_fresh(
    fest_loader: Callable[..., festengine.Fest], fest_engine: Callable[[festengine.Fest], festengine.Engine]
) -> None:
    """Two engines of one fest share nothing: an event applied to one is new to the other."""
    fest = fest_loader(PACK)
    first, second = fest_engine(fest), fest_engine(fest)
    assert first.apply(like("e1", 5)).accepted
    assert second.apply(like("e1", 5)).accepted
    assert first.apply(like("e1", 5)).duplicate
