"""The mission life cycle: prerequisites, repeats, manual claims and deadlines, rewards, the transition table."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest
from fests import ev, make_fest, mission, of, progress_of, run, windows_shown

from festengine.assembly import Engine
from festengine.engine.component import StepContext
from festengine.engine.missions import MissionStatus
from festengine.engine.outcomes import (
    BadgeAwarded,
    MissionClaimed,
    MissionCompleted,
    MissionExpired,
    MissionProgressed,
    MissionUnlocked,
    PointsAwarded,
)
from festengine.engine.transitions import TRANSITIONS, MissionState, check_transition
from festengine.errors import IllegalTransitionError


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def kinds(step: object) -> list[str]:
    return [o.kind for o in step.outcomes]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- prerequisites


def test_a_mission_with_an_unmet_prerequisite_is_locked_and_does_not_count() -> None:
    """Events do not count toward a locked mission; the query shows it as locked."""
    engine = Engine(make_fest(mission("a", "like", 2), mission("b", "comment", 1, requires={"missions": ["a"]})))
    step = engine.apply(ev("e1", "comment", "2026-03-02T10:00:00Z"))
    assert step.accepted
    assert step.outcomes == ()
    assert progress_of(engine, "u1", "b").state == "locked"
    assert progress_of(engine, "u1", "a").state == "active"


def test_completing_the_prerequisite_unlocks_with_an_outcome() -> None:
    """The step that first completes the required mission emits MissionUnlocked for the dependent after its rewards."""
    engine = Engine(
        make_fest(
            mission("a", "like", 2, rewards=[{"points": 1}]),
            mission("b", "comment", 1, requires={"missions": ["a"]}),
        )
    )
    run(engine, ev("e1", "like", "2026-03-02T10:00:00Z"))
    step = engine.apply(ev("e2", "like", "2026-03-02T10:01:00Z"))
    assert kinds(step) == [
        "mission_progressed",
        "mission_completed",
        "mission_claimed",
        "points_awarded",
        "mission_unlocked",
    ]
    assert of(step, MissionUnlocked) == [MissionUnlocked("e2", "u1", "b")]
    assert progress_of(engine, "u1", "b").state == "active"
    after = engine.apply(ev("e3", "comment", "2026-03-02T10:02:00Z"))
    assert [o.mission_id for o in of(after, MissionCompleted)] == ["b"]


@pytest.mark.parametrize("dependent_first", [False, True], ids=["pack_order", "reverse_order"])
def test_the_unlocking_event_does_not_count_for_the_unlocked_mission(dependent_first: bool) -> None:
    """The event that completes a prerequisite happened while the dependent was locked: it never counts for it."""
    a = mission("a", "like", 1)
    b = mission("b", "like", 1, requires={"missions": ["a"]})
    engine = Engine(make_fest(*((b, a) if dependent_first else (a, b))))
    first = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert [o.mission_id for o in of(first, MissionProgressed)] == ["a"]
    assert of(first, MissionUnlocked) == [MissionUnlocked("e1", "u1", "b")]
    second = engine.apply(ev("e2", "like", "2026-03-02T10:01:00Z"))
    assert [o.mission_id for o in of(second, MissionCompleted)] == ["b"]


def test_all_prerequisites_must_be_met() -> None:
    """A mission requiring two missions unlocks only when both are completed."""
    engine = Engine(
        make_fest(
            mission("a", "like", 1),
            mission("b", "share", 1),
            mission("c", "comment", 1, requires={"missions": ["a", "b"]}),
        )
    )
    first = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert of(first, MissionUnlocked) == []
    assert of(engine.apply(ev("e2", "comment", "2026-03-02T10:01:00Z")), MissionProgressed) == []
    second = engine.apply(ev("e3", "share", "2026-03-02T10:02:00Z"))
    assert of(second, MissionUnlocked) == [MissionUnlocked("e3", "u1", "c")]


def test_prerequisites_are_per_viewer() -> None:
    """One viewer's completion unlocks nothing for another viewer."""
    engine = Engine(make_fest(mission("a", "like", 1), mission("b", "comment", 1, requires={"missions": ["a"]})))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z", user="u1"))
    step = engine.apply(ev("e2", "comment", "2026-03-02T10:01:00Z", user="u2"))
    assert of(step, MissionProgressed) == []
    assert progress_of(engine, "u2", "b").state == "locked"


