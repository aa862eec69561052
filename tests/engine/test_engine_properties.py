"""Properties of the engine on generated event streams: determinism, idempotency, replay, monotone progress."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fests import make_fest, mission
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.engine.core import Step
from festengine.engine.outcomes import (
    BadgeAwarded,
    Duplicate,
    MissionClaimed,
    MissionCompleted,
    MissionExpired,
    MissionProgressed,
    MissionUnlocked,
    Outcome,
    Rejected,
)
from festengine.events import Event, parse_event
from festengine.testing.strategies import events as pack_events

BADGE = "supporter"

#: Every measure and every window kind, with repeats, prerequisites, a manual claim and badge rewards.
FEST: Fest = make_fest(
    mission("likes_daily", "like", 4, window={"kind": "daily"}, repeat=2,
            rewards=[{"badge": BADGE, "tier": "bronze"}, {"points": 2}]),
    mission("watch_weekly", "view", 600, measure={"kind": "sum", "field": "seconds"}, window={"kind": "weekly"},
            rewards=[{"points": 3}]),
    mission("browse", "product_view", 3, measure={"kind": "distinct", "field": "product_id"},
            rewards=[{"badge": BADGE, "tier": "silver"}]),
    mission("habit", "check_in", 2, measure={"kind": "streak", "grace": 1}, rewards=[{"badge": BADGE, "tier": "gold"}]),
    mission("chat_stream", "comment", 1, window={"kind": "stream"}, repeat=3, rewards=[{"points": 1}]),
    mission("coins", "gift", 25, measure={"kind": "sum", "field": "coins"}, repeat=1_000, rewards=[{"points": 5}]),
    mission("gifts_stream", "gift", 4, window={"kind": "stream"}, repeat=100),
    mission("flash", "share", 2, window={"kind": "between", "starts_at": "2026-03-08T06:00:00Z",
                                          "ends_at": "2026-03-08T12:00:00Z"}),
    mission("phase_follow", "follow", 2, window={"kind": "phase", "phase": "week1"}),
    mission("claim_me", "like", 2, window={"kind": "daily"}, repeat=2, claim={"mode": "manual", "within": "30m"},
            rewards=[{"badge": BADGE, "tier": "bronze"}, {"points": 7}]),
    mission("after_likes", "comment", 2, requires={"missions": ["likes_daily"]}, rewards=[{"points": 1}]),
    mission("vip", "share", 1, requires={"badge": {"badge": BADGE, "tier": "silver"}}),
)  # fmt: skip

LATENESS = FEST.allowed_lateness.total_seconds()
#: Streams start here: the last hours of phase week1 and of the between window, then the DST day.
START = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)
USERS = ("u1", "u2")
STREAMS = ("s1", "s2")
GAPS = (0, 1, 30, 120, 600, 1_800, 7_200, 21_600)

SIMPLE = ("like", "view", "product_view", "check_in", "comment", "share", "follow", "gift")
#: what the stream is made of; repeated entries are drawn more often
OPS = (*SIMPLE, "like", "comment", "streak", "claim", "claim", "stream_ended", "late", "late", "duplicate", "bad")


def _fields(draw: st.DrawFn, kind: str, user: str) -> dict[str, Any]:
    stream = draw(st.sampled_from(STREAMS))
    fields: dict[str, Any] = {"type": kind, "user_id": user}
    if kind in ("like", "view", "comment", "share", "gift"):
        fields.update(creator_id="c-" + stream, stream_id=stream)
    if kind == "like":
        fields["count"] = draw(st.integers(min_value=1, max_value=4))
    elif kind == "view":
        fields["seconds"] = draw(st.sampled_from([30, 120, 300]))
    elif kind == "comment":
        fields["text"] = "hi"
    elif kind == "gift":
        fields.update(gift_id=draw(st.sampled_from(["rose", "panda", "lion"])), repeat_count=1, repeat_end=True)
    elif kind == "product_view":
        fields["product_id"] = draw(st.sampled_from(["p1", "p2", "p3", "p4"]))
    elif kind == "follow":
        fields["creator_id"] = "c-" + stream
    return fields


@st.composite
def feeds(draw: st.DrawFn, max_ops: int = 60) -> list[Event]:
    """Time-ordered event streams with some events late (mostly within the lateness), duplicates re-sent,
    gift streaks (ended or not, single streakable gifts as two events), claims, stream ends and refusals."""
    events: list[Event] = []
    now = START
    serial = 0

    def make(fields: dict[str, Any], at: datetime) -> Event:
        nonlocal serial
        serial += 1
        return parse_event({"event_id": f"e{serial}", "occurred_at": at.isoformat(), **fields})

    for op in draw(st.lists(st.sampled_from(OPS), min_size=5, max_size=max_ops)):
        user = draw(st.sampled_from(USERS))
        if op == "duplicate":
            if events:
                events.append(draw(st.sampled_from(events)))
            continue
        gap = st.integers(min_value=0, max_value=600) if op == "claim" else st.sampled_from(GAPS)
        now += timedelta(seconds=draw(gap))
        if op in SIMPLE:
            events.append(make(_fields(draw, op, user), now))
        elif op == "late":
            behind = draw(st.one_of(st.integers(min_value=0, max_value=int(LATENESS)), st.just(int(LATENESS) + 60)))
            kind = draw(st.sampled_from(SIMPLE))
            events.append(make(_fields(draw, kind, user), now - timedelta(seconds=behind)))
        elif op == "streak":
            gift = draw(st.sampled_from(["rose", "panda"]))
            stream = draw(st.sampled_from(STREAMS))
            counts = draw(st.sampled_from([[1, 1], [1, 2, 3], [1, 3, 4, 6], [2, 5]]))
            ended = draw(st.booleans())
            for i, count in enumerate(counts):
                now += timedelta(seconds=draw(st.integers(min_value=0, max_value=5)))
                fields = {"type": "gift", "user_id": user, "creator_id": "c-" + stream, "stream_id": stream,
                          "gift_id": gift, "repeat_count": count,
                          "repeat_end": ended and i == len(counts) - 1}  # fmt: skip
                events.append(make(fields, now))
        elif op == "claim":  # mostly by the viewer who liked last (who may have just completed claim_me)
            likers = [e.user_id for e in events if e.type == "like"]
            claimer = draw(st.sampled_from([likers[-1], user])) if likers else user
            events.append(make({"type": "claim", "user_id": claimer, "mission_id": "claim_me"}, now))
        elif op == "stream_ended":  # mostly of the stream commented on last
            chats = [e.stream_id for e in events if e.type == "comment"]
            stream = draw(st.sampled_from([chats[-1], *STREAMS])) if chats else draw(st.sampled_from(STREAMS))
            events.append(make({"type": "stream_ended", "user_id": "c-" + stream, "creator_id": "c-" + stream,
                                "stream_id": stream}, now))  # fmt: skip
        elif draw(st.booleans()):  # "bad": refused by the engine, an unknown gift...
            fields = {**_fields(draw, "gift", user), "gift_id": "unicorn"}
            events.append(make(fields, now))
        else:  # ... or an event after the fest
            events.append(make(_fields(draw, "like", user), datetime(2026, 4, 1, tzinfo=UTC)))
    return events


def apply_all(engine: Engine, events: Sequence[Event]) -> list[Step]:
    return [engine.apply(event) for event in events]


def outcomes(steps: Sequence[Step]) -> list[tuple[Outcome, ...]]:
    return [step.outcomes for step in steps]


END = datetime(2026, 3, 22, 8, 0, tzinfo=UTC)  # past the fest's end + lateness: every window closes
PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTIES
@given(feeds())
def test_two_runs_give_identical_outcomes_and_snapshots(events: list[Event]) -> None:
    """Determinism: the same fest and events give the same outcomes and byte-identical snapshots."""
    first, second = Engine(FEST), Engine(FEST)
    assert outcomes(apply_all(first, events)) == outcomes(apply_all(second, events))
    assert first.snapshot() == second.snapshot()
    assert first.advance_to(END) == second.advance_to(END)
    assert first.snapshot() == second.snapshot()


@PROPERTIES
@given(feeds(), st.data())
def test_an_event_repeated_anywhere_changes_nothing_but_a_duplicate(events: list[Event], data: st.DataObject) -> None:
    """Idempotency: re-sending an applied event at any later point yields Duplicate and changes nothing else."""
    baseline = Engine(FEST)
    steps = apply_all(baseline, events)
    accepted = [i for i, step in enumerate(steps) if step.accepted]
    assume(accepted)
    original = data.draw(st.sampled_from(accepted), label="original")
    at = data.draw(st.integers(min_value=original + 1, max_value=len(events)), label="insert at")
    engine = Engine(FEST)
    before = apply_all(engine, events[:at])
    clock = engine.clock
    repeated = engine.apply(events[original])
    after = apply_all(engine, events[at:])
    assert outcomes(before) == outcomes(steps[:at])
    assert outcomes(after) == outcomes(steps[at:])
    _assert_resent(repeated, events[original], clock)
    assert engine.snapshot() == baseline.snapshot()


@PROPERTIES
@given(feeds(), st.data())
def test_every_event_re_sent_changes_nothing(events: list[Event], data: st.DataObject) -> None:
    """Idempotency for all at once: each applied event re-sent at its own random later point changes nothing."""
    baseline = Engine(FEST)
    steps = apply_all(baseline, events)
    resend: dict[int, list[int]] = {}
    for i, step in enumerate(steps):
        if step.accepted:
            at = data.draw(st.integers(min_value=i + 1, max_value=len(events)))
            resend.setdefault(at, []).append(i)
    engine = Engine(FEST)
    for position in range(len(events) + 1):
        for i in resend.get(position, ()):
            clock = engine.clock
            _assert_resent(engine.apply(events[i]), events[i], clock)
        if position < len(events):
            assert engine.apply(events[position]).outcomes == steps[position].outcomes
    assert engine.snapshot() == baseline.snapshot()


def _assert_resent(step: Step, event: Event, clock: datetime | None) -> None:
    """A re-sent applied event is a Duplicate, or (its id forgotten) too late: only beyond the lateness horizon."""
    if step.duplicate:
        return
    assert step.rejected is not None, step
    assert step.rejected.code == "too_late", step
    assert clock is not None
    assert event.occurred_at < clock - FEST.allowed_lateness


@PROPERTIES
@given(feeds())
def test_replay_from_a_snapshot_equals_the_uninterrupted_run(events: list[Event]) -> None:
    """Replay: a snapshot taken at any point, restored and continued, gives the same outcomes and final snapshot."""
    uninterrupted = Engine(FEST)
    steps = apply_all(uninterrupted, events)
    end_step = uninterrupted.advance_to(END)
    final = uninterrupted.snapshot()
    running = Engine(FEST)
    for cut in range(len(events) + 1):
        resumed = Engine.restore(FEST, running.snapshot())
        assert outcomes(apply_all(resumed, events[cut:])) == outcomes(steps[cut:]), cut
        assert resumed.advance_to(END) == end_step
        assert resumed.snapshot() == final
        if cut < len(events):
            running.apply(events[cut])


@PROPERTIES
@given(feeds())
def test_refused_events_leave_the_snapshot_byte_identical(events: list[Event]) -> None:
    """All-or-nothing: every Duplicate or Rejected step leaves the engine's snapshot unchanged."""
    engine = Engine(FEST)
    for event in events:
        before = engine.snapshot()
        step = engine.apply(event)
        if not step.accepted:
            assert len(step.outcomes) == 1
            assert isinstance(step.outcomes[0], Duplicate | Rejected)
            assert engine.snapshot() == before


