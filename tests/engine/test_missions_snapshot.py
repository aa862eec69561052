"""The missions' part of a snapshot: typed instances written field by field, checked on restore."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fests import ev, make_fest, mission, run

from festengine.assembly import Engine
from festengine.engine.core import SNAPSHOT_MAGIC
from festengine.errors import SnapshotError

MANUAL = {"claim": {"mode": "manual", "within": "1h"}, "rewards": [{"badge": "supporter", "tier": "bronze"}]}
FEST = make_fest(
    mission("chat", "comment", 5),
    mission("browse", "product_view", 5, measure={"kind": "distinct", "field": "product_id"}),
    mission("daily", "like", 1, window={"kind": "daily"}, **MANUAL),
)


def _engine() -> Engine:
    engine = Engine(FEST)
    run(
        engine,
        ev("e1", "comment", "2026-03-02T10:00:00Z"),
        ev("e2", "product_view", "2026-03-02T10:01:00Z", product_id="p1"),
        ev("e3", "like", "2026-03-02T10:02:00Z"),
    )
    return engine


def _state(data: bytes) -> Any:
    return json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))


def _packed(state: Any) -> bytes:
    return SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode())


def test_instances_are_written_field_by_field_and_restore_to_the_same_bytes() -> None:
    """Each instance is [mission, window, state, progress, completions, values, pending, met,
    deadline]; an open day's table also lists its completions waiting for a claim."""
    engine = _engine()
    missions = _state(engine.snapshot())["components"]["missions"]
    assert missions["viewers"]["u1"]["i"] == [
        ["chat", "fest", "active", 1, 0, None, None, None, None],
        ["browse", "fest", "active", 1, 0, ["p1"], None, None, None],
    ]
    [[mission_id, window, rows, waiting]] = missions["open"]
    assert (mission_id, window, waiting) == ("daily", "day:2026-03-02", ["u1"])
    deadline = datetime(2026, 3, 2, 11, 2, tzinfo=UTC).timestamp()  # completed at 10:02, an hour to claim
    assert rows == [["u1", "completed", 1, 1, None, None, None, deadline]]
    restored = Engine.restore(FEST, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["viewers"]["u1"]["i"][0].__setitem__(5, ["x"]), "'chat' \\(a count measure\\) has distinct"),
        (lambda m: m["viewers"]["u1"]["i"][1].__setitem__(7, [3]), "'browse' \\(a distinct measure\\) has streak"),
        (lambda m: m["open"][0][3].append("u9"), "viewer 'u9' waits for a claim"),
        (lambda m: m["closed_windows"].append(["daily", "day:2026-03-02"]), "a mission with a fixed window"),
    ],
    ids=["values on a count", "periods on a distinct", "waiting without instance", "closed daily window"],
)
def test_a_restore_refuses_instances_that_do_not_fit_their_mission(change: Any, message: str) -> None:
    """An instance carries only its own measure's fields, a waiting claim has its instance, and only
    fixed windows are recorded as closed."""
    state = _state(_engine().snapshot())
    change(state["components"]["missions"])
    with pytest.raises(SnapshotError, match=message):
        Engine.restore(FEST, _packed(state))
