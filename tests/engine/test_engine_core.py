"""The engine core: idempotency, all-or-nothing rejection, the memory of seen ids, snapshots, outcomes, Step."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fests import ev, make_fest, mission, of, run

from festengine.assembly import Engine
from festengine.engine.core import SNAPSHOT_MAGIC, SNAPSHOT_VERSION, Step
from festengine.engine.outcomes import (
    BadgeAwarded,
    Duplicate,
    MissionCompleted,
    MissionProgressed,
    Outcome,
    PointsAwarded,
    Rejected,
    outcome_to_dict,
)
from festengine.errors import SnapshotError
from festengine.events import Event


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


MISSIONS = (
    mission("likes", "like", 3, window={"kind": "daily"}, rewards=[{"badge": "supporter", "tier": "bronze"}]),
    mission("coins", "gift", 10, measure={"kind": "sum", "field": "coins"}, rewards=[{"points": 5}]),
    mission("claim_me", "share", 1, claim={"mode": "manual", "within": "1h"}),
    mission("chat", "comment", 2, window={"kind": "stream"}),
)


def busy_engine() -> Engine:
    """An engine with some state in every component: windows, a gift streak, a pending claim, timers."""
    engine = Engine(make_fest(*MISSIONS))
    run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z", count=2),
        ev("e2", "gift", "2026-03-02T10:01:00Z", gift_id="rose", repeat_count=2, repeat_end=False),
        ev("e3", "share", "2026-03-02T10:02:00Z"),
        ev("e4", "comment", "2026-03-02T10:03:00Z"),
        ev("e5", "like", "2026-03-02T10:04:00Z", user="u2"),
    )
    return engine


# --------------------------------------------------------------------------- idempotency


def test_a_repeated_event_id_is_a_duplicate_and_changes_nothing() -> None:
    """The same event_id again yields exactly one Duplicate outcome and the snapshot does not change."""
    engine = busy_engine()
    before = engine.snapshot()
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z", count=2))
    assert step.outcomes == (Duplicate("e1"),)
    assert step.duplicate
    assert not step.accepted
    assert step.rejected is None
    assert engine.snapshot() == before


def test_a_duplicate_is_recognised_by_id_alone() -> None:
    """An event with a seen event_id is a Duplicate even if its other fields differ (type, user, an
    earlier time), and changes nothing; a later time is the next test's rule."""
    engine = busy_engine()
    before = engine.snapshot()
    assert engine.apply(ev("e1", "comment", "2026-03-02T10:00:00Z", user="u7")).duplicate
    assert engine.apply(ev("e1", "share", "2026-03-02T09:59:00Z", user="u8")).duplicate
    assert engine.snapshot() == before
    assert engine.apply(ev("e1", "comment", "2026-03-02T10:30:00Z", user="u7")).duplicate


def test_a_rejected_event_is_not_remembered() -> None:
    """A rejected event changes nothing, not even the memory of ids: the same id may later be applied."""
    engine = busy_engine()
    refused = engine.apply(ev("g1", "gift", "2026-03-02T10:05:00Z", gift_id="unicorn"))
    assert refused.rejected is not None
    accepted = engine.apply(ev("g1", "gift", "2026-03-02T10:05:00Z", gift_id="rose"))
    assert accepted.accepted


def test_duplicates_within_the_lateness_are_always_recognised() -> None:
    """An id is remembered at least while an event with its time could still be accepted."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    first = ev("e1", "like", "2026-03-02T10:00:00Z")
    engine.apply(first)
    for minute in range(1, 11):  # the clock moves up to exactly the lateness (10m) past e1
        engine.apply(ev(f"m{minute}", "share", f"2026-03-02T10:{minute:02}:00Z"))
        assert engine.apply(first).duplicate


def test_the_memory_of_seen_ids_is_pruned_only_beyond_the_lateness_horizon() -> None:
    """Ids older than the lateness horizon are forgotten; repeating one is refused as too_late and changes nothing."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    first = ev("e1", "like", "2026-03-02T10:00:00Z")
    engine.apply(first)
    engine.apply(ev("e2", "like", "2026-03-02T10:11:59Z"))
    assert "e1" in engine._seen  # ids are forgotten by whole minutes, with a minute to spare
    engine.apply(ev("e3", "like", "2026-03-02T10:12:00Z"))
    assert "e1" not in engine._seen
    assert {"e2", "e3"} <= set(engine._seen)
    before = engine.snapshot()
    again = engine.apply(first)
    assert again.rejected is not None
    assert again.rejected.code == "too_late"
    assert engine.snapshot() == before