def test_a_manual_mission_unlocks_its_dependents_on_completion() -> None:
    """Dependents unlock when the required mission is completed, even before its rewards are claimed."""
    engine = Engine(
        make_fest(
            mission("a", "like", 1, claim={"mode": "manual"}),
            mission("b", "comment", 1, requires={"missions": ["a"]}),
        )
    )
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert kinds(step) == ["mission_progressed", "mission_completed", "mission_unlocked"]


def test_a_badge_prerequisite_unlocks_when_the_tier_is_awarded() -> None:
    """A mission requiring a badge tier unlocks when that tier (or a higher one) is awarded, not a lower one."""
    engine = Engine(
        make_fest(
            mission("bronze", "like", 1, rewards=[{"badge": "supporter", "tier": "bronze"}]),
            mission("gold", "share", 1, rewards=[{"badge": "supporter", "tier": "gold"}]),
            mission("vip", "comment", 1, requires={"badge": {"badge": "supporter", "tier": "silver"}}),
        )
    )
    low = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert of(low, MissionUnlocked) == []
    assert progress_of(engine, "u1", "vip").state == "locked"
    high = engine.apply(ev("e2", "share", "2026-03-02T10:01:00Z"))
    assert kinds(high)[-2:] == ["badge_awarded", "mission_unlocked"]
    assert of(high, MissionUnlocked) == [MissionUnlocked("e2", "u1", "vip")]
    done = engine.apply(ev("e3", "comment", "2026-03-02T10:02:00Z"))
    assert [o.mission_id for o in of(done, MissionCompleted)] == ["vip"]


def test_a_chain_of_prerequisites_unlocks_step_by_step() -> None:
    """a -> b -> c: completing a unlocks b only; completing b unlocks c."""
    engine = Engine(
        make_fest(
            mission("a", "like", 1),
            mission("b", "like", 2, requires={"missions": ["a"]}),
            mission("c", "like", 1, requires={"missions": ["b"]}),
        )
    )
    first = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert [o.mission_id for o in of(first, MissionUnlocked)] == ["b"]
    assert [o.mission_id for o in of(first, MissionProgressed)] == ["a"]  # b was locked when e1 happened
    engine.apply(ev("e2", "like", "2026-03-02T10:01:00Z"))
    third = engine.apply(ev("e3", "like", "2026-03-02T10:02:00Z"))
    assert [o.mission_id for o in of(third, MissionUnlocked)] == ["c"]


# --------------------------------------------------------------------------- repeats


def test_a_repeatable_mission_goes_round_up_to_its_limit() -> None:
    """With repeat 3 the mission completes three times in its window, progress restarting each time, then stops."""
    engine = Engine(make_fest(mission("likes", "like", 2, repeat=3, rewards=[{"points": 10}])))
    steps = run(engine, *(ev(f"e{i}", "like", f"2026-03-02T10:0{i}:00Z") for i in range(1, 9)))
    assert [o.progress for o in of(steps, MissionProgressed)] == [1, 2, 1, 2, 1, 2]
    assert [(o.event_id, o.completion) for o in of(steps, MissionCompleted)] == [("e2", 1), ("e4", 2), ("e6", 3)]
    assert [o.total for o in of(steps, PointsAwarded)] == [10, 20, 30]
    assert steps[6].outcomes == ()
    assert steps[7].outcomes == ()
    row = progress_of(engine, "u1", "likes")
    assert (row.state, row.completions) == ("claimed", 3)
    assert engine.points("u1") == 30


def test_a_repeatable_daily_mission_has_its_limit_per_day() -> None:
    """The repeat limit applies per window: a new day allows the mission again."""
    engine = Engine(make_fest(mission("likes", "like", 1, repeat=2, window={"kind": "daily"})))
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T18:00:00Z"),
        ev("e2", "like", "2026-03-02T18:01:00Z"),
        ev("e3", "like", "2026-03-02T18:02:00Z"),
        ev("e4", "like", "2026-03-03T18:00:00Z"),
    )
    assert [(o.window, o.completion) for o in of(steps, MissionCompleted)] == [
        ("day:2026-03-02", 1),
        ("day:2026-03-02", 2),
        ("day:2026-03-03", 1),
    ]


