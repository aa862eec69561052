"""LIVE Journeys: steps in order, the next step, branches, early completions, rewards, community steps."""

from __future__ import annotations

from typing import Any

from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.engine.outcomes import BadgeAwarded, PointsAwarded
from festengine.social import JourneyCompleted, JourneyStepCompleted

STEPS = (
    mission("hello", "comment", 1),
    mission("follow", "follow", 1),
    mission("gift_path", "gift", 1),
    mission("shop_path", "link_click", 1),
    mission("watch", "view", 1),
)
JOURNEY: dict[str, Any] = {
    "id": "trip",
    "title": "The trip",
    "steps": [
        {"mission": "hello"},
        {"mission": "follow"},
        {"branch": ["gift_path", "shop_path"]},
        {"mission": "watch"},
    ],
    "rewards": [{"badge": "traveller", "tier": "finisher"}, {"points": 200}],
}


def engine_with(*extra: dict[str, Any], journeys: list[dict[str, Any]] | None = None) -> Engine:
    return Engine(make_fest(*STEPS, *extra, journeys=journeys or [JOURNEY]))


def test_steps_complete_in_order_and_the_viewer_sees_the_next_one() -> None:
    engine = engine_with()
    assert social(engine).next_journey_step("u1", "trip") == ("hello",)
    step = engine.apply(ev("comment", at(1, "10:00")))
    done = of(step, JourneyStepCompleted)
    assert [(o.step, o.mission_id, o.steps_done, o.steps_total, o.next_missions) for o in done] == [
        (1, "hello", 1, 4, ("follow",))
    ]
    progress = social(engine).journey("u1", "trip")
    assert (progress.steps_done, progress.next_step, progress.next_missions, progress.completed) == (
        1,
        2,
        ("follow",),
        False,
    )
    assert social(engine).next_journey_step("u1", "trip") == ("follow",)


def test_finishing_the_last_step_completes_the_journey_and_grants_its_rewards() -> None:
    engine = engine_with()
    steps = run(
        engine,
        ev("comment", at(1, "10:00")),
        ev("follow", at(1, "10:01")),
        ev("gift", at(1, "10:02")),
        ev("view", at(1, "10:03")),
    )
    assert [o.path for o in of(steps, JourneyCompleted)] == [("hello", "follow", "gift_path", "watch")]
    last = steps[-1]
    assert [(o.badge_id, o.tier, o.source) for o in of(last, BadgeAwarded)] == [("traveller", "finisher", "trip")]
    assert [(o.points, o.source) for o in of(last, PointsAwarded)] == [(200, "trip")]
    progress = social(engine).journey("u1", "trip")
    assert (progress.completed, progress.next_step, progress.next_missions) == (True, None, ())


def test_the_first_completed_branch_mission_is_the_path_and_the_others_close() -> None:
    engine = engine_with()
    steps = run(
        engine,
        ev("comment", at(1, "10:00")),
        ev("follow", at(1, "10:01")),
        ev("link_click", at(1, "10:02")),
        ev("gift", at(1, "10:03")),
    )
    branch = [o for o in of(steps, JourneyStepCompleted) if o.step == 3]
    assert [(o.mission_id, o.closed, o.next_missions) for o in branch] == [("shop_path", ("gift_path",), ("watch",))]
    assert of(steps[3], JourneyStepCompleted) == []  # the closed branch changes nothing
    assert social(engine).journey("u1", "trip").path == ("hello", "follow", "shop_path")


def test_missions_done_before_their_step_count_when_the_journey_reaches_them() -> None:
    engine = engine_with()
    early = run(engine, ev("view", at(1, "10:00")), ev("gift", at(1, "10:01")), ev("follow", at(1, "10:02")))
    assert of(early, JourneyStepCompleted) == []
    step = engine.apply(ev("comment", at(1, "10:03")))
    assert [o.step for o in of(step, JourneyStepCompleted)] == [1, 2, 3, 4]
    assert [o.path for o in of(step, JourneyCompleted)] == [("hello", "follow", "gift_path", "watch")]


def test_when_both_branch_missions_are_done_early_the_first_completed_is_taken() -> None:
    engine = engine_with()
    run(engine, ev("link_click", at(1, "10:00")), ev("gift", at(1, "10:01")))
    steps = run(engine, ev("comment", at(1, "10:02")), ev("follow", at(1, "10:03")))
    assert social(engine).journey("u1", "trip").path == ("hello", "follow", "shop_path")
    assert [o.closed for o in of(steps, JourneyStepCompleted) if o.step == 3] == [("gift_path",)]


def test_viewers_have_their_own_journeys() -> None:
    engine = engine_with()
    run(engine, ev("comment", at(1, "10:00"), "u1"))
    assert social(engine).journey("u2", "trip").steps_done == 0
    assert [p.journey_id for p in social(engine).journeys_of("u2")] == ["trip"]


def test_a_community_goal_step_is_done_by_being_rewarded_as_a_contributor() -> None:
    goal = mission("room_goal", "gift", 600, subject="stream", measure={"kind": "sum", "field": "coins"},
                   window={"kind": "stream"}, community={"min_contribution": 100})  # fmt: skip
    journey = {"id": "together", "title": "Together", "steps": [{"mission": "room_goal"}, {"mission": "hello"}]}
    engine = Engine(make_fest(goal, *STEPS, journeys=[journey]))
    steps = run(engine, ev("gift", at(1, "10:00"), "u1"), ev("gift", at(1, "10:01"), "u2", gift_id="panda"))
    steps += run(engine, ev("gift", at(1, "10:02"), "u2"))
    assert [(o.user_id, o.mission_id) for o in of(steps, JourneyStepCompleted)] == [
        ("u1", "room_goal"),
        ("u2", "room_goal"),
    ]