def test_an_id_is_never_forgotten_while_its_event_could_still_be_accepted() -> None:
    """Second by second, an id leaves the memory only once its time is beyond clock - lateness."""
    engine = Engine(make_fest(mission("likes", "like", 100)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:30Z"))
    e1_ts = base = utc("2026-03-02T10:00:30Z").timestamp()
    for second in range(1, 14 * 60):
        at = datetime.fromtimestamp(base + second, UTC).isoformat()
        engine.apply(ev(f"s{second}", "share", at))
        if "e1" not in engine._seen:
            assert e1_ts < base + second - 600
    assert "e1" not in engine._seen


# --------------------------------------------------------------------------- rejected events change nothing


REJECTED: list[tuple[str, Callable[[], Event], str]] = [
    ("before the fest", lambda: ev("x", "like", "2026-03-01T07:59:59Z"), "outside_fest"),
    ("at the fest end", lambda: ev("x", "like", "2026-03-22T07:00:00Z"), "outside_fest"),
    ("too late", lambda: ev("x", "like", "2026-03-02T09:53:59Z"), "too_late"),
    ("unknown gift", lambda: ev("x", "gift", "2026-03-02T10:05:00Z", gift_id="unicorn"), "unknown_gift"),
    ("unknown channel", lambda: ev("x", "gift", "2026-03-02T10:05:00Z", gift_id="rose", channel="tv"),
     "unknown_channel"),
    ("unknown mission", lambda: ev("x", "claim", "2026-03-02T10:05:00Z", mission_id="nope"), "unknown_mission"),
    ("automatic mission", lambda: ev("x", "claim", "2026-03-02T10:05:00Z", mission_id="likes"), "not_claimable"),
    ("nothing to claim", lambda: ev("x", "claim", "2026-03-02T10:05:00Z", mission_id="claim_me", user="u2"),
     "nothing_to_claim"),
    ("claim too late", lambda: ev("x", "claim", "2026-03-02T11:02:01Z", mission_id="claim_me"), "claim_too_late"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "code"), [(m, c) for _, m, c in REJECTED], ids=[n for n, _, _ in REJECTED])
def test_every_rejected_event_leaves_the_snapshot_byte_identical(make: Callable[[], Event], code: str) -> None:
    """A rejected event yields one Rejected outcome with its code and the engine's snapshot stays byte-identical."""
    engine = busy_engine()
    before = engine.snapshot()
    clock = engine.clock
    step = engine.apply(make())
    assert len(step.outcomes) == 1
    assert isinstance(step.outcomes[0], Rejected)
    assert step.rejected is not None
    assert step.rejected.code == code
    assert step.rejected.event_id == "x"
    assert step.rejected.reason
    assert not step.accepted
    assert engine.snapshot() == before
    assert engine.clock == clock


def test_a_rejected_event_does_not_move_the_clock_or_fire_timers() -> None:
    """Even a refused event far in the future leaves windows open: only accepted events move time."""
    engine = busy_engine()
    step = engine.apply(ev("x", "gift", "2026-03-10T00:00:00Z", gift_id="unicorn"))
    assert step.rejected is not None
    assert of(step, Outcome) == [step.rejected]
    assert engine.clock == utc("2026-03-02T10:04:00Z")


# --------------------------------------------------------------------------- snapshots


def test_snapshot_is_versioned_bytes_with_the_fest_fingerprint() -> None:
    """A snapshot starts with the header and carries the version and the fest's fingerprint."""
    engine = busy_engine()
    data = engine.snapshot()
    assert isinstance(data, bytes)
    assert data.startswith(SNAPSHOT_MAGIC)
    state = json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))
    assert state["version"] == SNAPSHOT_VERSION == 6
    assert state["fest"] == engine.fest.fingerprint
    assert len(engine.fest.fingerprint) == 64


def test_restore_gives_the_same_state_and_the_same_future() -> None:
    """Restore then continue equals an uninterrupted run: same outcomes, same snapshot bytes."""
    original = busy_engine()
    restored = Engine.restore(original.fest, original.snapshot())
    assert restored.snapshot() == original.snapshot()
    assert restored.clock == original.clock
    later = [
        ev("e1", "like", "2026-03-02T10:00:00Z"),  # a duplicate: the seen ids are restored
        ev("e6", "like", "2026-03-02T11:00:00Z"),
        ev("e7", "gift", "2026-03-02T11:01:00Z", gift_id="rose", repeat_count=10, repeat_end=True),
        ev("end", "stream_ended", "2026-03-02T11:02:00Z", user="c1"),
        ev("c1", "claim", "2026-03-02T11:02:00Z", mission_id="claim_me"),
        ev("e8", "like", "2026-03-03T12:00:00Z"),
    ]
    assert [s.outcomes for s in run(restored, *later)] == [s.outcomes for s in run(original, *later)]
    assert restored.advance_to(utc("2026-03-05T00:00:00Z")) == original.advance_to(utc("2026-03-05T00:00:00Z"))
    assert restored.snapshot() == original.snapshot()
    assert restored.missions("u1") == original.missions("u1")
    assert restored.badges("u1") == original.badges("u1") == {"supporter": "bronze"}
    assert restored.points("u1") == original.points("u1") == 5


