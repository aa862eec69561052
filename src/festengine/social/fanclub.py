"""Fan Clubs: membership, task points with daily caps, levels and badges, pausing and resuming.

State is owned by the club, that is the creator key: ``creator -> user -> Member`` in join order.
Per viewer the layer also keeps the clubs joined (in join order) and the highest level held in
any club, which is what ``requires.fan_club_level`` of a viewer mission compares with.

Rules, in the words of ``docs/social.md``:

* A viewer joins by sending the fest's ``join_gift`` or by a ``fan_club_join`` event; a join also
  follows the creator (:class:`CreatorFollowed`) and makes the member level 1.
* Task points go to the club of the event's creator, for members only, capped per task, member
  and fest day. The join gift itself earns task points (the member joins first).
* Levels follow the thresholds; each change is a :class:`LevelChanged`, and levels with a badge
  award it (the highest tier per badge when several levels are passed at once).
* When the creator goes LIVE at ``T``, every member whose last points (or join) came before
  ``T`` and who earns none up to ``T + pause_after_days`` is paused; the check runs
  ``allowed_lateness`` later so late events are heard. The next points resume the member.
  Pausing never takes points away.
* A ``fan_club_points`` reward goes to the club of the causing event's creator if the user is a
  member there, else to the club the user joined most recently; a user in no club gets a
  :class:`FanClubRewardSkipped`.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime
from typing import Any, Protocol, TypeAlias

import attrs

from festengine._share import share
from festengine.catalog.model import Fest, Mission, Reward, Subject
from festengine.engine.component import Handler, StepContext
from festengine.events import Event
from festengine.social.outcomes import (
    CreatorFollowed,
    FanClubJoined,
    FanClubMemberPaused,
    FanClubMemberResumed,
    FanClubPointsEarned,
    FanClubRewardSkipped,
    LevelChanged,
)
from festengine.social.rules import CompiledRule, DayClock, Number, Slot, compile_rules, earn, new_slot

__all__ = ["BadgeAwarder", "FanClubMembership", "FanClubs", "Member", "UnlockRechecker"]


class BadgeAwarder(Protocol):
    """Where Fan Club levels award their badges (the engine's profiles)."""

    def award_badge(self, user_id: str, badge_id: str, tier: str, source: str, ctx: StepContext) -> bool:
        """Award the badge at this tier unless a higher one is held; whether it was awarded."""
        ...


class UnlockRechecker(Protocol):
    """Where a level change asks missions gated on Fan Club levels to unlock (the engine's missions)."""

    def recheck_unlocks(self, user: str, missions: tuple[Mission, ...], ctx: StepContext) -> None:
        """Unlock those of ``missions`` whose prerequisites the viewer now meets."""
        ...


TIMER = "fan_club"
_DAY = 86_400.0


#: One viewer's membership of one club, as a tuple of numbers rather than an object:
#: ``(joined_at, points, level, paused, last_active, slots)``. ``last_active`` is the latest time the
#: member joined or earned points; ``slots`` is ``None`` until a capped task counts, then per task its
#: slot or ``None`` (see :mod:`festengine.social.rules`). Members are many and change only when they
#: earn points: as tuples they and their slots are nothing the garbage collector has to keep walking.
Member: TypeAlias = tuple[float, Number, int, bool, float, tuple[Slot | None, ...] | None]


@attrs.frozen(slots=True)
class FanClubMembership:
    """What a viewer or creator sees of one membership."""

    creator_id: str
    user_id: str
    level: int
    points: Number
    status: str
    joined_at: datetime


class FanClubs:
    """The Fan Clubs of a fest (inactive when the pack has no ``fan_club`` section)."""

    def __init__(
        self, fest: Fest, badges: BadgeAwarder, unlocks: UnlockRechecker, days: DayClock, component: str
    ) -> None:
        club = fest.fan_club
        self._badges = badges
        self._unlocks = unlocks
        self._days = days
        self._component = component
        self._lateness = fest.allowed_lateness.total_seconds()
        self.enabled = club is not None
        self._join_gift = club.join_gift if club else None
        self._pause_after = club.pause_after_days * _DAY if club else 0.0
        self._levels = club.levels if club else ()
        self._thresholds = tuple(level.points for level in self._levels)
        self._tasks: dict[str, tuple[CompiledRule, ...]] = compile_rules(club.tasks) if club else {}
        self._task_count = len(club.tasks) if club else 0
        self._gift_tasks = "gift" in self._tasks
        self._level_missions: tuple[Mission, ...] = tuple(
            m for m in fest.missions.values() if m.subject is Subject.VIEWER and m.requires.fan_club_level is not None
        )
        self._clubs: dict[str, dict[str, Member]] = {}
        #: user -> the creators whose clubs they joined, in join order (a viewer joins a few)
        self._viewer_clubs: dict[str, tuple[str, ...]] = {}
        self._best: dict[str, int] = {}

    # ------------------------------------------------------------------ wiring

    def handlers(self) -> list[tuple[str, Handler]]:
        """``(event type, handler)`` pairs, in the order they must run."""
        if not self.enabled:
            return []
        table: list[tuple[str, Handler]] = []
        if self._join_gift is not None:
            table.append(("gift", self._on_gift))
        table.append(("fan_club_join", self._on_join_event))
        table.append(("stream_started", self._on_live))
        for event_type in self._tasks:
            joins = event_type == "fan_club_join" or (event_type == "gift" and self._join_gift is not None)
            if not joins:  # joining events run their tasks after the join
                table.append((event_type, self._on_task))
        return table

    def _on_gift(self, event: Event, ctx: StepContext) -> None:
        creator = event.creator_id
        if creator is None:
            return
        if event.gift_id == self._join_gift:
            self._join(event.user_id, creator, f"gift:{event.gift_id}", ctx)
        if self._gift_tasks:
            self._on_task(event, ctx)

    def _on_join_event(self, event: Event, ctx: StepContext) -> None:
        if event.creator_id is None:
            return
        self._join(event.user_id, event.creator_id, "fan_club_join", ctx)
        if "fan_club_join" in self._tasks:
            self._on_task(event, ctx)

    def _on_task(self, event: Event, ctx: StepContext) -> None:
        creator = event.creator_id
        if creator is None:
            return
        club = self._clubs.get(creator)
        if club is None:
            return
        user = event.user_id
        if user not in club:
            return
        days, ts = self._days, ctx.ts
        day = days.day if days.start <= ts < days.end else days.day_of(ts)
        for rule in self._tasks[event.type]:
            predicate = rule.predicate
            if predicate is not None and not predicate(event):
                continue
            if rule.stateful:
                member = club[user]  # read again for each task: earning points replaces it
                slots = member[5]
                if slots is None:
                    slots = (None,) * self._task_count
                index = rule.index
                slot = slots[index]
                points, after = earn(rule, new_slot(day) if slot is None else slot, day, event)
                if after is not slot:
                    club[user] = (*member[:5], (*slots[:index], after, *slots[index + 1 :]))
            else:
                points = earn(rule, None, day, event)[0]
            if points:
                self._add(user, creator, points, rule.rule_id, ctx)

    # ------------------------------------------------------------------ membership and points

    def _join(self, user: str, creator: str, via: str, ctx: StepContext) -> None:
        club = self._clubs.get(creator)
        if club is None:
            club = self._clubs[share(creator)] = {}
        elif user in club:
            return
        user, creator = share(user), share(creator)  # kept for good, in several tables: one copy of each
        club[user] = (ctx.ts, 0, 0, False, ctx.ts, None)
        self._viewer_clubs[user] = (*self._viewer_clubs.get(user, ()), creator)
        ctx.emit(FanClubJoined(ctx.event_id, user, creator, via))
        ctx.emit(CreatorFollowed(ctx.event_id, user, creator, "fan_club_join"))
        self._relevel(user, creator, ctx)

    def _add(self, user: str, creator: str, points: Number, source: str, ctx: StepContext) -> None:
        club = self._clubs[creator]
        joined_at, total, level, paused, last_active, slots = club[user]
        total += points
        last_active = max(last_active, ctx.ts)
        club[user] = (joined_at, total, level, paused, last_active, slots)
        ctx.emit(FanClubPointsEarned(ctx.event_id, user, creator, points, total, source))
        if paused:
            club[user] = (joined_at, total, level, False, last_active, slots)
            ctx.emit(FanClubMemberResumed(ctx.event_id, user, creator, total))
        self._relevel(user, creator, ctx)

    def _level_for(self, points: Number) -> int:
        position = bisect_right(self._thresholds, points)
        return self._levels[max(position, 1) - 1].level

    def _relevel(self, user: str, creator: str, ctx: StepContext) -> None:
        club = self._clubs[creator]
        member = club[user]
        old, points = member[2], member[1]
        new = self._level_for(points)
        if new <= old:
            return
        club[user] = (member[0], points, new, *member[3:])
        ctx.emit(LevelChanged(ctx.event_id, user, creator, old, new, points))
        self._award_badges(user, creator, old, new, ctx)
        if new > self._best.get(user, 0):
            self._best[user] = new
            if self._level_missions:
                self._unlocks.recheck_unlocks(user, self._level_missions, ctx)

    def _award_badges(self, user: str, creator: str, old: int, new: int, ctx: StepContext) -> None:
        """Per badge, the tier of the highest level passed (lower tiers would be overtaken at once)."""
        best: dict[str, tuple[int, str]] = {}
        for level in self._levels:
            if old < level.level <= new and level.badge is not None:
                best[level.badge.badge] = (level.level, level.badge.tier)
        if not best:
            return
        for badge, (number, tier) in sorted(best.items(), key=lambda item: item[1][0]):
            self._badges.award_badge(user, badge, tier, f"fan_club:{creator}:level:{number}", ctx)

    # ------------------------------------------------------------------ rewards

    def grant_reward(self, user: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A ``fan_club_points`` reward: to the club of the event's creator, else the latest club joined."""
        creator = self._club_for(user, ctx.event)
        if creator is None:
            reason = "the user is not a member of any fan club"
            ctx.emit(FanClubRewardSkipped(ctx.event_id, user, reward.fan_club_points, source, reason))
            return
        self._add(user, creator, reward.fan_club_points, source, ctx)

    def _club_for(self, user: str, event: Event | None) -> str | None:
        creator = event.creator_id if event is not None else None
        if creator is not None and user in self._clubs.get(creator, {}):
            return creator
        joined = self._viewer_clubs.get(user)
        if not joined:
            return None
        return joined[-1]

    # ------------------------------------------------------------------ pausing

    def _on_live(self, event: Event, ctx: StepContext) -> None:
        creator = event.creator_id
        if creator is None or not self._clubs.get(creator):
            return
        due = ctx.ts + self._pause_after + self._lateness
        ctx.schedule(due, self._component, [TIMER, creator, ctx.ts])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """The pause check for the LIVE of ``payload[1]`` that started at ``payload[2]``."""
        creator, live_ts = payload[1], payload[2]
        live_at = datetime.fromtimestamp(live_ts, UTC)
        deadline = datetime.fromtimestamp(live_ts + self._pause_after, UTC)
        club = self._clubs.get(creator, {})
        for user, member in club.items():
            joined_at, points, level, paused, last_active, slots = member
            if not paused and last_active < live_ts:
                club[user] = (joined_at, points, level, True, last_active, slots)  # a new value, not a new key
                ctx.emit(FanClubMemberPaused(ctx.event_id, user, creator, points, live_at, deadline))

    # ------------------------------------------------------------------ queries

    def level(self, user: str) -> int:
        """The user's highest level over all clubs (0: in no club)."""
        return self._best.get(user, 0)

    def clubs_of(self, user: str) -> list[FanClubMembership]:
        """The user's memberships, in the order joined."""
        return [self._view(creator, user) for creator in self._viewer_clubs.get(user, ())]

    def membership(self, user: str, creator: str) -> FanClubMembership | None:
        """One membership, or ``None`` if the user is not a member of the creator's club."""
        if user not in self._clubs.get(creator, {}):
            return None
        return self._view(creator, user)

    def members_by_level(self, creator: str) -> dict[int, list[FanClubMembership]]:
        """The creator's members grouped by level, highest level first, each group in join order."""
        grouped: dict[int, list[FanClubMembership]] = {}
        club = self._clubs.get(creator, {})
        for level in sorted({member[2] for member in club.values()}, reverse=True):
            grouped[level] = [self._view(creator, user) for user, member in club.items() if member[2] == level]
        return grouped

    def _view(self, creator: str, user: str) -> FanClubMembership:
        joined_at, points, level, paused, _, _ = self._clubs[creator][user]
        status = "paused" if paused else "active"
        return FanClubMembership(creator, user, level, points, status, datetime.fromtimestamp(joined_at, UTC))

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> Any:
        """JSON-ready state: clubs in join order, and each viewer's clubs in join order."""
        return {
            "clubs": {
                creator: [[user, *member] for user, member in club.items()] for creator, club in self._clubs.items()
            },
            "viewers": {user: list(clubs) for user, clubs in self._viewer_clubs.items()},
        }

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._clubs = {
            creator: {
                user: (joined, points, level, paused, last, _slots(slots))
                for user, joined, points, level, paused, last, slots in rows
            }
            for creator, rows in data["clubs"].items()
        }
        self._viewer_clubs = {user: tuple(clubs) for user, clubs in data["viewers"].items()}
        self._best = {}
        for club in self._clubs.values():
            for user, member in club.items():
                if member[2] > self._best.get(user, 0):
                    self._best[user] = member[2]


def _slots(rows: list[Any] | None) -> tuple[Slot | None, ...] | None:
    """A member's slots as dumped (lists) back in tuples."""
    return None if rows is None else tuple(None if slot is None else tuple(slot) for slot in rows)