def test_a_repeatable_mission_expires_unfinished_round() -> None:
    """A round in progress when a fixed window closes expires, keeping the completions already made;
    in a day, the round is dropped with the day and the completions are kept."""
    engine = Engine(
        make_fest(
            mission("likes", "like", 2, repeat=5, window={"kind": "phase", "phase": "week1"}),
            mission("daily", "like", 2, repeat=5, window={"kind": "daily"}),
        )
    )
    run(engine, *(ev(f"e{i}", "like", f"2026-03-02T18:0{i}:00Z") for i in range(1, 4)))
    assert engine.advance_to(utc("2026-03-03T08:10:00Z")).outcomes == ()
    assert windows_shown(engine, "u1", "daily") == [None]
    assert engine.component("missions").completions("u1") == {"likes": 1, "daily": 1}
    [expired] = engine.advance_to(utc("2026-03-08T08:10:00Z")).outcomes
    assert expired == MissionExpired(None, "u1", "likes", "phase:week1", "active", 1)
    assert progress_of(engine, "u1", "likes").completions == 1


# --------------------------------------------------------------------------- manual claims


MANUAL = {"claim": {"mode": "manual", "within": "1h"}, "rewards": [{"badge": "supporter", "tier": "bronze"}]}


def test_a_manual_mission_waits_for_its_claim() -> None:
    """Completion of a manual mission names the deadline and grants nothing until claimed."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    [done] = of(step, MissionCompleted)
    assert done.claim_deadline == utc("2026-03-02T11:00:00Z")
    assert of(step, MissionClaimed) == []
    assert of(step, BadgeAwarded) == []
    row = progress_of(engine, "u1", "m")
    assert row.state == "completed"
    assert row.claim_deadline == utc("2026-03-02T11:00:00Z")
    assert row.claim_deadline == done.claim_deadline  # one type for one thing


def test_a_claim_at_the_deadline_grants_the_rewards() -> None:
    """A claim made at (or before) the deadline claims the mission and grants its rewards."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    step = engine.apply(ev("c1", "claim", "2026-03-02T11:00:00Z", mission_id="m"))
    assert step.outcomes == (
        MissionClaimed("c1", "u1", "m", "fest", 1),
        BadgeAwarded("c1", "u1", "supporter", "bronze", "m"),
    )
    assert progress_of(engine, "u1", "m").state == "claimed"
    assert engine.badges("u1") == {"supporter": "bronze"}


def test_a_claim_after_the_deadline_is_rejected() -> None:
    """A claim one second after the deadline is Rejected with code claim_too_late and changes nothing."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    before = engine.snapshot()
    step = engine.apply(ev("c1", "claim", "2026-03-02T11:00:01Z", mission_id="m"))
    assert step.rejected is not None
    assert step.rejected.code == "claim_too_late"
    assert "'m'" in step.rejected.reason
    assert engine.snapshot() == before


def test_a_claim_far_after_the_deadline_is_too_late_not_a_timer_race() -> None:
    """A claim arriving past deadline + lateness is judged before time moves: still claim_too_late."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    step = engine.apply(ev("c1", "claim", "2026-03-02T15:00:00Z", mission_id="m"))
    assert step.rejected is not None
    assert step.rejected.code == "claim_too_late"


def test_a_late_claim_made_before_the_deadline_counts() -> None:
    """A claim that happened before the deadline but arrives late (within lateness) is accepted."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    engine.apply(ev("e2", "share", "2026-03-02T11:05:00Z"))  # the clock passes the deadline
    step = engine.apply(ev("c1", "claim", "2026-03-02T10:59:00Z", mission_id="m"))
    assert [o.kind for o in step.outcomes] == ["mission_claimed", "badge_awarded"]


def test_an_unclaimed_completion_expires_after_the_deadline() -> None:
    """Once the clock passes deadline + lateness an unclaimed completion expires; a claim then finds nothing."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert engine.advance_to(utc("2026-03-02T11:09:59Z")).outcomes == ()
    step = engine.advance_to(utc("2026-03-02T11:10:00Z"))
    assert step.outcomes == (MissionExpired(None, "u1", "m", "fest", "completed", 1),)
    assert progress_of(engine, "u1", "m").state == "expired"
    claim = engine.apply(ev("c1", "claim", "2026-03-02T11:10:00Z", mission_id="m"))
    assert claim.rejected is not None
    assert claim.rejected.code == "nothing_to_claim"
    assert engine.badges("u1") == {}