def test_journeys_survive_a_snapshot_mid_way_with_a_mission_shared_by_two_journeys() -> None:
    second = {"id": "short", "title": "Short", "steps": [{"mission": "follow"}, {"mission": "watch"}]}
    fest = make_fest(*STEPS, journeys=[JOURNEY, second])
    engine = Engine(fest)
    run(engine, ev("follow", at(1, "10:00")), ev("comment", at(1, "10:01")), ev("follow", at(1, "10:02"), "u2"))
    assert social(engine).journeys.dump()["runs"] == {
        "u1": {"short": [1, ["follow"]], "trip": [2, ["hello", "follow"]]},
        "u2": {"short": [1, ["follow"]], "trip": [0, []]},
    }
    restored = Engine.restore(fest, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()
    assert social(restored).journeys_of("u1") == social(engine).journeys_of("u1")
    tail = [
        ev("link_click", at(1, "10:03")),
        ev("view", at(1, "10:04"), seconds=60),
        ev("comment", at(1, "10:05"), "u2"),
    ]
    assert [s.outcomes for s in run(engine, *tail)] == [s.outcomes for s in run(restored, *tail)]
    assert [p.completed for p in social(restored).journeys_of("u1")] == [True, True]


# --------------------------------------------------------------------------- steps of manual-claim missions

MANUAL = mission("claimed_watch", "view", 1, claim={"mode": "manual", "within": "24h"})


def manual_journey(steps_count: str | None) -> Engine:
    """hello (automatic), then claimed_watch (claimed by hand), then follow; ``steps_count`` as given."""
    journey: dict[str, Any] = {
        "id": "claims",
        "title": "Claims",
        "steps": [{"mission": "hello"}, {"mission": "claimed_watch"}, {"mission": "follow"}],
    }
    if steps_count is not None:
        journey["steps_count"] = steps_count
    return engine_with(MANUAL, journeys=[journey])


def test_by_default_a_manual_claim_step_counts_when_completed_even_if_the_claim_lapses() -> None:
    """on_completion (the default): the step counts at completion; the lapsed claim changes nothing."""
    engine = manual_journey(None)
    steps = run(
        engine, ev("comment", at(1, "10:00")), ev("view", at(1, "10:01")), ev("follow", at(1, "10:02")),
        ev("like", at(2, "12:00")),  # a day later: the claim has lapsed
    )  # fmt: skip
    assert [o.mission_id for o in of(steps, JourneyStepCompleted)] == ["hello", "claimed_watch", "follow"]
    assert len(of(steps, JourneyCompleted)) == 1


def test_on_claim_a_manual_claim_step_counts_when_claimed() -> None:
    """on_claim: completing the mission is not enough; the claim completes the step, and the next one counts
    at once if it was done meanwhile."""
    engine = manual_journey("on_claim")
    steps = run(engine, ev("comment", at(1, "10:00")), ev("view", at(1, "10:01")), ev("follow", at(1, "10:02")))
    assert [o.mission_id for o in of(steps, JourneyStepCompleted)] == ["hello"]
    assert social(engine).journey("u1", "claims").next_missions == ("claimed_watch",)
    claim = engine.apply(ev("claim", at(1, "11:00"), mission_id="claimed_watch"))
    assert [o.mission_id for o in of(claim, JourneyStepCompleted)] == ["claimed_watch", "follow"]
    assert [o.path for o in of(claim, JourneyCompleted)] == [("hello", "claimed_watch", "follow")]


def test_on_claim_a_lapsed_claim_never_completes_the_step_and_survives_a_restore() -> None:
    """on_claim: a claim that lapses leaves the journey waiting at that step; the state restores equal."""
    engine = manual_journey("on_claim")
    run(engine, ev("comment", at(1, "10:00")), ev("view", at(1, "10:01")), ev("like", at(2, "12:00")))
    late = engine.apply(ev("claim", at(2, "12:01"), mission_id="claimed_watch"))
    assert late.rejected is not None
    progress = social(engine).journey("u1", "claims")
    assert (progress.steps_done, progress.next_missions, progress.completed) == (1, ("claimed_watch",), False)
    restored = Engine.restore(engine.fest, engine.snapshot())
    assert restored.snapshot() == engine.snapshot()
    assert social(restored).journey("u1", "claims") == progress


def test_on_claim_keeps_the_claimed_missions_in_the_snapshot() -> None:
    """A claimed step restored from a snapshot is not counted twice, and the journey goes on from it."""
    engine = manual_journey("on_claim")
    run(engine, ev("comment", at(1, "10:00")), ev("view", at(1, "10:01")))
    run(engine, ev("claim", at(1, "10:30"), mission_id="claimed_watch"))
    restored = Engine.restore(engine.fest, engine.snapshot())
    step = restored.apply(ev("follow", at(1, "11:00")))
    assert [o.path for o in of(step, JourneyCompleted)] == [("hello", "claimed_watch", "follow")]