@PROPERTIES
@given(feeds())
def test_progress_never_decreases_inside_a_window(events: list[Event]) -> None:
    """Per (viewer, mission, window) progress only grows, except that it restarts after a claimed round."""
    engine = Engine(FEST)
    steps = apply_all(engine, events)
    steps.append(engine.advance_to(END))
    last: dict[tuple[str, str, str], Any] = {}
    for outcome in (o for step in steps for o in step.outcomes):
        if isinstance(outcome, MissionProgressed):
            key = (outcome.subject, outcome.mission_id, outcome.window)
            if key in last:
                assert outcome.progress > last[key], (key, last[key], outcome)
            last[key] = outcome.progress
        elif isinstance(outcome, MissionClaimed):
            last.pop((outcome.subject, outcome.mission_id, outcome.window), None)
        elif isinstance(outcome, MissionCompleted):
            key = (outcome.subject, outcome.mission_id, outcome.window)
            assert last[key] >= FEST.missions[outcome.mission_id].target


@PROPERTIES
@given(feeds())
def test_no_badge_tier_is_awarded_twice(events: list[Event]) -> None:
    """Badges: each (viewer, badge) gets strictly rising tiers, never the same tier twice."""
    engine = Engine(FEST)
    awarded: dict[tuple[str, str], list[int]] = {}
    for step in apply_all(engine, events):
        for outcome in step.outcomes:
            if isinstance(outcome, BadgeAwarded):
                tiers = awarded.setdefault((outcome.user_id, outcome.badge_id), [])
                tiers.append(FEST.badges[outcome.badge_id].tier_index(outcome.tier))
    for (user, badge), tiers in awarded.items():
        assert tiers == sorted(set(tiers)), (user, badge, tiers)
        assert engine.badges(user)[badge] == FEST.badges[badge].tiers[tiers[-1]]