def test_expiry_of_an_unclaimed_completion_by_a_later_event() -> None:
    """A later event past the deadline + lateness first expires the unclaimed completion."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    step = engine.apply(ev("e2", "share", "2026-03-02T12:00:00Z"))
    assert step.outcomes == (MissionExpired("e2", "u1", "m", "fest", "completed", 1),)


@pytest.mark.parametrize(
    ("missions", "claim_of", "code"),
    [
        ((mission("m", "like", 1, **MANUAL),), "m", "nothing_to_claim"),  # not completed yet
        ((mission("m", "like", 1),), "m", "not_claimable"),  # rewards are automatic
        ((mission("m", "like", 1, **MANUAL),), "nope", "unknown_mission"),
    ],
    ids=["nothing_to_claim", "not_claimable", "unknown_mission"],
)
def test_claims_that_cannot_be_honoured_are_rejected(
    missions: tuple[dict[str, object], ...], claim_of: str, code: str
) -> None:
    """A claim for an unknown, automatic or not yet completed mission is Rejected with its code."""
    engine = Engine(make_fest(*missions))
    engine.apply(ev("e0", "share", "2026-03-02T09:00:00Z"))
    before = engine.snapshot()
    step = engine.apply(ev("c1", "claim", "2026-03-02T10:00:00Z", mission_id=claim_of))
    assert step.rejected is not None
    assert step.rejected.code == code
    assert engine.snapshot() == before


def test_a_second_claim_finds_nothing_to_claim() -> None:
    """Claiming twice: the second claim is Rejected nothing_to_claim (rewards are granted once)."""
    engine = Engine(make_fest(mission("m", "like", 1, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    engine.apply(ev("c1", "claim", "2026-03-02T10:10:00Z", mission_id="m"))
    step = engine.apply(ev("c2", "claim", "2026-03-02T10:20:00Z", mission_id="m"))
    assert step.rejected is not None
    assert step.rejected.code == "nothing_to_claim"


def test_a_manual_claim_without_deadline_can_come_any_time() -> None:
    """Without ``within`` a completion waits for its claim until the end of the fest."""
    engine = Engine(make_fest(mission("m", "like", 1, claim={"mode": "manual"}, rewards=[{"points": 4}])))
    done = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert of(done, MissionCompleted)[0].claim_deadline is None
    assert engine.advance_to(utc("2026-03-20T00:00:00Z")).outcomes == ()
    step = engine.apply(ev("c1", "claim", "2026-03-20T00:00:00Z", mission_id="m"))
    assert [o.kind for o in step.outcomes] == ["mission_claimed", "points_awarded"]


def test_a_claim_takes_the_completion_whose_deadline_has_not_passed() -> None:
    """With completions in two days, a claim after the first deadline claims the second, still open one."""
    engine = Engine(make_fest(mission("m", "like", 1, window={"kind": "daily"}, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T23:30:00-08:00"))  # deadline 03-03 00:30 local
    engine.apply(ev("e2", "like", "2026-03-03T00:20:00-08:00"))  # deadline 03-03 01:20 local
    step = engine.apply(ev("c1", "claim", "2026-03-03T00:35:00-08:00", mission_id="m"))
    assert of(step, MissionClaimed) == [MissionClaimed("c1", "u1", "m", "day:2026-03-03", 1)]
    expired = engine.advance_to(utc("2026-03-03T08:40:00Z"))  # 00:40 local: the first deadline + lateness
    assert of(expired, MissionExpired) == [MissionExpired(None, "u1", "m", "day:2026-03-02", "completed", 1)]


@pytest.mark.parametrize(
    ("events", "claimed"),
    [
        # u1 completes in s2 first, then in s1, whose instance another viewer opened first
        ([("e1", "s1", "10:00", "u2"), ("e2", "s2", "10:01", "u1"), ("e3", "s1", "10:02", "u1")], "stream:s2"),
        # u1 completes in s1, then in s2; s2 closes first, then the claim comes
        ([("e1", "s1", "10:00", "u1"), ("e2", "s2", "10:05", "u1"), ("end", "s2", "10:06", "c1")], "stream:s1"),
    ],
)
def test_a_claim_takes_the_oldest_completion_wherever_it_is_kept(
    events: list[tuple[str, str, str, str]], claimed: str
) -> None:
    """Among completions waiting in several windows, open or closed, a claim takes the oldest one."""
    engine = Engine(make_fest(mission("m", "like", 1, window={"kind": "stream"}, **MANUAL)))
    for event_id, stream, at, user in events:
        kind = "stream_ended" if event_id == "end" else "like"
        engine.apply(ev(event_id, kind, f"2026-03-02T{at}:00Z", user=user, stream_id=stream))
    step = engine.apply(ev("c1", "claim", "2026-03-02T10:20:00Z", mission_id="m"))
    assert [o.window for o in of(step, MissionClaimed)] == [claimed]


def test_a_repeatable_manual_mission_goes_round_after_each_claim() -> None:
    """A repeatable manual mission waits for each claim before counting the next round."""
    engine = Engine(make_fest(mission("m", "like", 1, repeat=2, claim={"mode": "manual"})))
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z"),
        ev("e2", "like", "2026-03-02T10:01:00Z"),  # waits for the claim: does not count
        ev("c1", "claim", "2026-03-02T10:02:00Z", mission_id="m"),
        ev("e3", "like", "2026-03-02T10:03:00Z"),
    )
    assert steps[1].outcomes == ()
    assert [o.completion for o in of(steps, MissionCompleted)] == [1, 2]


def test_a_manual_completion_survives_its_window_closing() -> None:
    """A completed daily mission can still be claimed after its day closed, until the claim deadline."""
    engine = Engine(make_fest(mission("m", "like", 1, window={"kind": "daily"}, **MANUAL)))
    engine.apply(ev("e1", "like", "2026-03-02T23:50:00-08:00"))
    engine.advance_to(utc("2026-03-03T08:10:00Z"))  # the day is closed; the deadline is 00:50 local
    step = engine.apply(ev("c1", "claim", "2026-03-03T00:45:00-08:00", mission_id="m"))
    assert of(step, MissionClaimed) == [MissionClaimed("c1", "u1", "m", "day:2026-03-02", 1)]


def test_a_stream_completion_waits_for_its_claim_past_the_stream_and_a_snapshot() -> None:
    """A manual stream mission completed in a stream: the stream ends and closes, the completion is
    still listed and claimable (also from a snapshot taken while the stream was open), and the
    unfinished instance of another viewer is dropped with the stream."""
    fest = make_fest(mission("m", "like", 2, window={"kind": "stream"}, **MANUAL))
    engine = Engine(fest)
    run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z"),
        ev("e2", "like", "2026-03-02T10:01:00Z", user="u2"),
        ev("e3", "like", "2026-03-02T10:02:00Z"),
    )
    restored = Engine.restore(fest, engine.snapshot())
    for live in (engine, restored):
        assert [(r.window, r.state) for r in live.missions("u1")] == [("stream:s1", "completed")]
        closed = run(
            live,
            ev("end", "stream_ended", "2026-03-02T10:05:00Z", user="c1"),
            ev("e4", "comment", "2026-03-02T10:16:00Z", user="u3"),  # past the end and lateness
        )
        assert of(closed, MissionExpired) == []  # u2's unfinished instance is dropped with the stream
        assert windows_shown(live, "u2", "m") == [None]
        assert [(r.window, r.state) for r in live.missions("u1")] == [("stream:s1", "completed")]
        step = live.apply(ev("c1", "claim", "2026-03-02T10:30:00Z", mission_id="m"))
        assert of(step, MissionClaimed) == [MissionClaimed("c1", "u1", "m", "stream:s1", 1)]
        assert [(r.window, r.state) for r in live.missions("u1")] == [(None, "active")]  # settled: forgotten
    assert restored.snapshot() == engine.snapshot()


# --------------------------------------------------------------------------- the transition table


def test_the_transition_table_lists_the_six_moves() -> None:
    """The state machine is the documented table: locked->active->completed->claimed, ->expired, repeat."""
    s = MissionState
    assert set(TRANSITIONS) == {
        (s.LOCKED, s.ACTIVE),
        (s.ACTIVE, s.COMPLETED),
        (s.COMPLETED, s.CLAIMED),
        (s.ACTIVE, s.EXPIRED),
        (s.COMPLETED, s.EXPIRED),
        (s.CLAIMED, s.ACTIVE),
    }
    for move in TRANSITIONS:
        assert check_transition("m", *move) is move[1]


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in product(MissionState, MissionState) if pair not in TRANSITIONS],
    ids=lambda state: state.value,
)
def test_an_illegal_transition_raises(source: MissionState, target: MissionState) -> None:
    """Any move the table does not list raises IllegalTransitionError naming the mission and the states."""
    with pytest.raises(IllegalTransitionError) as info:
        check_transition("likes", source, target)
    assert (info.value.mission_id, info.value.source, info.value.target) == ("likes", source.value, target.value)
    assert str(info.value) == f"mission 'likes': illegal transition {source.value} -> {target.value}"


def test_an_illegal_transition_inside_the_engine_raises() -> None:
    """Were state ever inconsistent (a claimed instance asked to complete) the engine raises rather than hide it."""
    engine = Engine(make_fest(mission("m", "like", 2)))
    engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    missions = engine.component("missions")
    instance = missions._book.viewers["u1"].instances[("m", "fest")]
    instance.state = MissionState.CLAIMED  # corrupted behind the engine's back
    ctx = StepContext(engine._routing, "e2", utc("2026-03-02T10:01:00Z").timestamp())
    with pytest.raises(IllegalTransitionError, match="illegal transition claimed -> completed"):
        missions._claims.complete("u1", engine.fest.missions["m"], "fest", instance, None, ctx)


# --------------------------------------------------------------------------- badges and points


def test_a_badge_tier_is_never_awarded_twice() -> None:
    """The same tier twice, or a lower tier after a higher one, awards nothing; a higher tier is awarded."""
    engine = Engine(
        make_fest(
            mission("silver1", "like", 1, rewards=[{"badge": "supporter", "tier": "silver"}]),
            mission("silver2", "share", 1, rewards=[{"badge": "supporter", "tier": "silver"}]),
            mission("bronze", "comment", 1, rewards=[{"badge": "supporter", "tier": "bronze"}]),
            mission("gold", "follow", 1, rewards=[{"badge": "supporter", "tier": "gold"}]),
        )
    )
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z"),
        ev("e2", "share", "2026-03-02T10:01:00Z"),
        ev("e3", "comment", "2026-03-02T10:02:00Z"),
        ev("e4", "follow", "2026-03-02T10:03:00Z"),
    )
    assert [(o.event_id, o.tier, o.source) for o in of(steps, BadgeAwarded)] == [
        ("e1", "silver", "silver1"),
        ("e4", "gold", "gold"),
    ]
    assert engine.badges("u1") == {"supporter": "gold"}


def test_a_repeated_mission_awards_its_badge_once() -> None:
    """A repeatable mission with a badge reward awards the tier only on the first completion."""
    engine = Engine(make_fest(mission("m", "like", 1, repeat=3, rewards=[{"badge": "supporter", "tier": "bronze"}])))
    steps = run(engine, *(ev(f"e{i}", "like", f"2026-03-02T10:0{i}:00Z") for i in range(3)))
    assert len(of(steps, MissionClaimed)) == 3
    assert len(of(steps, BadgeAwarded)) == 1


def test_points_add_up_per_viewer() -> None:
    """Points rewards add to the viewer's total; each PointsAwarded carries the running total and its source."""
    engine = Engine(
        make_fest(
            mission("a", "like", 1, rewards=[{"points": 5}]),
            mission("b", "like", 2, rewards=[{"points": 7}]),
        )
    )
    steps = run(
        engine,
        ev("e1", "like", "2026-03-02T10:00:00Z"),
        ev("e2", "like", "2026-03-02T10:01:00Z"),
        ev("e3", "like", "2026-03-02T10:02:00Z", user="u2", count=2),
    )
    assert [(o.user_id, o.points, o.total, o.source) for o in of(steps, PointsAwarded)] == [
        ("u1", 5, 5, "a"),
        ("u1", 7, 12, "b"),
        ("u2", 5, 5, "a"),
        ("u2", 7, 12, "b"),
    ]
    assert engine.points("u1") == 12
    assert engine.points("u2") == 12
    assert engine.points("nobody") == 0


