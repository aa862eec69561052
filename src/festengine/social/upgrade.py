"""The social layer when the pack of a running fest changes (see :mod:`festengine.engine.upgrade`).

* **Community goals**: a goal added starts now; removed, it is refused once it started for any
  creator or stream (its contributors were counted), else it goes; its target, levels and window are
  refused (the diff says so).
* **Leaderboards**: added start now (empty); removed are dropped with their entries.
* **Promotions**: added apply from now on (a flash window for everyone that has passed is refused;
  one already running starts at the next event); extended: a later end moves the end of a running
  flash window for everyone (refused once it ended); activations for a viewer or a stream made
  before keep their end, those made from now on use the new end or duration.
* **Fan Clubs, journeys, commission**: any change that could move members, paths or commissions is
  refused by the diff; titles are text, rewards apply from now on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from festengine.catalog.diff import ChangeKind, PackDiff
from festengine.catalog.model import Promotion, Subject
from festengine.engine.component import Component
from festengine.engine.upgrade import ComponentData, ComponentUpgrade, UpgradeTimers
from festengine.social import promotions
from festengine.social.component import Social
from festengine.social.snapshot import CommunityData, LeaderboardsData

__all__ = ["SocialUpgrade"]

_NAME = Social.name


def _for_everyone(promotion: Promotion) -> bool:
    return promotion.trigger_kind == "schedule" and promotion.audience == promotions.EVERYONE


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


class SocialUpgrade(ComponentUpgrade):
    """The upgrade hook of the social layer: community goals, leaderboards, promotions."""

    def _removed_goals(self, diff: PackDiff) -> list[str]:
        old = self.old.missions
        removed = diff.of("missions", ChangeKind.REMOVED)
        return [c.item for c in removed if old[c.item].subject is not Subject.VIEWER]

    def refusals(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        found = []
        removed = self._removed_goals(diff)
        if removed:
            goals = cast(CommunityData, cast(Social, component).community.dump())["goals"]
            for mission_id in removed:
                started = sum(1 for row in goals if row[0] == mission_id)
                if started:
                    found.append(
                        f"missions {mission_id}: removing a community goal is refused, it started for {started:,} "
                        "creators or streams"
                    )
        for change in diff.of("promotions", ChangeKind.EXTENDED):
            promotion = self.old.promotions[change.item]
            ends = promotion.ends_at
            if change.field == "ends_at" and ends is not None and ends.timestamp() <= now:
                found.append(
                    f"promotions {change.item}: it ended at {ends.isoformat()}; an ended promotion stays ended"
                )
        for change in diff.of("promotions", ChangeKind.ADDED):
            promotion = self.new.promotions[change.item]
            if _for_everyone(promotion) and promotion.ends_at is not None and promotion.ends_at.timestamp() <= now:
                found.append(f"promotions {change.item}: added with a window that ended before now ({_when(now)})")
        return found

    def effects(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        found = []
        boards = cast(LeaderboardsData, cast(Social, component).leaderboards.dump())["boards"]
        for change in diff.of("leaderboards", ChangeKind.REMOVED):
            entries = sum(len(cast("list[object]", rows)) for _tick, rows in boards.get(change.item, {}).values())
            found.append(f"leaderboard {change.item} removed: {entries:,} entries dropped")
        return found

    def migrate(self, diff: PackDiff, data: ComponentData, timers: UpgradeTimers, now: float) -> None:
        for change in diff.of("leaderboards", ChangeKind.REMOVED):
            data["leaderboards"]["boards"].pop(change.item, None)
        for change in diff.of("promotions", ChangeKind.EXTENDED):
            promotion = self.new.promotions[change.item]
            if change.field == "ends_at" and _for_everyone(promotion) and promotion.ends_at is not None:
                timers.move(_NAME, [promotions.TIMER, "stop", promotion.id], promotion.ends_at.timestamp())
        for change in diff.of("promotions", ChangeKind.ADDED):
            promotion = self.new.promotions[change.item]
            if _for_everyone(promotion) and promotion.starts_at is not None and promotion.ends_at is not None:
                timers.add(max(now, promotion.starts_at.timestamp()), _NAME, [promotions.TIMER, "start", promotion.id])
                timers.add(promotion.ends_at.timestamp(), _NAME, [promotions.TIMER, "stop", promotion.id])
