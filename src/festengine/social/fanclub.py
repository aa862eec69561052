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
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, TypeAlias

import attrs

from festengine._share import share
from festengine.catalog.model import Fest, Reward
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
from festengine.social.rules import CompiledRule, DayClock, Number, Slot, SlotRow, compile_rules, earn

if TYPE_CHECKING:
    from festengine.social.snapshot import FanClubsData, MemberRow

__all__ = ["BadgeAwarder", "FanClubMembership", "FanClubs", "Member", "MemberRow"]

TIMER = "fan_club"
_DAY = 86_400.0


class BadgeAwarder(Protocol):
    """Where Fan Club levels award their badges (the viewer's profile)."""

    def award_badge(self, user_id: str, badge_id: str, tier: str, source: str, ctx: StepContext) -> bool:
        """Award the badge at this tier unless a higher one is held; whether it was awarded."""
        ...


#: a member as a snapshot stores it: ``[user, joined_at, points, level, paused, last_active, slots]``
_Row: TypeAlias = list[str | float | int | bool | Decimal | list[SlotRow | None] | None]


class Member:
    """One viewer's membership of one club. ``last_active`` is the latest time the member joined or
    earned points; ``slots`` is ``None`` until a capped task counts, then per task its slot or ``None``
    (see :mod:`festengine.social.rules`)."""

    __slots__ = ("joined_at", "last_active", "level", "paused", "points", "slots")

    def __init__(self, joined_at: float) -> None:
        self.joined_at = joined_at
        self.points: Number = 0
        self.level = 0
        self.paused = False
        self.last_active = joined_at
        self.slots: list[Slot | None] | None = None

    def to_row(self, user: str) -> _Row:
        """The membership as a snapshot stores it."""
        slots = None if self.slots is None else [None if slot is None else slot.to_row() for slot in self.slots]
        return [user, self.joined_at, self.points, self.level, self.paused, self.last_active, slots]

    @classmethod
    def from_row(cls, row: MemberRow) -> Member:
        """A membership back from :meth:`to_row` (without the user; the row was checked on restore)."""
        _, joined_at, points, level, paused, last_active, slots = row
        member = cls(joined_at)
        member.points, member.level, member.paused, member.last_active = points, level, paused, last_active
        if slots is not None:
            member.slots = [None if slot is None else Slot.from_row(slot) for slot in slots]
        return member


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

    def __init__(self, fest: Fest, badges: BadgeAwarder, days: DayClock, component: str) -> None:
        club = fest.fan_club
        self._badges = badges
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
        #: creator (the club's owner key) -> user -> member, in join order
        self._clubs: dict[str, dict[str, Member]] = {}
        #: user -> the creators whose clubs they joined, in join order (a viewer joins a few)
        self._viewer_clubs: dict[str, tuple[str, ...]] = {}
        #: user -> the highest level held in any club
        self._best: dict[str, int] = {}

    # ------------------------------------------------------------------ wiring

    def handler(self, event_type: str) -> Handler | None:
        """What an event of ``event_type`` does to the clubs (joins first, then tasks), or ``None``."""
        if not self.enabled:
            return None
        tasks = self._tasks.get(event_type, ())
        if event_type == "gift" and self._join_gift is not None:
            return self._gift_handler(tasks)
        if event_type == "fan_club_join":
            return self._join_handler(tasks)
        return self._task_handler(tasks) if tasks else None

    def announcement(self, event_type: str) -> Handler | None:
        """What a fest event does for every member: a creator going LIVE starts their members' pause check."""
        return self._on_live if self.enabled and event_type == "stream_started" else None

    def _gift_handler(self, tasks: tuple[CompiledRule, ...]) -> Handler:
        join_gift, count = self._join_gift, self._task_handler(tasks) if tasks else None

        def on_gift(event: Event, ctx: StepContext) -> None:
            creator = event.creator_id
            if creator is None:
                return
            if event.gift_id == join_gift:
                self._join(event.user_id, creator, f"gift:{event.gift_id}", ctx)
            if count is not None:
                count(event, ctx)

        return on_gift

    def _join_handler(self, tasks: tuple[CompiledRule, ...]) -> Handler:
        count = self._task_handler(tasks) if tasks else None

        def on_join(event: Event, ctx: StepContext) -> None:
            if event.creator_id is None:
                return
            self._join(event.user_id, event.creator_id, "fan_club_join", ctx)
            if count is not None:
                count(event, ctx)

        return on_join

    def _task_handler(self, tasks: tuple[CompiledRule, ...]) -> Handler:
        """Task points for an event of one type: ``tasks`` are that type's rules, bound once."""
        clubs, days = self._clubs, self._days

        def on_task(event: Event, ctx: StepContext) -> None:
            creator = event.creator_id
            club = clubs.get(creator) if creator is not None else None
            if club is None or creator is None:
                return
            user = event.user_id
            member = club.get(user)
            if member is None:
                return
            ts = ctx.ts
            day = days.day if days.start <= ts < days.end else days.day_of(ts)
            for rule in tasks:
                predicate = rule.predicate
                if predicate is not None and not predicate(event):
                    continue
                points = earn(rule, self._slot(member, rule, day) if rule.stateful else None, day, event)
                if points:
                    self._add(user, creator, member, points, rule.rule_id, ctx)

        return on_task

    def _slot(self, member: Member, rule: CompiledRule, day: int) -> Slot:
        """The member's slot for a capped or per-amount task (made on first use)."""
        slots = member.slots
        if slots is None:
            slots = member.slots = [None] * self._task_count
        slot = slots[rule.index]
        if slot is None:
            slot = slots[rule.index] = Slot(day)
        return slot

    # ------------------------------------------------------------------ membership and points

    def _join(self, user: str, creator: str, via: str, ctx: StepContext) -> None:
        club = self._clubs.get(creator)
        if club is None:
            club = self._clubs[share(creator)] = {}
        elif user in club:
            return
        user, creator = share(user), share(creator)  # kept for good, in several tables: one copy of each
        member = club[user] = Member(ctx.ts)
        self._viewer_clubs[user] = (*self._viewer_clubs.get(user, ()), creator)
        ctx.emit(FanClubJoined(event_id=ctx.event_id, user_id=user, creator_id=creator, via=via))
        ctx.emit(CreatorFollowed(event_id=ctx.event_id, user_id=user, creator_id=creator, source="fan_club_join"))
        self._relevel(user, creator, member, ctx)

    def _add(self, user: str, creator: str, member: Member, points: Number, source: str, ctx: StepContext) -> None:
        member.points = total = member.points + points
        member.last_active = max(member.last_active, ctx.ts)
        ctx.emit(
            FanClubPointsEarned(
                event_id=ctx.event_id, user_id=user, creator_id=creator, points=points, total=total, source=source
            )
        )
        if member.paused:
            member.paused = False
            ctx.emit(FanClubMemberResumed(event_id=ctx.event_id, user_id=user, creator_id=creator, points=total))
        self._relevel(user, creator, member, ctx)

    def _level_for(self, points: Number) -> int:
        position = bisect_right(self._thresholds, points)
        return self._levels[max(position, 1) - 1].level

    def _relevel(self, user: str, creator: str, member: Member, ctx: StepContext) -> None:
        """A new level emits :class:`LevelChanged` (the viewer's highest level is updated first, so whoever
        reacts to it reads the new one), then awards the badges of the levels passed."""
        old, points = member.level, member.points
        new = self._level_for(points)
        if new <= old:
            return
        member.level = new
        if new > self._best.get(user, 0):
            self._best[user] = new
        ctx.emit(
            LevelChanged(
                event_id=ctx.event_id, user_id=user, creator_id=creator, old_level=old, new_level=new, points=points
            )
        )
        self._award_badges(user, creator, old, new, ctx)

    def _award_badges(self, user: str, creator: str, old: int, new: int, ctx: StepContext) -> None:
        """Per badge, the tier of the highest level passed (lower tiers would be overtaken at once)."""
        best: dict[str, tuple[int, str]] = {}
        for level in self._levels:
            if old < level.level <= new and level.badge is not None:
                best[level.badge.badge] = (level.level, level.badge.tier)
        for badge, (number, tier) in sorted(best.items(), key=lambda item: item[1][0]):
            self._badges.award_badge(user, badge, tier, f"fan_club:{creator}:level:{number}", ctx)

    # ------------------------------------------------------------------ rewards

    def grant_reward(self, user: str, reward: Reward, source: str, ctx: StepContext) -> None:
        """A ``fan_club_points`` reward: to the club of the event's creator, else the latest club joined."""
        creator = self._club_for(user, ctx.event)
        if creator is None:
            reason = "the user is not a member of any fan club"
            ctx.emit(
                FanClubRewardSkipped(
                    event_id=ctx.event_id, user_id=user, points=reward.fan_club_points, source=source, reason=reason
                )
            )
            return
        self._add(user, creator, self._clubs[creator][user], reward.fan_club_points, source, ctx)

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

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """The pause check for the LIVE of ``payload[1]`` (a creator) that started at ``payload[2]``."""
        creator, live_ts = str(payload[1]), payload[2]
        if not isinstance(live_ts, float | int):  # only a snapshot written by hand can say so
            return
        live_at = datetime.fromtimestamp(live_ts, UTC)
        deadline = datetime.fromtimestamp(live_ts + self._pause_after, UTC)
        for user, member in self._clubs.get(creator, {}).items():
            if not member.paused and member.last_active < live_ts:
                member.paused = True
                ctx.emit(
                    FanClubMemberPaused(
                        event_id=ctx.event_id,
                        user_id=user,
                        creator_id=creator,
                        points=member.points,
                        live_at=live_at,
                        deadline=deadline,
                    )
                )

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
        for level in sorted({member.level for member in club.values()}, reverse=True):
            grouped[level] = [self._view(creator, user) for user, member in club.items() if member.level == level]
        return grouped

    def _view(self, creator: str, user: str) -> FanClubMembership:
        member = self._clubs[creator][user]
        return FanClubMembership(
            creator_id=creator,
            user_id=user,
            level=member.level,
            points=member.points,
            status="paused" if member.paused else "active",
            joined_at=datetime.fromtimestamp(member.joined_at, UTC),
        )

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """JSON-ready state: clubs in join order, and each viewer's clubs in join order."""
        return {
            "clubs": {
                creator: [member.to_row(user) for user, member in club.items()] for creator, club in self._clubs.items()
            },
            "viewers": {user: list(clubs) for user, clubs in self._viewer_clubs.items()},
        }

    def load(self, data: FanClubsData) -> None:
        """Restore what :meth:`dump` produced."""
        self._clubs.clear()  # the task handlers hold this very dict
        for creator, rows in data["clubs"].items():
            self._clubs[creator] = {row[0]: Member.from_row(row) for row in rows}
        self._viewer_clubs = {user: tuple(clubs) for user, clubs in data["viewers"].items()}
        self._best = {}
        for club in self._clubs.values():
            for user, member in club.items():
                if member.level > self._best.get(user, 0):
                    self._best[user] = member.level


def _both(first: Handler, second: Handler) -> Handler:
    """One handler running ``first`` then ``second``."""

    def both(event: Event, ctx: StepContext) -> None:
        first(event, ctx)
        second(event, ctx)

    return both