def _late_and_counted(events: list[Event], steps: list[Step]) -> bool:
    newest = None
    for event, step in zip(events, steps, strict=True):
        if newest is not None and event.occurred_at < newest and step.of(MissionProgressed):
            return True
        if step.accepted:
            newest = max(newest or event.occurred_at, event.occurred_at)
    return False


REACHABLE: dict[str, Any] = {
    "a duplicate": lambda ev, st: any(s.duplicate for s in st),
    "too late": lambda ev, st: any(s.rejected and s.rejected.code == "too_late" for s in st),
    "outside the fest": lambda ev, st: any(s.rejected and s.rejected.code == "outside_fest" for s in st),
    "a late event counted": _late_and_counted,
    "a streak event adding nothing": lambda ev, st: any(e.type == "gift" and s.accepted and not s.outcomes
                                                        for e, s in zip(ev, st, strict=True)),
    "a manual claim": lambda ev, st: any(s.of(MissionClaimed) and e.type == "claim"
                                         for e, s in zip(ev, st, strict=True)),
    "an unclaimed completion expiring": lambda ev, st: any(o.previous_state == "completed"
                                                           for s in st for o in s.of(MissionExpired)),
    "a stream window closing": lambda ev, st: any(e.type == "stream_ended" and s.accepted
                                                  for e, s in zip(ev, st, strict=True)),
    "a second round": lambda ev, st: any(o.completion == 2 for s in st for o in s.of(MissionCompleted)),
    "an unlock": lambda ev, st: any(s.of(MissionUnlocked) for s in st),
    "the DST day": lambda ev, st: any(o.window == "day:2026-03-08" for s in st for o in s.of(MissionCompleted)),
}  # fmt: skip


