"""A small in-memory fest for the simulator tests, and helpers to fingerprint event streams."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.events import Event, event_to_dict

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"

SPEC: dict[str, Any] = {
    "fest": {
        "id": "sim-fest",
        "name": "Sim Fest",
        "timezone": "Europe/Berlin",
        "starts_at": "2026-10-20T00:00:00+02:00",
        "ends_at": "2026-10-27T00:00:00+01:00",
        "allowed_lateness": "5m",
    },
    "economy": {
        "currency": "EUR",
        "coin_value": {"app": "0.013", "web": "0.010"},
        "default_channel": "app",
        "split": {"creator": "0.50", "platform": "0.50"},
        "gifts": [
            {"id": "rose", "name": "Rose", "coins": 1, "streakable": True},
            {"id": "heart_me", "name": "Heart Me", "coins": 1},
            {"id": "panda", "name": "Panda", "coins": 5, "streakable": True},
            {"id": "concert", "name": "Concert", "coins": 500},
            {"id": "lion", "name": "Lion", "coins": 29999},
        ],
        "budgets": [{"id": "pool", "name": "Pool", "amount": "500.00"}],
    },
    "fan_club": {
        "join_gift": "heart_me",
        "levels": [{"level": 1, "points": 0}, {"level": 2, "points": 30}],
        "tasks": [{"id": "watch", "counts": {"event": "view"}, "points": 1, "per": {"field": "seconds", "amount": 60}}],
    },
    "missions": [
        {"id": "watch_hour", "title": "Watch an hour", "counts": {"event": "view"},
         "measure": {"kind": "sum", "field": "seconds"}, "target": 3600, "window": {"kind": "daily"},
         "claim": {"mode": "manual", "within": "12h"}, "rewards": [{"credit": "0.50", "budget": "pool"}]},
        {"id": "tagged", "title": "Tagged", "counts": {"event": "comment", "where": {"text": {"contains": "#simfest"}}},
         "target": 2},
    ],
    "promotions": [
        {"id": "sale", "title": "Sale", "trigger": {"kind": "schedule", "starts_at": "2026-10-22T18:00:00+02:00",
         "ends_at": "2026-10-22T23:00:00+02:00"}, "discount": {"percent": "10"}, "audience": "everyone"},
    ],
    "commission": {"rules": [{"id": "merch", "kind": "targeted", "match": {"products": ["fest_cap"]}, "rate": "0.2"},
                             {"id": "open", "kind": "open", "rate": "0.1"}]},
}  # fmt: skip


def small_fest() -> Fest:
    """A one-week fest across the end of daylight-saving time in Berlin (25 October 2026)."""
    return compile_fest(FestSpec.model_validate(SPEC))


def fingerprint(events: Iterable[Event]) -> str:
    """SHA-256 of the events' JSON Lines."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(json.dumps(event_to_dict(event), separators=(",", ":")).encode() + b"\n")
    return digest.hexdigest()
