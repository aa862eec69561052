"""Small in-memory fests for engine tests, built like a designer would write them."""

from __future__ import annotations

import copy
from typing import Any

from festengine.assembly import Engine
from festengine.catalog.compile import compile_fest
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.engine.core import Step
from festengine.engine.outcomes import Outcome
from festengine.events import Event, parse_event

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


# --------------------------------------------------------------------------- events and runs

#: The fest's zone: 2026-03-08 is the US spring-forward day (23 hours long).
LA = "America/Los_Angeles"

#: Event types whose wire format needs a creator and a stream; ``ev`` fills in ``c1``/``s1``.
_STREAM_TYPES = frozenset({"stream_started", "stream_ended", "view", "like", "comment", "share", "gift"})
_CREATOR_TYPES = frozenset({"follow", "fan_club_join", "link_click"})


def ev(event_id: str, kind: str, at: str, user: str = "u1", **fields: Any) -> Event:
    """A parsed event: ``ev("e1", "like", "2026-03-02T10:00:00Z")`` (creator ``c1``, stream ``s1`` by default)."""
    data: dict[str, Any] = {"event_id": event_id, "type": kind, "occurred_at": at, "user_id": user}
    if kind in _STREAM_TYPES:
        data.update(creator_id="c1", stream_id="s1")
    elif kind in _CREATOR_TYPES:
        data["creator_id"] = "c1"
    if kind == "view":
        data["seconds"] = 60
    elif kind == "comment":
        data["text"] = "hi"
    elif kind == "gift":
        data["gift_id"] = "lion"
    elif kind in ("link_click", "product_view"):
        data["product_id"] = "p1"
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


def progress_of(engine: Engine, user: str, mission_id: str, window: str | None = None) -> Any:
    """A viewer's progress at one mission (in one window, or the only row shown)."""
    rows = [row for row in engine.missions(user) if row.mission_id == mission_id]
    if window is not None:
        rows = [row for row in rows if row.window == window]
    assert len(rows) == 1, rows
    return rows[0]


def fest_section(**changes: Any) -> dict[str, Any]:
    """The base ``fest`` section with some keys changed (for ``make_fest(fest=...)``)."""
    section = copy.deepcopy(BASE["fest"])
    section.update(changes)
    return section


def windows_shown(engine: Engine, user: str, mission_id: str) -> list[str | None]:
    """The windows of a viewer's status rows for one mission (``[None]``: not taken part in any kept)."""
    return [row.window for row in engine.missions(user) if row.mission_id == mission_id]