class _Reached(Exception):
    """Raised by the probe below once a stream shows the situation looked for."""


@pytest.mark.parametrize("what", list(REACHABLE))
def test_the_strategy_reaches_every_interesting_case(what: str) -> None:
    """The generated streams are not trivial: each interesting situation occurs in some stream."""
    check = REACHABLE[what]

    @settings(max_examples=500, database=None, deadline=None, derandomize=True, phases=[Phase.generate])
    @given(feeds())
    def probe(events: list[Event]) -> None:
        if check(events, apply_all(Engine(FEST), events)):
            raise _Reached

    with pytest.raises(_Reached):
        probe()


# --------------------------------------------------------------------------- the bundled pack

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"


@functools.cache
def bundled() -> Fest:
    """The bundled Community Fest pack (all its layers: missions, economy, social…)."""
    from festengine.catalog.loader import load_fest

    return load_fest(PACK)


def bundled_feed(data: st.DataObject) -> list[Event]:
    """Events for the bundled pack; skips while a layer its rewards need (social: fan-club points…) is missing."""
    fest = bundled()
    kinds = {r.kind for m in fest.missions.values() for r in m.rewards}
    kinds |= {r.kind for j in fest.journeys.values() for r in j.rewards}
    missing = sorted(kinds - set(Engine(fest)._routing.reward_handlers))
    if missing:
        pytest.skip(f"the bundled pack grants {', '.join(missing)} rewards, and no installed layer handles them yet")
    return data.draw(pack_events(fest, max_size=40, users=3, creators=2, duplicates=True, out_of_order=True))