def test_restore_against_a_different_fest_is_a_clear_error() -> None:
    """A snapshot restored with another pack raises SnapshotError saying it belongs to a different fest."""
    data = busy_engine().snapshot()
    other = make_fest(*MISSIONS, badges=[{"id": "supporter", "name": "Fan", "tiers": ["bronze", "silver", "gold"]}])
    with pytest.raises(SnapshotError, match="belongs to a different fest"):
        Engine.restore(other, data)


def test_equal_packs_have_equal_fingerprints() -> None:
    """The fingerprint depends on the pack's content only."""
    assert make_fest(*MISSIONS).fingerprint == make_fest(*MISSIONS).fingerprint
    assert make_fest(*MISSIONS).fingerprint != make_fest(*MISSIONS[:-1]).fingerprint


def _rewrite(data: bytes, change: Callable[[dict[str, Any]], object]) -> bytes:
    state = json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))
    change(state)
    return SNAPSHOT_MAGIC + zlib.compress(json.dumps(state).encode())


_NEXT = SNAPSHOT_VERSION + 1
_OLD = SNAPSHOT_VERSION - 1
CORRUPTIONS: list[tuple[str, Callable[[bytes], Any], str]] = [
    ("empty", lambda d: b"", "not a festengine snapshot"),
    ("not bytes", lambda d: d.decode("latin-1"), "not a festengine snapshot"),
    ("another format", lambda d: b"PK\x03\x04" + d, "not a festengine snapshot"),
    ("garbage body", lambda d: SNAPSHOT_MAGIC + b"garbage", "the snapshot is corrupt"),
    ("truncated", lambda d: d[: len(d) // 2], "the snapshot is corrupt"),
    ("flipped byte", lambda d: d[:-3] + bytes([d[-3] ^ 0xFF]) + d[-2:], "the snapshot is corrupt"),
    ("not JSON", lambda d: SNAPSHOT_MAGIC + zlib.compress(b"{nope"), "the snapshot is corrupt"),
    ("not an object", lambda d: SNAPSHOT_MAGIC + zlib.compress(b"[1, 2]"), "version None is not supported"),
    ("future version", lambda d: _rewrite(d, lambda s: s.update(version=_NEXT)), f"version {_NEXT} is not supported"),
    ("older version", lambda d: _rewrite(d, lambda s: s.update(version=_OLD)), f"version {_OLD} is not supported"),
    ("no clock", lambda d: _rewrite(d, lambda s: s.pop("clock")), "the snapshot is corrupt"),
    ("no component", lambda d: _rewrite(d, lambda s: s["components"].pop("missions")), "the snapshot is corrupt"),
    ("timers mangled", lambda d: _rewrite(d, lambda s: s.update(timers=[[1]])), "the snapshot is corrupt"),
    ("seen mangled", lambda d: _rewrite(d, lambda s: s.update(seen=5)), "the snapshot is corrupt"),
    ("viewers a list", lambda d: _rewrite(d, lambda s: s["components"]["missions"].update(viewers=[])),
     "the snapshot is corrupt"),
    ("profiles a list", lambda d: _rewrite(d, lambda s: s["components"].update(profiles=[])),
     "the snapshot is corrupt"),
    ("bad state name", lambda d: _rewrite(d, lambda s: s["components"]["missions"]["viewers"]["u1"]["i"][0]
                                           .__setitem__(2, "bogus")), "the snapshot is corrupt"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("corrupt", "message"), [(c, m) for _, c, m in CORRUPTIONS], ids=[n for n, _, _ in CORRUPTIONS]
)
def test_a_corrupt_snapshot_raises_snapshot_error(corrupt: Callable[[bytes], Any], message: str) -> None:
    """Any damaged, foreign or future snapshot raises SnapshotError (never another exception)."""
    engine = busy_engine()
    with pytest.raises(SnapshotError, match=message):
        Engine.restore(engine.fest, corrupt(engine.snapshot()))


def test_snapshots_are_deterministic() -> None:
    """Two engines fed the same events produce byte-identical snapshots and equal outcomes."""
    assert busy_engine().snapshot() == busy_engine().snapshot()


def test_an_empty_engine_snapshots_and_restores() -> None:
    """A fresh engine's snapshot restores to a fresh engine."""
    fest = make_fest(*MISSIONS)
    engine = Engine.restore(fest, Engine(fest).snapshot())
    assert engine.clock is None
    assert engine.snapshot() == Engine(fest).snapshot()


# --------------------------------------------------------------------------- outcomes and steps


def test_every_outcome_names_its_causes() -> None:
    """Each outcome carries the event that caused it; mission outcomes their mission; rewards their source."""
    engine = Engine(make_fest(*MISSIONS))
    steps = run(engine, *(ev(f"e{i}", "like", f"2026-03-02T10:0{i}:00Z") for i in range(3)))
    outcomes = [o for s in steps for o in s.outcomes]
    assert outcomes
    for step in steps:
        assert all(o.event_id == step.event_id for o in step.outcomes)
    for outcome in outcomes:
        if hasattr(outcome, "mission_id"):
            assert outcome.mission_id == "likes"
    [badge] = of(steps, BadgeAwarded)
    assert (badge.event_id, badge.source) == ("e2", "likes")


def test_outcome_to_dict_is_json_ready_with_its_kind_first() -> None:
    """outcome_to_dict gives the kind first and plain JSON values (decimals and times as strings)."""
    engine = Engine(make_fest(mission("m", "like", 1, claim={"mode": "manual", "within": "1h"})))
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    [done] = of(step, MissionCompleted)
    data = outcome_to_dict(done)
    assert next(iter(data)) == "kind"
    assert data == {
        "kind": "mission_completed",
        "event_id": "e1",
        "subject": "u1",
        "mission_id": "m",
        "window": "fest",
        "completion": 1,
        "claim_deadline": "2026-03-02T11:00:00Z",
    }
    json.dumps(data)


def test_step_helpers() -> None:
    """Step.accepted/duplicate/rejected/of describe what one apply did."""
    engine = Engine(make_fest(mission("m", "like", 2, rewards=[{"points": 1}])))
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z", count=2))
    assert step.accepted
    assert step.event_id == "e1"
    assert [type(o) for o in step.of(MissionProgressed)] == [MissionProgressed]
    assert step.of(PointsAwarded)[0].total == 1
    assert step.of(Duplicate) == []
    assert Step("e", ()).accepted


def test_apply_many_yields_a_step_per_event_lazily() -> None:
    """apply_many applies events in order, one Step each, only as the iterator is consumed."""
    engine = Engine(make_fest(mission("m", "like", 100)))
    events = [ev(f"e{i}", "like", f"2026-03-02T10:0{i}:00Z") for i in range(3)]
    steps = engine.apply_many(events)
    assert engine.clock is None
    assert [s.event_id for s in steps] == ["e0", "e1", "e2"]
    assert engine.clock == utc("2026-03-02T10:02:00Z")


def test_outcomes_are_frozen() -> None:
    """Outcomes are immutable records."""
    outcome = Duplicate("e1")
    with pytest.raises(AttributeError, match="immutable type: 'Duplicate'"):
        outcome.event_id = "e2"  # type: ignore[misc]


def test_a_duplicate_with_a_later_time_keeps_its_id_remembered_until_that_time_is_too_late() -> None:
    """An id re-sent with a later time is a Duplicate, and is then remembered by that later time: when the
    first time is long forgotten, the later copy is still a Duplicate, never accepted as new."""
    fest = make_fest(mission("likes", "like", 100))  # allowed lateness: 10 minutes
    engine = Engine(fest)
    assert engine.apply(ev("end", "like", "2026-03-02T10:00:00Z")).accepted
    copy = ev("end", "like", "2026-03-02T10:02:00Z")
    assert engine.apply(copy).duplicate
    engine.apply(ev("later", "like", "2026-03-02T10:12:00Z"))  # 10:00 is now beyond the horizon
    before = engine.snapshot()
    assert engine.apply(copy).duplicate  # 10:02 is still inside the lateness: its id is remembered
    assert engine.apply(ev("end", "like", "2026-03-02T10:00:00Z")).duplicate  # by id, before lateness
    assert engine.snapshot() == before
    assert engine.missions("u1")[0].progress == 2  # "end" and "later": the copy never counted


def test_a_duplicate_with_the_same_or_an_earlier_time_changes_nothing() -> None:
    """Re-sending an event (or its id with an earlier time) leaves the snapshot byte-identical."""
    fest = make_fest(mission("likes", "like", 100))
    engine = Engine(fest)
    engine.apply(ev("e1", "like", "2026-03-02T10:05:00Z"))
    before = engine.snapshot()
    assert engine.apply(ev("e1", "like", "2026-03-02T10:05:00Z")).duplicate
    assert engine.apply(ev("e1", "like", "2026-03-02T10:01:00Z")).duplicate
    assert engine.snapshot() == before
