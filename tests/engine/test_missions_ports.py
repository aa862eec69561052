"""The missions read other layers only through what they are handed: a ViewerFacts port for
badges and fan-club levels, and the outcome type announcing a new fan-club level."""

from __future__ import annotations

from datetime import UTC, datetime

from fests import ev, make_fest, mission

from festengine.assembly import Engine
from festengine.engine.component import StepContext
from festengine.engine.missions import Missions
from festengine.engine.outcomes import BadgeAwarded, MissionProgressed, MissionUnlocked
from festengine.social.outcomes import LevelChanged

FEST = make_fest(
    mission("vip", "comment", 2, requires={"badge": {"badge": "supporter", "tier": "silver"}}),
    mission("club", "comment", 2, requires={"fan_club_level": 3}),
)
TS = datetime(2026, 3, 2, 10, 0, tzinfo=UTC).timestamp()


class Facts:
    """Badges and fan-club levels as a test sets them."""

    def __init__(self) -> None:
        self.badges: set[tuple[str, str, str]] = set()
        self.levels: dict[str, int] = {}

    def has_badge(self, user_id: str, badge: str, tier: str) -> bool:
        return (user_id, badge, tier) in self.badges

    def fan_club_level(self, user_id: str) -> int:
        return self.levels.get(user_id, 0)


def _context(event_id: str) -> StepContext:
    return StepContext(Engine(FEST)._routing, event_id, TS)


def test_prerequisites_are_read_through_the_viewer_facts_handed_in() -> None:
    """A badge-gated mission counts once the facts say the viewer holds the badge, not before."""
    facts = Facts()
    missions = Missions(FEST, facts=facts)
    count = missions.handlers()["comment"]
    ctx = _context("e1")
    count(ev("e1", "comment", "2026-03-02T10:00:00Z"), ctx)
    assert ctx.outcomes == []
    facts.badges.add(("u1", "supporter", "silver"))
    ctx = _context("e2")
    count(ev("e2", "comment", "2026-03-02T10:01:00Z"), ctx)
    assert [type(o) for o in ctx.outcomes] == [MissionUnlocked, MissionProgressed]
    assert [row.state for row in missions.status("u1")] == ["active", "locked"]


def test_a_level_change_outcome_unlocks_level_gated_missions_when_subscribed() -> None:
    """Given the outcome type of level changes, the missions subscribe to it and unlock what the new
    level opens, trusting the level the outcome carries (the club may record it only afterwards)."""
    facts = Facts()
    missions = Missions(FEST, facts=facts, level_changed=LevelChanged)
    on_level = missions.subscriptions()[LevelChanged]
    ctx = _context("e1")
    on_level(LevelChanged(event_id="e1", user_id="u1", creator_id="c1", old_level=1, new_level=2, points=20), ctx)
    assert ctx.outcomes == []
    on_level(LevelChanged(event_id="e1", user_id="u1", creator_id="c1", old_level=2, new_level=3, points=30), ctx)
    assert ctx.outcomes == [MissionUnlocked(event_id="e1", subject="u1", mission_id="club")]
    on_level(LevelChanged(event_id="e1", user_id="u1", creator_id="c1", old_level=3, new_level=4, points=40), ctx)
    assert len(ctx.outcomes) == 1  # unlocked once


def test_without_the_level_outcome_type_there_is_no_level_subscription() -> None:
    """The missions subscribe to badges always, to level changes only when told the outcome type."""
    assert list(Missions(FEST, facts=Facts()).subscriptions()) == [BadgeAwarded]
    assert list(Missions(FEST, facts=Facts(), level_changed=LevelChanged).subscriptions()) == [
        BadgeAwarded,
        LevelChanged,
    ]
