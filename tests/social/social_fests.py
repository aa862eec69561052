"""In-memory fests and event helpers for the social tests, written like a designer would write them.

The fest runs three weeks of June 2026 in Los Angeles (daylight time, UTC-7 throughout), so a
fest day starts at 07:00 UTC. ``at(day, "18:00")`` is a local time on 2026-06-<day>.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.engine.core import Step
from festengine.engine.outcomes import Outcome
from festengine.events import Event, parse_event
from festengine.social.component import Social

BASE: dict[str, Any] = {
    "fest": {
        "id": "social-fest",
        "name": "Social Fest",
        "timezone": "America/Los_Angeles",
        "starts_at": "2026-06-01T00:00:00-07:00",
        "ends_at": "2026-06-22T00:00:00-07:00",
        "allowed_lateness": "10m",
    },
    "economy": {
        "currency": "USD",
        "coin_value": {"app": "0.0143"},
        "default_channel": "app",
        "split": {"creator": "0.50", "platform": "0.50"},
        "gifts": [
            {"id": "rose", "name": "Rose", "coins": 1, "streakable": True},
            {"id": "heart_me", "name": "Heart Me", "coins": 1},
            {"id": "panda", "name": "Panda", "coins": 5, "streakable": True},
            {"id": "concert", "name": "Concert", "coins": 500},
        ],
        "budgets": [{"id": "pool", "amount": "100.00"}],
    },
    "badges": [
        {"id": "fan", "name": "Fan", "tiers": ["member", "devoted", "superfan"]},
        {"id": "traveller", "name": "Traveller", "tiers": ["finisher"]},
        {"id": "crew", "name": "Crew", "tiers": ["crew"]},
    ],
    "fan_club": {
        "join_gift": "heart_me",
        "pause_after_days": 7,
        "levels": [
            {"level": 1, "points": 0, "badge": {"badge": "fan", "tier": "member"}},
            {"level": 2, "points": 20},
            {"level": 3, "points": 50, "badge": {"badge": "fan", "tier": "devoted"}},
            {"level": 4, "points": 100, "badge": {"badge": "fan", "tier": "superfan"}},
        ],
        "tasks": [
            {"id": "comments", "counts": {"event": "comment"}, "points": 2, "daily_cap": 10},
            {"id": "watch", "counts": {"event": "view"}, "points": 1, "per": {"field": "seconds", "amount": 60},
             "daily_cap": 5},
            {"id": "coins", "counts": {"event": "gift"}, "points": 1, "per": {"field": "coins", "amount": 1}},
            {"id": "likes", "counts": {"event": "like"}, "points": 1, "per": {"field": "count", "amount": 10}},
        ],
    },
    "scoring": {
        "rules": [
            {"id": "likes", "counts": {"event": "like"}, "points": 1, "per": {"field": "count", "amount": 1},
             "daily_cap": 100},
            {"id": "coins", "counts": {"event": "gift"}, "points": 2, "per": {"field": "coins", "amount": 1}},
            {"id": "shares", "counts": {"event": "share"}, "points": 10, "daily_cap": 20},
        ],
        "multipliers": [{"from_time": "20:00", "to_time": "20:59", "factor": "2", "timezone": "UTC"}],
    },
    "leaderboards": [
        {"id": "gifters", "title": "Top gifters", "ranks": "viewers", "by": "gift_coins"},
        {"id": "fans", "title": "Top fans", "ranks": "viewers", "by": "gift_coins", "scope": "creator", "size": 3},
        {"id": "room", "title": "In this LIVE", "ranks": "viewers", "by": "gift_coins", "scope": "stream"},
        {"id": "gifters_today", "title": "Gifters today", "ranks": "viewers", "by": "gift_coins",
         "period": "daily"},
        {"id": "creators", "title": "Creators", "ranks": "creators", "by": "points"},
        {"id": "creators_today", "title": "Creators today", "ranks": "creators", "by": "points",
         "period": "daily"},
        {"id": "sellers", "title": "Sellers", "ranks": "creators", "by": "gmv"},
        {"id": "earned", "title": "Mission points", "ranks": "viewers", "by": "points"},
        {"id": "receivers", "title": "Most gifted", "ranks": "creators", "by": "gift_coins"},
    ],
    "missions": [],
}  # fmt: skip


def make_fest(*missions: dict[str, Any], **sections: Any) -> Fest:
    """A fest with the given missions (and any top-level section replaced; ``None`` removes it)."""
    data = copy.deepcopy(BASE)
    data["missions"] = list(missions)
    for key, value in sections.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return compile_fest(FestSpec.model_validate(data))


def mission(mission_id: str, event: str, target: int | str, **extra: Any) -> dict[str, Any]:
    """A mission as a designer writes it (a viewer mission unless ``subject`` is given)."""
    return {"id": mission_id, "title": mission_id.replace("_", " "), "counts": {"event": event},
            "target": target, **extra}  # fmt: skip


def at(day: int, clock: str) -> str:
    """A local time of the fest (Los Angeles, UTC-7 in June): ``at(3, "18:00")``."""
    if clock.count(":") == 1:
        clock += ":00"
    return f"2026-06-{day:02d}T{clock}-07:00"


_IDS = itertools.count(1)
_STREAM_TYPES = frozenset({"stream_started", "stream_ended", "view", "like", "comment", "share", "gift"})
_CREATOR_TYPES = frozenset({"follow", "fan_club_join", "link_click"})


def ev(kind: str, when: str, user: str = "u1", **fields: Any) -> Event:
    """A parsed event with a fresh id; creator ``c1`` and stream ``s1`` unless given."""
    data: dict[str, Any] = {"event_id": f"e{next(_IDS)}", "type": kind, "occurred_at": when, "user_id": user}
    if kind in _STREAM_TYPES:
        data.update(creator_id="c1", stream_id="s1")
    elif kind in _CREATOR_TYPES:
        data["creator_id"] = "c1"
    if kind == "view":
        data["seconds"] = 60
    elif kind == "comment":
        data["text"] = "hi"
    elif kind == "gift":
        data["gift_id"] = "concert"
    elif kind in ("link_click", "product_view"):
        data["product_id"] = "p1"
    elif kind == "purchase":
        data.update(order_id=f"o{data['event_id']}", product_id="p1", price="10.00", currency="USD")
    data.update(fields)
    return parse_event(data)


def run(engine: Engine, *events: Event) -> list[Step]:
    """Apply the events in order; every step."""
    return [engine.apply(event) for event in events]


def of(steps: Step | list[Step], kind: type[Outcome]) -> list[Any]:
    """The outcomes of one type over one step or several, in order."""
    if isinstance(steps, Step):
        steps = [steps]
    return [outcome for step in steps for outcome in step.outcomes if isinstance(outcome, kind)]


def social(engine: Engine) -> Social:
    """The engine's social component."""
    component = engine.components["social"]
    assert isinstance(component, Social)
    return component
