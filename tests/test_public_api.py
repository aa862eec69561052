"""The public front door: exactly these names are promised."""

from __future__ import annotations

import festengine
import festengine.outcomes

PUBLIC = {
    "EventProblem",
    "ActivePromotion", "CommunityGoalStatus", "FanClubMembership", "JourneyProgress", "LeaderboardEntry",
    "LeaderboardPosition",
    "Engine", "EngineFailedError", "Event", "EventParseError", "EventReader", "Fest", "FestEngineError",
    "FestValidationError", "IllegalTransitionError", "InvalidTimeError", "JournalEntry", "Ledger", "MissionStatus",
    "Money", "Outcome", "Problem",
    "SnapshotError", "Step", "UnbalancedEntryError", "__version__", "event_to_dict", "load_fest",
    "outcome_to_dict", "parse_event", "read_events",
    "UpgradeRefusedError",
}  # fmt: skip


def test_public_api_is_exactly_the_promised_names() -> None:
    """``festengine.__all__`` lists the public API and nothing else; each name resolves."""
    assert set(festengine.__all__) == PUBLIC
    for name in festengine.__all__:
        assert getattr(festengine, name) is not None


def test_every_outcome_kind_is_unique_and_gathered() -> None:
    """``festengine.outcomes`` names every outcome type once, by its ``kind``."""
    classes = [getattr(festengine.outcomes, n) for n in festengine.outcomes.__all__]
    outcome_types = [c for c in classes if isinstance(c, type) and issubclass(c, festengine.Outcome)]
    outcome_types.remove(festengine.Outcome)
    assert len({c.kind for c in outcome_types}) == len(outcome_types)
    assert set(festengine.outcomes.ALL_OUTCOMES.values()) == set(outcome_types)


def test_engine_queries_cover_every_layer() -> None:
    """The engine answers for missions, badges, money, fan clubs, journeys, goals, boards and promotions."""
    for query in ("missions", "badges", "points", "balance", "entries", "budget_left", "fan_clubs",
                  "fan_club_members", "journeys", "community_goal", "leaderboard", "leaderboard_position",
                  "active_promotions", "snapshot", "restore", "advance_to", "apply_many"):  # fmt: skip
        assert callable(getattr(festengine.Engine, query)), query


def test_engine_queries_answer_on_the_bundled_pack() -> None:
    """Each engine query returns the layer's answer after a few events on the bundled pack."""
    from datetime import UTC, datetime
    from pathlib import Path

    fest = festengine.load_fest(Path(__file__).resolve().parent.parent / "missions" / "community-fest")
    engine = festengine.Engine(fest)
    base = {"user_id": "u1", "creator_id": "c1", "stream_id": "s1"}
    for number, (kind, extra) in enumerate([
        ("fan_club_join", {}),
        ("gift", {"gift_id": "rose", "repeat_count": 1, "repeat_end": True}),
        ("purchase", {"order_id": "o1", "product_id": "p1", "category": "beauty", "price": "20.00", "currency": "USD"}),
    ]):  # fmt: skip
        event = festengine.parse_event(
            {"event_id": f"e{number}", "type": kind, "occurred_at": f"2026-06-16T03:0{number}:00Z", **base, **extra}
        )
        assert engine.apply(event).accepted
    assert [club.creator_id for club in engine.fan_clubs("u1")] == ["c1"]
    assert 1 in engine.fan_club_members("c1")
    assert engine.journeys("u1")
    assert engine.balance("creator:c1:gift_earnings").amount > 0
    assert engine.entries("creator:c1")
    assert engine.budget_left(sorted(fest.economy.budgets)[0]).amount >= 0
    assert isinstance(engine.leaderboard(sorted(fest.leaderboards)[0], limit=3), list)
    assert isinstance(engine.active_promotions("u1", datetime(2026, 6, 16, 4, tzinfo=UTC)), list)
    assert engine.missions("u1")


def test_every_type_a_query_returns_is_exported() -> None:
    """Each of our types named in the return annotation of an engine query is exported by ``festengine``."""
    import re

    queries = ("missions", "balance", "entries", "budget_left", "fan_clubs", "fan_club_members", "journeys",
               "community_goal", "leaderboard", "leaderboard_position", "active_promotions")  # fmt: skip
    for query in queries:
        returned = str(getattr(festengine.Engine, query).__annotations__["return"])
        ours = set(re.findall(r"\b[A-Z][A-Za-z0-9]*", returned)) - {"None"}
        assert ours, query
        for name in ours:
            assert name in festengine.__all__, (query, name)
    assert {"FanClubMembership", "JourneyProgress", "CommunityGoalStatus", "LeaderboardEntry",
            "LeaderboardPosition", "ActivePromotion"} <= set(festengine.__all__)  # fmt: skip
