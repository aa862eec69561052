"""The upgrade rule of each pack section, on the bundled pack: Fan Clubs, journeys, community goals,
leaderboards, commission and promotions (what is refused leaves the engine as it was)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from festengine import Engine, load_fest
from festengine.catalog.compile import compile_fest
from festengine.catalog.loader import load_spec
from festengine.catalog.model import Fest
from festengine.catalog.spec import FestSpec
from festengine.errors import UpgradeRefusedError
from festengine.events import Event
from festengine.sim import workload_events

PACK = Path(__file__).resolve().parents[2] / "missions" / "community-fest"
Data = dict[str, Any]


@functools.cache
def bundled() -> Fest:
    return load_fest(PACK)


@functools.cache
def workload() -> tuple[Event, ...]:
    return tuple(workload_events(bundled(), viewers=80, creators=3, events=3000, seed=5, streams=True))


def running() -> Engine:
    engine = Engine(bundled())
    for event in workload():
        engine.apply(event)
    return engine


def edited(change: Callable[[Data], object]) -> Fest:
    spec, _document = load_spec(PACK)
    data = spec.model_dump(mode="json", exclude_none=True)
    change(data)
    return compile_fest(FestSpec.model_validate(data))


def item(data: Data, section: str, item_id: str) -> Data:
    [found] = [entry for entry in data[section] if entry["id"] == item_id]
    return found


def drop(data: Data, section: str, item_id: str) -> None:
    data[section] = [entry for entry in data[section] if entry["id"] != item_id]


def fan_club_points(data: Data) -> None:
    data["fan_club"]["levels"][1]["points"] += 1


def journey_steps(data: Data) -> None:
    steps = data["journeys"][0]["steps"]
    steps.append(steps[0])


def board_ranks(data: Data) -> None:
    board = item(data, "leaderboards", "viewer_points")
    board["period"] = "daily" if board.get("period") != "daily" else "fest"


def commission_days(data: Data) -> None:
    data["commission"]["settlement_days"] = data["commission"].get("settlement_days", 7) + 1


def goal_removed(data: Data) -> None:
    drop(data, "missions", "stream_like_goal")
    for promotion in data["promotions"]:
        assert promotion["trigger"].get("mission") != "stream_like_goal"


def test_the_workload_started_the_goal_that_is_removed_below() -> None:
    assert any(goal.mission_id == "stream_like_goal" for goal in running().community_goals())


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (fan_club_points, "fan_club: settings"),
        (journey_steps, "journeys live_journey: steps"),
        (board_ranks, "leaderboards viewer_points: period"),
        (commission_days, "commission: settings"),
        (goal_removed, "missions stream_like_goal: removing a community goal is refused"),
    ],
    ids=["fan_club", "journeys", "leaderboards", "commission", "community_goal"],
)
def test_each_section_refuses_what_it_cannot_take_and_changes_nothing(
    change: Callable[[Data], None], words: str
) -> None:
    engine = running()
    before = engine.snapshot()
    with pytest.raises(UpgradeRefusedError) as raised:
        engine.upgrade(edited(change))
    assert any(words in reason for reason in raised.value.refusals), raised.value.refusals
    assert engine.snapshot() == before


def test_titles_sizes_and_rewards_apply_without_moving_state() -> None:
    def change(data: Data) -> None:
        data["journeys"][0]["title"] = "A new journey title"
        item(data, "leaderboards", "viewer_points")["size"] = 5
        item(data, "missions", "daily_like_tapper")["rewards"] = [{"points": 7}]
        data["fest"]["name"] = "Renamed Fest"

    engine = running()
    points = {user: engine.points(user) for user in ("u1", "u2", "u3")}
    assert engine.upgrade(edited(change)).outcomes == ()
    assert {user: engine.points(user) for user in points} == points
    assert engine.fest.name == "Renamed Fest"
    assert len(engine.leaderboard("viewer_points")) <= 5


def test_a_leaderboard_removed_is_dropped_and_one_added_starts_empty() -> None:
    def change(data: Data) -> None:
        board = item(data, "leaderboards", "viewer_points")
        drop(data, "leaderboards", "viewer_points")
        data["leaderboards"].append({**board, "id": "viewer_points_late"})

    engine = running()
    assert engine.leaderboard("viewer_points")
    engine.upgrade(edited(change))
    assert engine.leaderboard("viewer_points_late") == []


def test_an_ended_flash_sale_cannot_be_extended() -> None:
    engine = running()
    ends = bundled().promotions["midweek_flash_sale"].ends_at
    assert ends is not None
    engine.advance_to(ends)

    def change(data: Data) -> None:
        item(data, "promotions", "midweek_flash_sale")["trigger"]["ends_at"] = "2026-06-25T23:00:00-07:00"

    before = engine.snapshot()
    with pytest.raises(UpgradeRefusedError, match="an ended promotion stays ended"):
        engine.upgrade(edited(change))
    assert engine.snapshot() == before


def test_eligibility_rules_judge_the_actions_that_arrive_from_now_on() -> None:
    from festengine import parse_event

    def gift(event_id: str, user: str) -> Event:
        return parse_event({"event_id": event_id, "type": "gift", "occurred_at": "2026-06-20T12:00:00Z",
                            "user_id": user, "creator_id": "c1", "stream_id": "s1", "gift_id": "rose"})  # fmt: skip

    def profile(user: str) -> Event:
        return parse_event({"event_id": f"p-{user}", "type": "viewer_profile", "occurred_at": "2026-06-20T11:00:00Z",
                            "user_id": user, "birth_date": "1990-01-01", "region": "DE"})  # fmt: skip

    def change(data: Data) -> None:
        data["eligibility"]["regions"].append("DE")

    engine = Engine(bundled())
    engine.apply(profile("u-de"))
    refused = engine.apply(gift("g1", "u-de")).rejected
    assert refused is not None
    assert refused.code == "not_eligible"
    engine.upgrade(edited(change))
    assert engine.apply(gift("g2", "u-de")).accepted
