"""A small in-memory fest and event helpers for the analytics and report tests.

The fest runs 1-21 June 2026 in Los Angeles (UTC-7 throughout), so ``at(1, "19:10")`` is 19:10
local on 1 June. A coin is worth exactly 0.01 USD so gift values are easy to count by hand.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from festengine.analytics import AnalyticsResult, FestAnalytics
from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.events import Event, parse_event

BASE: dict[str, Any] = {
    "fest": {
        "id": "analytics-fest",
        "name": "Analytics Fest",
        "timezone": "America/Los_Angeles",
        "starts_at": "2026-06-01T00:00:00-07:00",
        "ends_at": "2026-06-22T00:00:00-07:00",
        "allowed_lateness": "10m",
    },
    "economy": {
        "currency": "USD",
        "coin_value": {"app": "0.01"},
        "default_channel": "app",
        "split": {"creator": "0.50", "platform": "0.50"},
        "gifts": [
            {"id": "rose", "name": "Rose", "coins": 1, "streakable": True},
            {"id": "heart_me", "name": "Heart Me", "coins": 1},
            {"id": "concert", "name": "Concert", "coins": 500},
        ],
        "budgets": [{"id": "pool", "name": "Pool", "amount": "50.00"}],
        "conversions": [
            {"id": "all_fest", "valid_from": "2026-06-01T00:00:00-07:00", "valid_to": "2026-06-22T00:00:00-07:00",
             "viewer_credit_rate": "0.10", "creator_bonus_rate": "0.00", "budget": "pool"},
        ],
    },
    "badges": [{"id": "fan", "name": "Fan", "tiers": ["member", "devoted"]}],
    "fan_club": {
        "join_gift": "heart_me",
        "pause_after_days": 7,
        "levels": [
            {"level": 1, "points": 0, "badge": {"badge": "fan", "tier": "member"}},
            {"level": 2, "points": 10, "badge": {"badge": "fan", "tier": "devoted"}},
        ],
        "tasks": [{"id": "comments", "counts": {"event": "comment"}, "points": 5}],
    },
    "missions": [
        {"id": "chat_twice", "title": "Chat twice", "counts": {"event": "comment"}, "target": 2},
        {"id": "hello", "title": "Say hello", "counts": {"event": "comment"}, "target": 1},
        {"id": "follow_one", "title": "Follow", "counts": {"event": "follow"}, "target": 1},
        {"id": "watch_long", "title": "Watch long", "counts": {"event": "view"}, "measure": {"kind": "sum",
         "field": "seconds"}, "target": 100000, "claim": {"mode": "manual", "within": "24h"},
         "rewards": [{"credit": "1.00", "budget": "pool"}]},
    ],
    "journeys": [
        {"id": "trip", "title": "Trip", "steps": [{"mission": "hello"}, {"mission": "follow_one"}]},
    ],
    "commission": {"rules": [{"id": "all", "kind": "open", "rate": "0.10"}], "settlement_days": 1},
}  # fmt: skip


def make_fest(**sections: Any) -> Fest:
    """The fest, with top-level sections replaced (``None`` removes one)."""
    data = copy.deepcopy(BASE)
    for key, value in sections.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return compile_fest(FestSpec.model_validate(data))


def at(day: int, clock: str) -> str:
    """A local fest time on 2026-06-<day>: ``at(1, "19:10")`` or ``at(1, "19:40:05")``."""
    if clock.count(":") == 1:
        clock += ":00"
    return f"2026-06-{day:02d}T{clock}-07:00"


_IDS = itertools.count(1)
_STREAMED = frozenset({"stream_started", "stream_ended", "view", "like", "comment", "share", "gift", "follow",
                       "fan_club_join", "link_click"})  # fmt: skip


def ev(kind: str, when: str, user: str = "u1", *, event_id: str | None = None, **fields: Any) -> Event:
    """A parsed event with a fresh id; creator ``c1`` and stream ``s1`` unless given."""
    data: dict[str, Any] = {"event_id": event_id or f"a{next(_IDS)}", "type": kind, "occurred_at": when,
                            "user_id": user}  # fmt: skip
    if kind in _STREAMED:
        data.update(creator_id="c1", stream_id="s1")
    data.update(fields)
    return parse_event(data)


def fold(fest: Fest, events: list[Event]) -> AnalyticsResult:
    """Apply the events to a new engine, fold every step, finish."""
    engine = Engine(fest)
    analytics = FestAnalytics(fest)
    for event in events:
        analytics.observe(event, engine.apply(event))
    return analytics.finish()