def test_several_rewards_are_granted_in_order() -> None:
    """A mission's rewards are granted in the order written, each naming the mission as its source."""
    engine = Engine(
        make_fest(mission("m", "like", 1, rewards=[{"points": 2}, {"badge": "supporter", "tier": "bronze"}]))
    )
    step = engine.apply(ev("e1", "like", "2026-03-02T10:00:00Z"))
    assert kinds(step) == [
        "mission_progressed",
        "mission_completed",
        "mission_claimed",
        "points_awarded",
        "badge_awarded",
    ]


# --------------------------------------------------------------------------- queries


def test_missions_query_for_a_new_viewer() -> None:
    """engine.missions(user) lists every viewer mission in pack order, unstarted ones with no window."""
    engine = Engine(make_fest(mission("a", "like", 2), mission("b", "comment", 1, requires={"missions": ["a"]})))
    assert engine.missions("u9") == [
        MissionStatus("a", "a", "active", None, 0, 2, 0, None),
        MissionStatus("b", "b", "locked", None, 0, 1, 0, None),
    ]
    assert engine.badges("u9") == {}
    assert engine.points("u9") == 0


def test_missions_query_shows_each_window_with_state_and_progress() -> None:
    """A viewer's rows carry window, state, progress, target and completions per window taken part in."""
    engine = Engine(
        make_fest(
            mission("daily", "like", 2, window={"kind": "daily"}),
            mission("fest", "like", 10, rewards=[{"badge": "supporter", "tier": "bronze"}, {"points": 3}]),
        )
    )
    run(
        engine,
        ev("e1", "like", "2026-03-02T18:00:00Z", count=2),
        ev("e2", "like", "2026-03-03T08:05:00Z"),  # 03-03 00:05 local: 03-02 is not closed yet
    )
    rows = engine.missions("u1")
    assert [(r.mission_id, r.window, r.state, r.progress, r.completions) for r in rows] == [
        ("daily", "day:2026-03-02", "claimed", 2, 1),
        ("daily", "day:2026-03-03", "active", 1, 0),
        ("fest", "fest", "active", 3, 0),
    ]
    run(engine, ev("e3", "like", "2026-03-03T08:06:00Z", count=7))
    assert progress_of(engine, "u1", "fest").state == "claimed"
    assert engine.badges("u1") == {"supporter": "bronze"}
    assert engine.points("u1") == 3


