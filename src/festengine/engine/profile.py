"""Viewer profiles: badges (never the same tier twice) and fest points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from festengine.catalog.model import Fest, Reward
from festengine.engine.component import Component, RewardHandler, StepContext
from festengine.engine.keys import Owner
from festengine.engine.outcomes import BadgeAwarded, PointsAwarded
from festengine.engine.shapes import STR, Bad, Shape, dict_of, integer, record

__all__ = ["Profiles"]


class Profiles(Component):
    name: ClassVar[str] = "profiles"
    owner: ClassVar[Owner | None] = Owner.VIEWER

    def __init__(self, fest: Fest) -> None:
        super().__init__(fest)
        #: user -> badge -> index of the highest tier held
        self._badges: dict[str, dict[str, int]] = {}
        self._points: dict[str, int] = {}

    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        return {"badge": self._grant_badge_reward, "points": self._grant_points_reward}

    def _grant_badge_reward(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        assert reward.badge is not None  # noqa: S101 - the compiler sets it for badge rewards
        self.award_badge(user_id, reward.badge.badge, reward.badge.tier, source, ctx)

    def _grant_points_reward(self, user_id: str, reward: Reward, source: str, ctx: StepContext) -> None:
        self.add_points(user_id, reward.points, source, ctx)

    def award_badge(self, user_id: str, badge_id: str, tier: str, source: str, ctx: StepContext) -> bool:
        """Grant ``tier`` unless the user holds it or a higher tier already; say whether it was granted."""
        index = self.fest.badges[badge_id].tier_index(tier)
        held = self._badges.setdefault(user_id, {})
        if held.get(badge_id, -1) >= index:
            return False
        held[badge_id] = index
        ctx.emit(BadgeAwarded(ctx.event_id, user_id, badge_id, tier, source))
        return True

    def add_points(self, user_id: str, points: int, source: str, ctx: StepContext) -> None:
        total = self._points.get(user_id, 0) + points
        self._points[user_id] = total
        ctx.emit(PointsAwarded(ctx.event_id, user_id, points, total, source))

    # ------------------------------------------------------------------ queries

    def badges(self, user_id: str) -> dict[str, str]:
        """The highest tier held of each badge."""
        return {
            badge: self.fest.badges[badge].tiers[index]
            for badge, index in sorted(self._badges.get(user_id, {}).items())
        }

    def has_badge(self, user_id: str, badge_id: str, tier: str) -> bool:
        index = self.fest.badges[badge_id].tier_index(tier)
        return self._badges.get(user_id, {}).get(badge_id, -1) >= index

    def holders(self, badge_id: str) -> int:
        """How many viewers hold the badge (at any tier)."""
        return sum(1 for held in self._badges.values() if badge_id in held)

    def points(self, user_id: str) -> int:
        return self._points.get(user_id, 0)

    def dump(self) -> object:
        return {"badges": self._badges, "points": self._points}

    def snapshot_shape(self) -> Shape:
        badges = self.fest.badges

        def held(value: object) -> None:
            dict_of(integer(0, 1_000))(value)
            for badge_id, index in cast(dict[str, int], value).items():
                if badge_id not in badges or index >= len(badges[badge_id].tiers):
                    raise Bad(f"badge {badge_id!r} has no tier number {index} in the fest")

        return record(badges=dict_of(held, STR), points=dict_of(integer(-(2**53), 2**53)))

    def load(self, data: Any) -> None:
        self._badges = data["badges"]
        self._points = data["points"]
