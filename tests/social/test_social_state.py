"""The social layer's per-key state is plain tuples and flat dicts of strings and numbers, which the
garbage collector stops tracking: tens of thousands of goals, members and partitions must not make
every full collection walk them (a performance property, not a rule of the fest)."""

from __future__ import annotations

import gc

from social_fests import at, ev, make_fest, mission, run, social

from festengine.assembly import Engine

COINS = {"kind": "sum", "field": "coins"}
FEST = make_fest(
    mission("rush", "gift", 600, subject="stream", measure=COINS, window={"kind": "stream"}, repeat=2,
            community={"levels": [{"target": 100, "extend_by": "2m"}], "cooldown": "2m", "min_contribution": 5}),
    mission("crowd", "like", 3, subject="creator", measure={"kind": "distinct", "field": "user_id"},
            window={"kind": "weekly"}),
)  # fmt: skip


def test_goals_members_slots_and_partitions_are_untracked_after_a_collection() -> None:
    engine = Engine(FEST)
    run(
        engine,
        ev("gift", at(2, "18:00"), "u1", gift_id="heart_me"),
        ev("comment", at(2, "18:01"), "u1"),
        ev("view", at(2, "18:02"), "u1", seconds=600),
        ev("gift", at(2, "18:03"), "u2", gift_id="concert"),
        ev("like", at(2, "18:04"), "u2", count=3),
        ev("like", at(2, "18:05"), "u3", count=1),
    )
    for _ in range(3):  # a tuple is untracked once what it holds is: nested tuples take a pass per level
        gc.collect()
    parts = social(engine)
    community = parts.community
    assert community._goals
    assert community._values  # the distinct goal's values
    for key, goal in community._goals.items():
        assert not gc.is_tracked(goal), goal
        assert not gc.is_tracked(community._contributions[key])
        assert not gc.is_tracked(community._reached[key])
    assert all(not gc.is_tracked(values) for values in community._values.values())
    members = [member for club in parts.fan_clubs._clubs.values() for member in club.values()]
    assert any(member[5] is not None for member in members)  # someone has task slots
    assert all(not gc.is_tracked(member) for member in members)
    boards = parts.leaderboards._boards.values()
    partitions = [scores for board in boards for scores in board.scores.values()]
    assert partitions
    assert all(not gc.is_tracked(scores) for scores in partitions)