def test_closed_recurring_windows_are_forgotten_but_completions_kept() -> None:
    """Once a day closes and is settled its row goes; the completion count over all windows stays."""
    engine = Engine(make_fest(mission("daily", "like", 1, window={"kind": "daily"})))
    engine.apply(ev("e1", "like", "2026-03-02T18:00:00Z"))
    engine.advance_to(utc("2026-03-04T00:00:00Z"))
    assert engine.missions("u1") == [MissionStatus("daily", "daily", "active", None, 0, 1, 1, None)]
    assert engine.component("missions").completions("u1") == {"daily": 1}


def test_the_documented_transition_table_matches_the_code() -> None:
    """docs/engine.md lists exactly the transitions of TRANSITIONS, with their reasons, and draws the same diagram."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "engine.md").read_text(encoding="utf-8")
    # the module's docstring read from its source: a compiled build's module keeps none
    source = (root / "src" / "festengine" / "engine" / "transitions.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| ([^|]+?) \|", doc, flags=re.MULTILINE)
    states = {state.value for state in MissionState}
    documented = {(MissionState(a), MissionState(b)): why for a, b, why in rows if {a, b} <= states}
    assert documented == TRANSITIONS
    diagram = docstring.split("```")[1].strip("\n")
    assert diagram in doc
    for source, target in TRANSITIONS:
        assert f"    {source.value} --> {target.value}: " in doc  # the mermaid diagram has every move
