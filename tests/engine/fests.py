"""Small in-memory fests for engine tests, built like a designer would write them."""

from __future__ import annotations

import copy
from typing import Any

from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec

BASE: dict[str, Any] = {
    "fest": {
        "id": "test-fest",
        "name": "Test Fest",
        "timezone": "America/Los_Angeles",
        "starts_at": "2026-03-01T00:00:00-08:00",
        "ends_at": "2026-03-22T00:00:00-07:00",
        "allowed_lateness": "10m",
        "phases": [
            {"id": "week1", "name": "Week 1", "starts_at": "2026-03-01T00:00:00-08:00",
             "ends_at": "2026-03-08T00:00:00-08:00"},
        ],
    },
    "economy": {
        "currency": "USD",
        "coin_value": {"app": "0.0143", "web": "0.0105"},
        "default_channel": "app",
        "split": {"creator": "0.50", "platform": "0.50"},
        "gifts": [
            {"id": "rose", "name": "Rose", "coins": 1, "streakable": True},
            {"id": "panda", "name": "Panda", "coins": 5, "streakable": True},
            {"id": "lion", "name": "Lion", "coins": 29999},
        ],
        "budgets": [{"id": "rewards", "amount": "100.00"}],
    },
    "badges": [{"id": "supporter", "name": "Supporter", "tiers": ["bronze", "silver", "gold"]}],
    "missions": [],
}  # fmt: skip


def make_fest(*missions: dict[str, Any], **sections: Any) -> Fest:
    """A fest with the given missions (and any top-level section replaced)."""
    data = copy.deepcopy(BASE)
    data["missions"] = list(missions)
    data.update(sections)
    return compile_fest(FestSpec.model_validate(data))


def mission(mission_id: str, event: str, target: int, **extra: Any) -> dict[str, Any]:
    return {"id": mission_id, "title": mission_id.replace("_", " "), "counts": {"event": event},
            "target": target, **extra}  # fmt: skip
