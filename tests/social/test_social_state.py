"""The social layer's per-key state is small typed records with named fields and ``__slots__`` (no
per-object ``__dict__``), and the tables inside them are flat dicts of strings and numbers, which the
garbage collector stops tracking: tens of thousands of goals, members and partitions must stay small
and must not make every full collection walk their contents (a performance property, not a rule of
the fest). Collector tuning for the records themselves belongs to the shell (``gc.freeze``)."""

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


def _slotted(record: object) -> bool:
    """No ``__dict__`` and declared fields: ``__slots__``, or the native layout of a class the optional
    compiled build compiled with mypyc (which has no ``__slots__`` attribute)."""
    fields = getattr(type(record), "__slots__", None) or getattr(type(record), "__mypyc_attrs__", None)
    return not hasattr(record, "__dict__") and bool(fields)


def test_goals_members_slots_and_partitions_are_slotted_records_with_untracked_tables() -> None:
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
    gc.collect()
    parts = social(engine)
    goals = list(parts.community._goals.values())
    assert goals
    assert any(goal.values for goal in goals)  # the distinct goal's values
    for goal in goals:
        assert _slotted(goal), goal
        assert not gc.is_tracked(goal.contributions)
        assert not gc.is_tracked(goal.reached)
        assert goal.values is None or not gc.is_tracked(goal.values)
    members = [member for club in parts.fan_clubs._clubs.values() for member in club.values()]
    slots = [slot for member in members if member.slots for slot in member.slots if slot is not None]
    assert slots  # someone has task slots
    assert all(_slotted(record) for record in (*members, *slots))
    boards = parts.leaderboards._boards.values()
    partitions = [partition for board in boards for partition in board.partitions.values()]
    assert partitions
    assert all(_slotted(partition) for partition in partitions)
    assert all(not gc.is_tracked(partition.scores) and not gc.is_tracked(partition.ticks) for partition in partitions)
