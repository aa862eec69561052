"""The social layer's structure as rules: community goals move only along their state table, each event
type has one handler doing what the parts do with it (and none for what the fest does not use), stream
audiences are remembered only when a promotion reads them, and the measure of a goal is one rule."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from social_fests import at, ev, make_fest, mission, run, social

from festengine.assembly import Engine
from festengine.catalog.model import Fest
from festengine.errors import IllegalTransitionError
from festengine.social.community import event_measure
from festengine.social.goal_transitions import GOAL_TRANSITIONS, GoalState, check_goal_transition

COINS = {"kind": "sum", "field": "coins"}
RUSH = mission("rush", "gift", 1000, subject="stream", measure=COINS, window={"kind": "stream"}, repeat=2,
               community={"levels": [{"target": 300, "extend_by": "5m"}], "cooldown": "10m"})  # fmt: skip


# --------------------------------------------------------------------------- the goal state table


def test_the_goal_table_lists_exactly_the_documented_moves() -> None:
    active, cooldown, completed, expired = GoalState.ACTIVE, GoalState.COOLDOWN, GoalState.COMPLETED, GoalState.EXPIRED
    assert set(GOAL_TRANSITIONS) == {
        (active, cooldown),
        (active, completed),
        (cooldown, active),
        (cooldown, completed),
        (active, expired),
    }


@pytest.mark.parametrize("source", list(GoalState))
@pytest.mark.parametrize("target", list(GoalState))
def test_a_move_outside_the_table_raises_and_one_inside_returns_the_target(
    source: GoalState, target: GoalState
) -> None:
    if (source, target) in GOAL_TRANSITIONS:
        assert check_goal_transition("rush", source, target) is target
    else:
        with pytest.raises(IllegalTransitionError, match=f"'rush': illegal transition {source} -> {target}"):
            check_goal_transition("rush", source, target)


def test_a_goal_run_through_rounds_cooldowns_and_closing_only_makes_moves_of_the_table() -> None:
    engine = Engine(make_fest(RUSH))
    events = [
        ev("gift", at(2, "18:00"), "u1"),  # 500: level 1
        ev("gift", at(2, "18:01"), "u2"),  # 1,000: round 1 completes, cooldown
        ev("gift", at(2, "18:05"), "u3"),  # during the cooldown: ignored
        ev("gift", at(2, "18:20"), "u1"),  # round 2
        ev("gift", at(2, "18:21"), "u2"),  # round 2 completes: the last round
        ev("stream_ended", at(2, "19:00"), "u9"),
        ev("comment", at(2, "20:00"), "u9"),  # time passes: the goal closes
    ]
    seen: list[str] = []
    for event in events:
        engine.apply(event)
        (goal,) = social(engine).community_goals("s1")
        if not seen or seen[-1] != goal.state:
            seen.append(goal.state)
    assert seen == ["active", "cooldown", "active", "completed"]
    moves = {(GoalState(a), GoalState(b)) for a, b in itertools.pairwise(seen)}
    assert moves <= set(GOAL_TRANSITIONS)


def test_a_goal_closing_with_a_round_running_expires() -> None:
    engine = Engine(make_fest(RUSH))
    run(engine, ev("gift", at(2, "18:00"), "u1"), ev("stream_ended", at(2, "19:00"), "u9"))
    assert social(engine).community_goal("rush", "s1").state == "active"  # type: ignore[union-attr]
    run(engine, ev("comment", at(2, "20:00"), "u9"))
    assert social(engine).community_goal("rush", "s1").state == "expired"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- one handler per event type


def _parts_handling(fest: Fest, event_type: str) -> list[str]:
    """The parts that do something with an event type (each asked on its own)."""
    component = social(Engine(fest))
    parts: dict[str, Any] = {
        "promotions": component.promotions,
        "fan_clubs": component.fan_clubs,
        "scoring": component.scoring,
        "leaderboards": component.leaderboards,
        "community": component.community,
    }
    return [name for name, part in parts.items() if part.handler(event_type) is not None]


def test_each_event_type_has_one_handler_exactly_when_some_part_uses_it() -> None:
    fest = make_fest(RUSH)
    handlers = social(Engine(fest)).handlers()
    assert "gift" in handlers
    assert _parts_handling(fest, "gift") == ["fan_clubs", "scoring", "leaderboards", "community"]
    for event_type in ("view", "comment", "follow", "link_click", "refund", "claim"):
        assert (event_type in handlers) == bool(_parts_handling(fest, event_type)), event_type
    assert "claim" not in handlers


def test_a_fest_without_social_sections_has_no_social_handlers() -> None:
    fest = make_fest(mission("chatty", "comment", 3), fan_club=None, scoring=None, leaderboards=None)
    assert dict(social(Engine(fest)).handlers()) == {}


# --------------------------------------------------------------------------- stream audiences


def _promotion(audience: str, trigger: dict[str, Any]) -> dict[str, Any]:
    return {"id": "deal", "title": "Deal", "discount": {"percent": "5"}, "trigger": trigger, "audience": audience,
            "duration": "1h"}  # fmt: skip


SCHEDULED = {"kind": "schedule", "starts_at": at(3, "18:00"), "ends_at": at(3, "21:00")}


@pytest.mark.parametrize(
    ("audience", "trigger", "remembered"),
    [
        ("stream_viewers", {"kind": "goal", "mission": "rush", "level": 1}, True),
        ("stream_viewers", {"kind": "mission", "mission": "chatty"}, True),
        ("stream_viewers", SCHEDULED, False),  # applies only to those granted it: nothing reads the audience
        ("viewer", {"kind": "mission", "mission": "chatty"}, False),
        ("everyone", {"kind": "goal", "mission": "rush"}, False),
    ],
)
def test_stream_viewers_are_remembered_only_when_a_triggered_promotion_targets_them(
    audience: str, trigger: dict[str, Any], remembered: bool
) -> None:
    fest = make_fest(RUSH, mission("chatty", "comment", 3), promotions=[_promotion(audience, trigger)])
    engine = Engine(fest)
    run(engine, ev("view", at(2, "18:00"), "u1"), ev("comment", at(2, "18:01"), "u2"))
    viewers = social(engine).promotions._viewers
    assert viewers == ({"s1": {"u1": None, "u2": None}} if remembered else {})


# --------------------------------------------------------------------------- what an event adds to a measure


@pytest.mark.parametrize(
    ("measure", "event", "fields", "adds"),
    [
        ({"kind": "count"}, "comment", {}, 1),
        ({"kind": "count"}, "like", {"count": 7}, 7),  # likes and gifts weigh their count
        ({"kind": "count"}, "gift", {"count": 3, "gift_id": "rose"}, 3),
        ({"kind": "sum", "field": "seconds"}, "view", {"seconds": 90}, 90),
        ({"kind": "sum", "field": "seconds"}, "view", {"seconds": 0}, None),  # nothing to add
        ({"kind": "distinct", "field": "user_id"}, "comment", {}, 1),  # 1 for a value (the goal dedups)
    ],
)
def test_what_an_event_adds_to_a_goal_measure_is_one_rule(
    measure: dict[str, Any], event: str, fields: dict[str, Any], adds: int | None
) -> None:
    goal = mission("goal", event, 10, subject="creator", measure=measure, window={"kind": "weekly"})
    fest = make_fest(goal)
    assert event_measure(fest.missions["goal"])(ev(event, at(2, "18:00"), "u1", **fields)) == adds
