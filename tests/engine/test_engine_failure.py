"""``apply`` and ``advance_to`` are all or nothing even against a bug, and the engine's other edges:
times outside the supported range, things that are not events, pickling and copying."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from fests import ev, make_fest, mission, run

import festengine
from festengine import EngineFailedError, FestEngineError, InvalidTimeError
from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.component import Component, Handler, StepContext
from festengine.engine.outcomes import MissionCompleted, MissionProgressed
from festengine.engine.shapes import STR, Shape, row
from festengine.events import Event
from festengine.limits import EARLIEST_TIME, LATEST_TIME
from festengine.sim import workload_events

FEST: Fest = make_fest(
    mission("likes", "like", 3, window={"kind": "daily"}, repeat=5, rewards=[{"points": 2}]),
    mission("gifts", "gift", 1, rewards=[{"badge": "supporter", "tier": "bronze"}]),
)

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"

#: event ids (and timer names) the deliberately failing component raises on; tests fill and empty it
EXPLODE: set[str] = set()


class Bug(Component):
    """A deliberately failing component: after every other handler has changed state, it raises on
    the events named in ``EXPLODE``; on an ``arm`` comment it sets a timer that raises when due."""

    name: ClassVar[str] = "bug"

    def handlers(self) -> Mapping[str, Handler]:
        return {"like": self._on_like, "comment": self._on_comment}

    def _on_like(self, event: Event, ctx: StepContext) -> None:
        if event.event_id in EXPLODE:
            raise RuntimeError(f"bug on {event.event_id}")

    def _on_comment(self, event: Event, ctx: StepContext) -> None:
        if event.text == "arm":
            ctx.schedule(ctx.ts + 3600, self.name, ["bomb"])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        if "bomb" in EXPLODE:
            raise ValueError("bug in a timer")

    def timer_shape(self) -> Shape:
        return row(STR)


class BuggyEngine(Engine):
    """The default engine with the failing component added last."""

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        self._add(Bug(fest))


@pytest.fixture(autouse=True)
def _no_bombs() -> Any:
    EXPLODE.clear()
    yield
    EXPLODE.clear()


def _likes(*ids: str, start: str = "2026-03-02T10:00:00Z") -> list[Event]:
    at = datetime.fromisoformat(start)
    return [ev(i, "like", (at + timedelta(minutes=n)).isoformat()) for n, i in enumerate(ids)]


def test_a_handler_that_raises_fails_the_engine_naming_the_event() -> None:
    """A handler raising is a bug: ``apply`` raises EngineFailedError naming the event, chained to the bug."""
    engine = BuggyEngine(FEST)
    EXPLODE.add("e2")
    engine.apply(_likes("e1")[0])
    with pytest.raises(EngineFailedError, match=r"event 'e2' \(RuntimeError: bug on e2\)") as caught:
        engine.apply(_likes("e2", start="2026-03-02T10:01:00Z")[0])
    assert caught.value.event_id == "e2"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert isinstance(caught.value, FestEngineError)
    assert engine.failed


def test_a_failed_engine_refuses_every_later_call() -> None:
    """After a failure, apply, apply_many, advance_to and snapshot all raise EngineFailedError, chained
    to the original bug, so no one reads or extends a half-applied state."""
    engine = BuggyEngine(FEST)
    EXPLODE.add("e1")
    with pytest.raises(EngineFailedError):
        engine.apply(_likes("e1")[0])
    EXPLODE.clear()
    later = _likes("e9", start="2026-03-02T11:00:00Z")[0]
    calls = [
        lambda: engine.apply(later),
        lambda: engine.apply_many([later]),
        lambda: engine.advance_to(datetime(2026, 3, 3, tzinfo=UTC)),
        engine.snapshot,
        lambda: pickle.dumps(engine),
    ]
    for call in calls:
        with pytest.raises(EngineFailedError, match="refuses every call: restore a snapshot") as caught:
            call()
        assert caught.value.event_id == "e1"
        assert isinstance(caught.value.__cause__, RuntimeError)


def test_restoring_the_last_snapshot_and_reapplying_equals_a_clean_run() -> None:
    """The way back from a failure: restore the last snapshot, apply the events since (the bug fixed),
    and the engine is exactly where a clean run is: same outcomes, same snapshot bytes."""
    events = _likes(*(f"e{n}" for n in range(1, 9)))
    clean = BuggyEngine(FEST)
    clean_steps = run(clean, *events)
    engine = BuggyEngine(FEST)
    run(engine, *events[:3])
    saved = engine.snapshot()
    EXPLODE.add("e6")
    run(engine, *events[3:5])
    with pytest.raises(EngineFailedError):
        engine.apply(events[5])
    EXPLODE.clear()  # the bug is fixed
    restored = BuggyEngine.restore(FEST, saved)
    assert [s.outcomes for s in run(restored, *events[3:])] == [s.outcomes for s in clean_steps[3:]]
    assert restored.snapshot() == clean.snapshot()
    assert not restored.failed


def test_a_timer_that_raises_fails_advance_to_and_apply_alike() -> None:
    """A bug in a timer fails the call that fired it: ``advance_to`` (no event id) or ``apply``."""
    engine = BuggyEngine(FEST)
    engine.apply(ev("c1", "comment", "2026-03-02T10:00:00Z", text="arm"))
    EXPLODE.add("bomb")
    with pytest.raises(EngineFailedError, match=r"applying advance_to \(ValueError: bug in a timer\)") as caught:
        engine.advance_to(datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert caught.value.event_id is None
    other = BuggyEngine(FEST)
    other.apply(ev("c1", "comment", "2026-03-02T10:00:00Z", text="arm"))
    with pytest.raises(EngineFailedError, match="event 'late'"):
        other.apply(ev("late", "like", "2026-03-02T12:00:00Z"))


def test_an_interruption_fails_the_engine_and_propagates_itself() -> None:
    """``KeyboardInterrupt`` inside a handler propagates as itself, and the engine, perhaps half-way, is failed."""

    class Interrupting(Component):
        name: ClassVar[str] = "interrupting"

        def handlers(self) -> Mapping[str, Handler]:
            return {"like": self._stop}

        def _stop(self, event: Event, ctx: StepContext) -> None:
            raise KeyboardInterrupt

    engine = Engine(FEST)
    engine._add(Interrupting(FEST))
    with pytest.raises(KeyboardInterrupt):
        engine.apply(_likes("e1")[0])
    with pytest.raises(EngineFailedError, match="KeyboardInterrupt"):
        engine.snapshot()


def test_refusals_and_duplicates_do_not_fail_the_engine() -> None:
    """Business results are outcomes: a duplicate or a refused event neither raises nor fails the engine."""
    engine = BuggyEngine(FEST)
    event = _likes("e1")[0]
    run(engine, event, event, ev("x", "gift", "2026-03-02T10:00:00Z", gift_id="unicorn"))
    assert not engine.failed


# --------------------------------------------------------------------------- times outside the range


@pytest.mark.parametrize(
    "moment",
    [
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
        LATEST_TIME,
        EARLIEST_TIME - timedelta(microseconds=1),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
    ids=["year 9999", "the latest time itself", "just before the earliest", "year 1"],
)
def test_advance_to_outside_the_supported_range_is_refused_and_changes_nothing(moment: datetime) -> None:
    """``advance_to`` a moment outside [EARLIEST_TIME, LATEST_TIME) raises InvalidTimeError (a
    FestEngineError and a ValueError) and changes nothing; the clock stays readable."""
    engine = Engine(FEST)
    run(engine, *_likes("e1", "e2"))
    before = engine.snapshot()
    with pytest.raises(InvalidTimeError, match="is outside the supported range") as caught:
        engine.advance_to(moment)
    assert isinstance(caught.value, FestEngineError)
    assert isinstance(caught.value, ValueError)
    assert engine.snapshot() == before
    assert engine.clock == datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
    assert not engine.failed


def test_advance_to_needs_an_aware_datetime() -> None:
    """A naive datetime is refused with InvalidTimeError; something else than a datetime with TypeError."""
    engine = Engine(FEST)
    with pytest.raises(InvalidTimeError, match="time-zone aware"):
        engine.advance_to(datetime(2026, 3, 2))  # noqa: DTZ001 - the naive time is the point
    with pytest.raises(TypeError, match="advance_to needs a datetime, not str"):
        engine.advance_to("2026-03-02T00:00:00Z")  # type: ignore[arg-type] - the wrong type is the point


def test_advance_to_the_edges_of_the_range_is_accepted() -> None:
    """The earliest time and the last microsecond before the latest are inside the range."""
    engine = Engine(FEST)
    engine.advance_to(EARLIEST_TIME)
    engine.advance_to(LATEST_TIME - timedelta(microseconds=1))
    assert engine.clock == LATEST_TIME - timedelta(microseconds=1)


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1969, 12, 31, tzinfo=UTC),
    ],
    ids=["year 1", "year 9999", "1969"],
)
def test_an_event_built_directly_outside_the_range_is_rejected(at: datetime) -> None:
    """An ``Event`` built in code (not parsed) with a time outside the supported range is a
    ``Rejected(outside_fest)`` that changes nothing; the engine goes on working."""
    engine = Engine(FEST)
    run(engine, *_likes("e1"))
    before = engine.snapshot()
    step = engine.apply(attrs.evolve(_likes("bad")[0], occurred_at=at))
    assert step.rejected is not None
    assert step.rejected.code == "outside_fest"
    assert engine.snapshot() == before
    assert engine.clock is not None
    assert engine.apply(_likes("e2", start="2026-03-02T10:05:00Z")[0]).accepted


# --------------------------------------------------------------------------- not an event


@pytest.mark.parametrize(
    "thing",
    [
        {"event_id": "e1", "type": "like", "occurred_at": "2026-03-02T10:00:00Z", "user_id": "u1"},
        '{"event_id": "e1"}',
        b'{"event_id": "e1"}',
    ],
    ids=["dict", "json text", "json bytes"],
)
def test_apply_with_a_mapping_or_json_says_to_parse_it_first(thing: Any) -> None:
    """``apply`` takes an ``Event``: a dict or JSON raises TypeError pointing at ``parse_event``."""
    engine = Engine(FEST)
    with pytest.raises(TypeError, match=r"takes an Event, not \w+ \(a mapping or JSON: call festengine.parse_event"):
        engine.apply(thing)
    assert not engine.failed


def test_apply_with_none_is_a_type_error() -> None:
    """Anything else that is not an ``Event`` is a TypeError too, and fails nothing."""
    engine = Engine(FEST)
    with pytest.raises(TypeError, match="takes an Event, not NoneType"):
        engine.apply(None)  # type: ignore[arg-type] - the wrong type is the point
    assert engine.snapshot() == Engine(FEST).snapshot()


# --------------------------------------------------------------------------- pickling, copying, typing


def test_fest_pickles_and_deep_copies() -> None:
    """A ``Fest`` survives pickle and ``deepcopy`` (its read-only tables and compiled filters included):
    the copy is equal and runs the same outcomes."""
    fest = festengine.load_fest(PACK)
    for twin in (pickle.loads(pickle.dumps(fest)), copy.deepcopy(fest), copy.copy(fest)):  # noqa: S301 - our own bytes
        assert twin == fest
        assert twin.fingerprint == fest.fingerprint
        assert type(twin.missions).__name__ == "mappingproxy"
    assert [m for m in fest.missions.values() if m.counts.predicate is not None]  # filters are compiled again
    feed = list(workload_events(fest, viewers=20, creators=3, events=400, seed=5, days=2, streams=True))
    twin = pickle.loads(pickle.dumps(fest))  # noqa: S301 - our own bytes
    original, copied = Engine(fest), Engine(twin)
    assert [original.apply(e).outcomes for e in feed] == [copied.apply(e).outcomes for e in feed]


def test_engine_pickles_and_deep_copies_through_its_snapshot() -> None:
    """An ``Engine`` pickles and copies as its fest and a snapshot: the copy is in the same state and
    continues the same way, and the original is untouched by what the copy does."""
    fest = festengine.load_fest(PACK)
    engine = Engine(fest)
    first = [
        ev("e1", "like", "2026-06-16T18:00:00Z"),
        ev("e2", "follow", "2026-06-16T18:01:00Z"),
    ]
    run(engine, *first)
    before = engine.snapshot()
    for twin in (pickle.loads(pickle.dumps(engine)), copy.deepcopy(engine)):  # noqa: S301 - our own bytes
        assert twin.snapshot() == before
        later = ev("e3", "like", "2026-06-16T18:02:00Z")
        assert twin.apply(later).outcomes == copy.deepcopy(engine).apply(later).outcomes
        assert engine.snapshot() == before


def test_step_of_returns_the_outcomes_of_the_kind_asked() -> None:
    """``Step.of(kind)`` returns those outcomes, in order (and is typed ``list[kind]`` for mypy)."""
    engine = Engine(FEST)
    steps = run(engine, *_likes("e1", "e2", "e3"))
    progressed: list[MissionProgressed] = steps[2].of(MissionProgressed)
    completed: list[MissionCompleted] = steps[2].of(MissionCompleted)
    assert [o.progress for o in progressed] == [3]
    assert [o.mission_id for o in completed] == ["likes"]
