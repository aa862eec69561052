"""Gift streaks: a streak arrives as several events with a growing repeat_count; each gift counts once."""

from __future__ import annotations

from fests import ev, make_fest, mission, of, run

from festengine.assembly import Engine
from festengine.engine.outcomes import MissionProgressed

GIFT_MISSIONS = (
    mission("gifts", "gift", 1_000),
    mission("coins", "gift", 1_000_000, measure={"kind": "sum", "field": "coins"}),
)


def engine() -> Engine:
    return Engine(make_fest(*GIFT_MISSIONS))


def totals(steps: object) -> list[tuple[str, str, int]]:
    """(event id, mission, progress) of each MissionProgressed."""
    return [(o.event_id, o.mission_id, o.progress) for o in of(steps, MissionProgressed)]  # type: ignore[arg-type]


def streak(prefix: str, gift: str, counts: list[int], *, end: bool = True, **fields: object) -> list[object]:
    """The events of one streak: repeat_count growing through ``counts``, the last one ending it if ``end``."""
    return [
        ev(f"{prefix}{i}", "gift", f"2026-03-02T10:00:{i:02}Z", gift_id=gift, repeat_count=count,
           repeat_end=end and i == len(counts) - 1, **fields)
        for i, count in enumerate(counts)
    ]  # fmt: skip


def test_a_streak_counts_each_gift_once() -> None:
    """Events with repeat_count 1, 2, 5 (the last ending the streak) count 5 roses, not 8."""
    e = engine()
    steps = run(e, *streak("r", "rose", [1, 2, 5]))
    assert totals(steps) == [
        ("r0", "gifts", 1),
        ("r0", "coins", 1),
        ("r1", "gifts", 2),
        ("r1", "coins", 2),
        ("r2", "gifts", 5),
        ("r2", "coins", 5),
    ]


def test_a_single_streakable_gift_sent_once_arrives_twice_and_counts_once() -> None:
    """A streakable gift sent once arrives as repeat_count 1 without, then with repeat_end: one gift."""
    e = engine()
    first, last = run(e, *streak("r", "panda", [1, 1]))
    assert totals(first) == [("r0", "gifts", 1), ("r0", "coins", 5)]
    assert last.accepted
    assert last.outcomes == ()  # the closing event adds nothing and reaches no mission


def test_a_streak_without_a_final_event_then_a_new_streak() -> None:
    """A streak that never ends is counted as far as it got; a new streak (repeat_count falls) counts afresh."""
    e = engine()
    run(e, *streak("a", "rose", [1, 2, 3], end=False))
    steps = run(
        e,
        ev("b0", "gift", "2026-03-02T10:01:00Z", gift_id="rose", repeat_count=1, repeat_end=False),
        ev("b1", "gift", "2026-03-02T10:01:01Z", gift_id="rose", repeat_count=2, repeat_end=True),
    )
    assert totals(steps) == [("b0", "gifts", 4), ("b0", "coins", 4), ("b1", "gifts", 5), ("b1", "coins", 5)]


def test_a_new_streak_after_an_ended_one_counts_from_its_start() -> None:
    """After repeat_end, the next event of the same gift starts a new streak."""
    e = engine()
    run(e, *streak("a", "rose", [1, 3]))
    steps = run(e, ev("b0", "gift", "2026-03-02T10:01:00Z", gift_id="rose", repeat_count=2, repeat_end=True))
    assert totals(steps) == [("b0", "gifts", 5), ("b0", "coins", 5)]


def test_count_per_event_multiplies_the_streak() -> None:
    """A streak of combo events with count 2 counts count x the repeat_count increase."""
    e = engine()
    steps = run(e, *streak("r", "panda", [1, 3], count=2))
    assert totals(steps) == [("r0", "gifts", 2), ("r0", "coins", 10), ("r1", "gifts", 6), ("r1", "coins", 30)]


def test_non_streakable_gifts_count_every_event() -> None:
    """A gift that is not streakable counts count x repeat_count on every event, ended or not."""
    e = engine()
    steps = run(
        e,
        ev("l0", "gift", "2026-03-02T10:00:00Z", gift_id="lion"),
        ev("l1", "gift", "2026-03-02T10:00:01Z", gift_id="lion", repeat_count=1, repeat_end=False),
        ev("l2", "gift", "2026-03-02T10:00:02Z", gift_id="lion", repeat_count=2),
    )
    assert totals(steps) == [
        ("l0", "gifts", 1),
        ("l0", "coins", 29_999),
        ("l1", "gifts", 2),
        ("l1", "coins", 59_998),
        ("l2", "gifts", 4),
        ("l2", "coins", 119_996),
    ]


