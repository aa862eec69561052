"""Creator scoring (multipliers, daily caps) and leaderboards (scopes, days, ties, ranks, GMV)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from social_fests import at, ev, make_fest, mission, of, run, social

from festengine.assembly import Engine
from festengine.catalog.model import Multiplier
from festengine.social import CreatorPointsEarned, LeaderboardEntry
from festengine.social.scoring import Multipliers

# The multiplier doubles points 20:00-20:59 UTC, which is 13:00-13:59 in Los Angeles in June.


def entries(engine: Engine, board: str, **query: object) -> list[tuple[str, object]]:
    """The board through the engine's query, whose daily boards default to the engine clock's day."""
    return [(e.entity_id, e.score) for e in engine.leaderboard(board, **query)]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- creator scoring


def test_scoring_rules_give_the_events_creator_points_with_an_exact_daily_cap() -> None:
    engine = Engine(make_fest())
    steps = run(
        engine,
        ev("like", at(1, "10:00"), count=60),
        ev("like", at(1, "10:01"), "u2", count=40),  # 100: the cap exactly
        ev("like", at(1, "10:02"), count=1),
        ev("like", at(2, "10:00"), count=5),  # a new fest day
    )
    assert [(o.rule_id, o.points, o.total) for o in of(steps, CreatorPointsEarned)] == [
        ("likes", 60, 60),
        ("likes", 40, 100),
        ("likes", 5, 105),
    ]
    assert social(engine).creator_points("c1") == 105


@pytest.mark.parametrize(
    ("clock", "factor"),
    [("12:59:59", 1), ("13:00:00", 2), ("13:59:59", 2), ("14:00:00", 1)],
)
def test_the_multiplier_covers_its_minutes_inclusive_of_the_last(clock: str, factor: int) -> None:
    engine = Engine(make_fest())
    step = engine.apply(ev("gift", at(1, clock), gift_id="panda"))  # 5 coins x 2 points
    assert [(o.points, o.factor) for o in of(step, CreatorPointsEarned)] == [(10 * factor, factor)]


def test_the_daily_cap_applies_after_the_multiplier() -> None:
    engine = Engine(make_fest())
    steps = run(engine, ev("share", at(1, "13:30")), ev("share", at(1, "13:31")))
    assert [o.points for o in of(steps, CreatorPointsEarned)] == [20]  # 10 x 2 = the cap of 20


def test_fractional_factors_keep_exact_points() -> None:
    scoring = {
        "rules": [{"id": "coins", "counts": {"event": "gift"}, "points": 1, "per": {"field": "coins", "amount": 1}}],
        "multipliers": [{"from_time": "22:00", "to_time": "02:00", "factor": "1.5"}],  # local time, past midnight
    }
    engine = Engine(make_fest(scoring=scoring))
    steps = run(engine, ev("gift", at(1, "23:00"), gift_id="rose"), ev("gift", at(2, "01:30"), gift_id="rose"))
    assert [str(o.points) for o in of(steps, CreatorPointsEarned)] == ["1.5", "1.5"]


# --------------------------------------------------------------------------- gift boards


def test_gift_boards_rank_per_fest_creator_and_stream() -> None:
    engine = Engine(make_fest())
    run(
        engine,
        ev("gift", at(1, "10:00"), "u1", gift_id="concert"),
        ev("gift", at(1, "10:01"), "u2", gift_id="panda", creator_id="c2", stream_id="s2"),
        ev("gift", at(1, "10:02"), "u2", gift_id="rose"),
    )
    assert entries(engine, "gifters") == [("u1", 500), ("u2", 6)]
    assert entries(engine, "fans", scope_id="c2") == [("u2", 5)]
    assert entries(engine, "room", scope_id="s1") == [("u1", 500), ("u2", 1)]
    assert entries(engine, "receivers") == [("c1", 501), ("c2", 5)]


def test_ties_go_to_whoever_reached_the_score_first() -> None:
    engine = Engine(make_fest())
    run(
        engine,
        ev("gift", at(1, "10:00"), "u2", gift_id="panda"),
        ev("gift", at(1, "10:01"), "u1", gift_id="panda"),
    )
    assert entries(engine, "gifters") == [("u2", 5), ("u1", 5)]
    run(engine, ev("gift", at(1, "10:02"), "u2", gift_id="rose"), ev("gift", at(1, "10:03"), "u1", gift_id="rose"))
    assert entries(engine, "gifters") == [("u2", 6), ("u1", 6)]
    engine.apply(ev("gift", at(1, "10:04"), "u1", gift_id="rose"))
    assert entries(engine, "gifters") == [("u1", 7), ("u2", 6)]


def test_daily_boards_start_again_at_local_midnight() -> None:
    engine = Engine(make_fest())
    run(
        engine,
        ev("gift", at(1, "23:59:59"), "u1", gift_id="panda"),
        ev("gift", at(2, "00:00:00"), "u2", gift_id="rose"),
    )
    assert entries(engine, "gifters_today", day=date(2026, 6, 1)) == [("u1", 5)]
    assert entries(engine, "gifters_today", day=date(2026, 6, 2)) == [("u2", 1)]
    assert entries(engine, "gifters_today") == [("u2", 1)]  # the engine clock's day by default
    # the component itself takes "now" from its caller (the fest's first day when not given)
    assert social(engine).leaderboard("gifters_today", now=engine.clock) == engine.leaderboard("gifters_today")
    assert [e.entity_id for e in social(engine).leaderboard("gifters_today")] == ["u1"]


def test_a_board_shows_its_size_and_a_rank_with_its_neighbours() -> None:
    engine = Engine(make_fest())
    run(engine, *[ev("gift", at(1, f"10:{i:02d}"), f"u{i}", gift_id="rose", count=i) for i in range(1, 8)])
    assert [e.entity_id for e in social(engine).leaderboard("fans", scope_id="c1")] == ["u7", "u6", "u5"]
    assert len(social(engine).leaderboard("fans", scope_id="c1", limit=5)) == 5
    position = social(engine).leaderboard_position("fans", "u4", scope_id="c1", around=1)
    assert position is not None
    assert (position.rank, position.score, position.ranked) == (4, 4, 7)
    assert position.entries == (
        LeaderboardEntry(3, "u5", 5),
        LeaderboardEntry(4, "u4", 4),
        LeaderboardEntry(5, "u3", 3),
    )
    top = social(engine).leaderboard_position("gifters", "u7", around=2)
    assert top is not None
    assert [e.rank for e in top.entries] == [1, 2, 3]
    assert social(engine).leaderboard_position("gifters", "nobody") is None


def test_boards_need_their_scope_and_exist() -> None:
    engine = Engine(make_fest())
    with pytest.raises(ValueError, match="one ranking per creator"):
        social(engine).leaderboard("fans")
    with pytest.raises(ValueError, match="no leaderboard"):
        social(engine).leaderboard("nope")
    assert social(engine).leaderboard("room", scope_id="s9") == []


# --------------------------------------------------------------------------- points and GMV boards


def test_creator_points_boards_whole_fest_and_daily() -> None:
    engine = Engine(make_fest())
    run(
        engine,
        ev("like", at(1, "10:00"), count=3),
        ev("like", at(2, "10:00"), count=2, creator_id="c2", stream_id="s2"),
    )
    assert entries(engine, "creators") == [("c1", 3), ("c2", 2)]
    assert entries(engine, "creators_today", day=date(2026, 6, 2)) == [("c2", 2)]


def test_viewer_points_board_follows_points_awarded() -> None:
    engine = Engine(make_fest(mission("chatty", "comment", 1, repeat=3, rewards=[{"points": 4}])))
    run(engine, ev("comment", at(1, "10:00"), "u1"), ev("comment", at(1, "10:01"), "u2"), ev("comment", at(1, "10:02")))
    assert entries(engine, "earned") == [("u1", 8), ("u2", 4)]


def test_gmv_counts_attributed_purchases_and_refunds_take_it_off() -> None:
    engine = Engine(make_fest())
    steps = run(
        engine,
        ev("purchase", at(1, "10:00"), creator_id="c1", order_id="o1", price="30.00", quantity=2, discount="5.00"),
        ev("purchase", at(1, "10:01"), creator_id="c2", order_id="o2", price="20.00"),
        ev("purchase", at(1, "10:02"), order_id="o3", price="99.00"),  # no creator: not on a creator board
        ev("refund", at(1, "11:00"), order_id="o1", amount="40.00", currency="USD"),
    )
    assert all(step.accepted for step in steps), [step.rejected for step in steps]
    assert entries(engine, "sellers") == [("c2", 20), ("c1", 15)]


def _factor_by_hand(multipliers: tuple[Multiplier, ...], ts: float) -> object:
    """The rule itself, from scratch at every instant: the highest factor covering the local minute."""
    factors = []
    for m in multipliers:
        local = datetime.fromtimestamp(ts, m.timezone)
        minute = local.hour * 60 + local.minute
        if (
            m.from_minute <= minute <= m.to_minute
            if m.from_minute <= m.to_minute
            else not m.to_minute < minute < m.from_minute
        ):
            factors.append(m.factor)
    return max(factors, default=1)


@pytest.mark.parametrize(
    "spans",
    [
        [("America/Los_Angeles", 13 * 60, 13 * 60 + 59, "2")],
        [("America/Los_Angeles", 22 * 60, 2 * 60, "1.5"), ("UTC", 20 * 60, 23 * 60 + 59, "2")],  # wraps; overlaps
        [("Australia/Lord_Howe", 1 * 60 + 45, 2 * 60 + 15, "3")],  # a 30-minute daylight-saving shift
        [("Europe/Berlin", 0, 24 * 60 - 1, "2"), ("Europe/Berlin", 2 * 60 + 30, 2 * 60 + 30, "4")],
    ],
)
def test_the_cached_factor_is_the_rule_at_every_instant_across_daylight_saving_changes(
    spans: list[tuple[str, int, int, str]],
) -> None:
    multipliers = tuple(Multiplier(start, end, Decimal(factor), ZoneInfo(zone)) for zone, start, end, factor in spans)
    cached = Multipliers(multipliers)
    instants = []
    for change in ("2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01"):
        start = datetime.fromisoformat(change + "T00:00:00+00:00").timestamp() - 2 * 86_400
        instants += [start + step * 419.5 for step in range(4 * 86_400 // 419)]  # every 7 minutes bar half a second
    rng = random.Random(5)
    for ts in instants + rng.sample(instants, len(instants)) + [t + 59.999 for t in instants]:  # in order, then not
        assert cached.factor_at(ts) == _factor_by_hand(multipliers, ts), datetime.fromtimestamp(ts, UTC)