@PROPERTIES
@given(st.data())
def test_bundled_pack_runs_are_deterministic_and_replayable(data: st.DataObject) -> None:
    """On the bundled pack: two runs agree, and a snapshot at any cut restored and continued equals the run."""
    events = bundled_feed(data)
    fest = bundled()
    first, second = Engine(fest), Engine(fest)
    steps = apply_all(first, events)
    assert outcomes(steps) == outcomes(apply_all(second, events))
    assert first.snapshot() == second.snapshot()
    cut = data.draw(st.integers(min_value=0, max_value=len(events)), label="cut")
    head = Engine(fest)
    apply_all(head, events[:cut])
    resumed = Engine.restore(fest, head.snapshot())
    assert outcomes(apply_all(resumed, events[cut:])) == outcomes(steps[cut:])
    assert resumed.snapshot() == first.snapshot()


@PROPERTIES
@given(st.data())
def test_bundled_pack_is_idempotent_and_all_or_nothing(data: st.DataObject) -> None:
    """On the bundled pack: a re-sent applied event changes nothing; refused events leave the snapshot as it was."""
    events = bundled_feed(data)
    fest = bundled()
    baseline = Engine(fest)
    steps = []
    for event in events:
        before = baseline.snapshot()
        step = baseline.apply(event)
        if not step.accepted:
            assert baseline.snapshot() == before
        steps.append(step)
    accepted = [i for i, step in enumerate(steps) if step.accepted]
    assume(accepted)
    original = data.draw(st.sampled_from(accepted), label="original")
    at = data.draw(st.integers(min_value=original + 1, max_value=len(events)), label="insert at")
    engine = Engine(fest)
    assert outcomes(apply_all(engine, events[:at])) == outcomes(steps[:at])
    clock = engine.clock
    repeated = engine.apply(events[original])
    assert outcomes(apply_all(engine, events[at:])) == outcomes(steps[at:])
    if not repeated.duplicate:
        assert repeated.rejected is not None
        assert repeated.rejected.code == "too_late"
        assert clock is not None
        assert events[original].occurred_at < clock - fest.allowed_lateness
    assert engine.snapshot() == baseline.snapshot()


@PROPERTIES
@given(st.data())
def test_bundled_pack_progress_grows_and_badges_rise(data: st.DataObject) -> None:
    """On the bundled pack: progress never decreases inside a window and no badge tier is awarded twice."""
    events = bundled_feed(data)
    fest = bundled()
    engine = Engine(fest)
    last: dict[tuple[str, str, str], Any] = {}
    awarded: set[tuple[str, str, str]] = set()
    for step in apply_all(engine, events):
        for outcome in step.outcomes:
            if isinstance(outcome, MissionProgressed):
                key = (outcome.subject, outcome.mission_id, outcome.window)
                if key in last:
                    assert outcome.progress > last[key], (key, last[key], outcome)
                last[key] = outcome.progress
            elif isinstance(outcome, MissionClaimed):
                last.pop((outcome.subject, outcome.mission_id, outcome.window), None)
            elif isinstance(outcome, BadgeAwarded):
                award = (outcome.user_id, outcome.badge_id, outcome.tier)
                assert award not in awarded
                awarded.add(award)