def test_streaks_are_kept_apart_by_viewer_stream_and_gift() -> None:
    """Interleaved streaks of different viewers, streams or gifts do not disturb each other."""
    e = engine()
    steps = run(
        e,
        ev("a1", "gift", "2026-03-02T10:00:00Z", gift_id="rose", repeat_count=1, repeat_end=False),
        ev("b1", "gift", "2026-03-02T10:00:01Z", gift_id="rose", repeat_count=1, repeat_end=False, stream_id="s2"),
        ev("c1", "gift", "2026-03-02T10:00:02Z", gift_id="panda", repeat_count=1, repeat_end=False),
        ev("d1", "gift", "2026-03-02T10:00:03Z", gift_id="rose", repeat_count=1, repeat_end=False, user="u2"),
        ev("a2", "gift", "2026-03-02T10:00:04Z", gift_id="rose", repeat_count=2, repeat_end=True),
        ev("b2", "gift", "2026-03-02T10:00:05Z", gift_id="rose", repeat_count=3, repeat_end=True, stream_id="s2"),
        ev("c2", "gift", "2026-03-02T10:00:06Z", gift_id="panda", repeat_count=2, repeat_end=True),
        ev("d2", "gift", "2026-03-02T10:00:07Z", gift_id="rose", repeat_count=4, repeat_end=True, user="u2"),
    )
    u1_gifts = [o.progress for o in of(steps, MissionProgressed) if o.subject == "u1" and o.mission_id == "gifts"]
    u2_gifts = [o.progress for o in of(steps, MissionProgressed) if o.subject == "u2" and o.mission_id == "gifts"]
    assert u1_gifts == [1, 2, 3, 4, 6, 7]  # a: 1+1, b: 1+2, c: 1+1
    assert u2_gifts == [1, 4]
    u1_coins = [o.progress for o in of(steps, MissionProgressed) if o.subject == "u1" and o.mission_id == "coins"]
    assert u1_coins[-1] == 2 * 1 + 3 * 1 + 2 * 5


def test_a_repeated_streak_event_is_a_duplicate_and_counts_nothing() -> None:
    """A streak event delivered twice (same event_id) is a Duplicate and the streak is not counted again."""
    e = engine()
    events = streak("r", "rose", [1, 2, 3])
    steps = run(e, events[0], events[1], events[1], events[2], events[2])
    assert steps[2].duplicate
    assert steps[4].duplicate
    assert [p for _, m, p in totals(steps) if m == "gifts"] == [1, 2, 3]


def test_gift_filters_see_the_counted_gift() -> None:
    """Mission filters and measures see the deduplicated gift: ``count`` is the gifts this event adds."""
    fest = make_fest(mission("big", "gift", 10, counts={"event": "gift", "where": {"count": {"at_least": 3}}}))
    e = Engine(fest)
    steps = run(e, *streak("r", "rose", [1, 4, 5]))  # adds 1, 3, 1
    assert [(o.event_id, o.progress) for o in of(steps, MissionProgressed)] == [("r1", 3)]


def test_unknown_gifts_and_channels_are_rejected() -> None:
    """A gift not in the catalogue, or a coin channel without a coin value, is Rejected and changes nothing."""
    e = engine()
    e.apply(ev("e0", "like", "2026-03-02T09:00:00Z"))
    before = e.snapshot()
    unknown = e.apply(ev("g1", "gift", "2026-03-02T10:00:00Z", gift_id="unicorn"))
    assert unknown.rejected is not None
    assert unknown.rejected.code == "unknown_gift"
    assert "'unicorn'" in unknown.rejected.reason
    assert "rose" in unknown.rejected.reason  # names the known gifts
    channel = e.apply(ev("g2", "gift", "2026-03-02T10:00:00Z", gift_id="rose", channel="tv"))
    assert channel.rejected is not None
    assert channel.rejected.code == "unknown_channel"
    assert e.snapshot() == before
