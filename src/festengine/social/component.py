"""The social component: Fan Clubs, LIVE Journeys, community goals, creator scoring, leaderboards
and promotions, composed into one engine component named ``social``.

Each mechanic lives in its own module and owns its keyed state; this component wires them to the
engine. For an event, the parts run in a fixed order: promotions (who watches which stream), Fan
Clubs, creator scoring, leaderboards, community goals. Each part says what an event type does to it
(with that type's rules bound once), and the component fuses them, once, into one handler per event
type, leaving out the parts the fest does not use. Parts talk through outcomes: a community
goal's :class:`ContributorRewarded` messages are applied to each contributor here, goal levels
trigger promotions, and mission completions advance journeys and trigger promotions. The rules of
each mechanic are in its module and in ``docs/social.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from festengine._vocab import EVENT_FIELDS
from festengine.catalog.model import Fest
from festengine.engine.component import (
    Check,
    Component,
    Handler,
    MessageHandler,
    RewardHandler,
    StepContext,
    Subscriber,
    Timers,
)
from festengine.engine.keys import ALL_VIEWERS, FEST_KEY, Owner, viewer_key
from festengine.engine.messages import Message
from festengine.engine.outcomes import MissionClaimed, MissionCompleted, Outcome, PointsAwarded
from festengine.engine.shapes import Shape
from festengine.events import Event
from festengine.social import community, fanclub, promotions
from festengine.social.community import CommunityGoals, CommunityGoalStatus
from festengine.social.fanclub import BadgeAwarder, FanClubMembership, FanClubs
from festengine.social.journeys import JourneyProgress, Journeys
from festengine.social.leaderboards import LeaderboardEntry, LeaderboardPosition, Leaderboards
from festengine.social.messages import BoardPoints, GoalReached, RewardContributor
from festengine.social.outcomes import (
    CommunityGoalCompleted,
    CommunityLevelReached,
    ContributorRewarded,
    CreatorPointsEarned,
)
from festengine.social.promotions import ActivePromotion, PromotionFunds, Promotions
from festengine.social.rules import DayClock, Number
from festengine.social.scoring import CreatorScoring
from festengine.social.snapshot import social_snapshot_shape, social_timer_shape

if TYPE_CHECKING:
    from festengine.social.snapshot import SocialData

__all__ = ["Social"]


class _Part(Protocol):
    """A mechanic of the social layer, as the component fuses its handlers."""

    def handler(self, event_type: str) -> Handler | None: ...


@contextmanager
def _reading(ctx: StepContext, event: Event | None) -> Iterator[None]:
    """Apply a message with the event that caused it as the step's event (what the parts read)."""
    previous = ctx.event
    ctx.event = event
    try:
        yield
    finally:
        ctx.event = previous


def _fuse(steps: list[Handler]) -> Handler:
    """One handler running ``steps`` in order (the step itself when there is one)."""
    if len(steps) == 1:
        return steps[0]
    if len(steps) == 2:  # the common case: no loop
        first, second = steps

        def both(event: Event, ctx: StepContext) -> None:
            first(event, ctx)
            second(event, ctx)

        return both
    chain = tuple(steps)

    def all_of(event: Event, ctx: StepContext) -> None:
        for step in chain:
            step(event, ctx)

    return all_of


class Social(Component):
    """Fan Clubs, journeys, community goals, scoring, leaderboards and promotions of one fest.

    ``badges`` is where Fan Club levels award their badges (the composition root passes the profiles);
    ``funds`` is where promotions round amounts and pay discounts (it passes the economy).

    Owners: Fan Clubs, journeys and promotions run for the viewer kind; community goals, creator
    scoring and leaderboards for the fest (:mod:`festengine.social.messages` says what travels between them).
    """

    name: ClassVar[str] = "social"

    def __init__(self, fest: Fest, badges: BadgeAwarder, funds: PromotionFunds) -> None:
        self.fest = fest  # no engine: the parts talk to the rest through ports, outcomes and the step context
        days = DayClock(fest.calendar)
        self.fan_clubs = FanClubs(fest, badges, days, self.name)
        self.scoring = CreatorScoring(fest, days)
        self.leaderboards = Leaderboards(fest, days)
        self.community = CommunityGoals(fest, self.name)
        self.promotions = Promotions(fest, self.name, funds)
        self.journeys = Journeys(fest)
        #: the missions whose completion a journey or a promotion waits for
        self._watched = self.journeys.missions | self.promotions.trigger_missions
        self._timers = {
            fanclub.TIMER: self.fan_clubs.on_timer,
            community.TIMER: self.community.on_timer,
            promotions.TIMER: self.promotions.on_timer,
        }
        self._handlers = self._fused_handlers()

    def hold(self, owners: frozenset[Owner]) -> None:
        self.owners = owners
        self._handlers = self._fused_handlers()

    def _fused_handlers(self) -> dict[str, Handler]:
        """Per event type, one handler doing what each part held does with it, in the parts' order."""
        parts: list[_Part] = []
        if self.holds(Owner.VIEWER):
            parts += (self.promotions, self.fan_clubs)
        if self.holds(Owner.FEST):
            parts += (self.scoring, self.leaderboards, self.community)
        table: dict[str, Handler] = {}
        for event_type in EVENT_FIELDS:
            steps = [step for part in parts if (step := part.handler(event_type)) is not None]
            if steps:
                table[event_type] = _fuse(steps)
        return table

    # ------------------------------------------------------------------ wiring

    def start(self, timers: Timers) -> None:
        if self.holds(Owner.VIEWER):
            self.promotions.start(timers)

    def checks(self) -> Mapping[str, Check]:
        return {"purchase": self.promotions.check_purchase} if self.holds(Owner.VIEWER) else {}

    def handlers(self) -> Mapping[str, Handler]:
        return self._handlers

    def announcements(self) -> Mapping[str, Handler]:
        if not self.holds(Owner.VIEWER):
            return {}
        return {kind: step for kind in EVENT_FIELDS if (step := self.fan_clubs.announcement(kind)) is not None}

    def reward_handlers(self) -> Mapping[str, RewardHandler]:
        if not self.holds(Owner.VIEWER):
            return {}
        return {"fan_club_points": self.fan_clubs.grant_reward, "promotion": self.promotions.grant_reward}

    def subscriptions(self) -> Mapping[type[Outcome], Subscriber]:
        table: dict[type[Outcome], Subscriber] = {}
        if self.holds(Owner.VIEWER):
            table.update(self._viewer_subscriptions())
        if self.holds(Owner.FEST):
            table.update(self._fest_subscriptions())
        return table

    def _viewer_subscriptions(self) -> dict[type[Outcome], Subscriber]:
        table: dict[type[Outcome], Subscriber] = {}
        if self._watched:
            table[MissionCompleted] = self._on_mission_completed
        if self.journeys.claims_watched:
            table[MissionClaimed] = self._on_mission_claimed
        if self.leaderboards.ranks_viewer_points:
            table[PointsAwarded] = self._send_board_points
        return table

    def _fest_subscriptions(self) -> dict[type[Outcome], Subscriber]:
        table: dict[type[Outcome], Subscriber] = {ContributorRewarded: self._send_contributor_reward}
        if self.promotions.goal_triggered:
            table[CommunityLevelReached] = self._send_level_reached
            table[CommunityGoalCompleted] = self._send_goal_completed
        if self.leaderboards.ranks_creator_points:
            table[CreatorPointsEarned] = self.leaderboards.on_creator_points
        return table

    def message_handlers(self) -> Mapping[type[Message], MessageHandler]:
        table: dict[type[Message], MessageHandler] = {}
        if self.holds(Owner.VIEWER):
            table[RewardContributor] = self._on_contributor_rewarded
            table[GoalReached] = self._on_goal_reached
        if self.holds(Owner.FEST):
            table[BoardPoints] = self._on_board_points
        return table

    def _on_mission_completed(self, outcome: MissionCompleted, ctx: StepContext) -> None:
        if outcome.mission_id not in self._watched:
            return
        self.journeys.mission_done(outcome.subject, outcome.mission_id, ctx)
        self.promotions.on_mission_completed(outcome, ctx)

    def _on_mission_claimed(self, outcome: MissionClaimed, ctx: StepContext) -> None:
        self.journeys.mission_claimed(outcome.subject, outcome.mission_id, ctx)

    # ------------------------------------------------------------------ messages between the fest and viewers

    def _send_contributor_reward(self, outcome: ContributorRewarded, ctx: StepContext) -> None:
        ctx.send(RewardContributor(to=viewer_key(outcome.user_id), rewarded=outcome, event=ctx.event))

    def _on_contributor_rewarded(self, message: RewardContributor, ctx: StepContext) -> None:
        """At the contributor's key: the goal's rewards, then journeys (read in the causing event)."""
        outcome = message.rewarded
        mission = self.fest.missions[outcome.mission_id]
        with _reading(ctx, message.event):
            for reward in mission.rewards:
                ctx.grant(outcome.user_id, reward, mission.id)
            self.journeys.mission_done(outcome.user_id, mission.id, ctx)

    def _send_board_points(self, outcome: PointsAwarded, ctx: StepContext) -> None:
        ctx.send(BoardPoints(to=FEST_KEY, points=outcome, event=ctx.event))

    def _on_board_points(self, message: BoardPoints, ctx: StepContext) -> None:
        with _reading(ctx, message.event):
            self.leaderboards.on_viewer_points(message.points, ctx)

    def _send_level_reached(self, outcome: CommunityLevelReached, ctx: StepContext) -> None:
        ctx.send(GoalReached(to=ALL_VIEWERS, level=outcome, completed=None, event=ctx.event))

    def _send_goal_completed(self, outcome: CommunityGoalCompleted, ctx: StepContext) -> None:
        ctx.send(GoalReached(to=ALL_VIEWERS, level=None, completed=outcome, event=ctx.event))

    def _on_goal_reached(self, message: GoalReached, ctx: StepContext) -> None:
        with _reading(ctx, message.event):
            if message.level is not None:
                self.promotions.on_level_reached(message.level, ctx)
            if message.completed is not None:
                self.promotions.on_goal_completed(message.completed, ctx)

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        self._timers[str(payload[0])](payload, ctx)

    # ------------------------------------------------------------------ queries: Fan Clubs

    def fan_club_level(self, user_id: str) -> int:
        """The user's highest Fan Club level over all clubs (0 when in none)."""
        return self.fan_clubs.level(user_id)

    def fan_club_memberships(self, user_id: str) -> list[FanClubMembership]:
        """A viewer's clubs, in the order joined."""
        return self.fan_clubs.clubs_of(user_id)

    def fan_club_membership(self, user_id: str, creator_id: str) -> FanClubMembership | None:
        """A viewer's membership of one creator's club, or ``None``."""
        return self.fan_clubs.membership(user_id, creator_id)

    def fan_club_members(self, creator_id: str) -> dict[int, list[FanClubMembership]]:
        """A creator's members by level, highest first; each level's members in join order."""
        return self.fan_clubs.members_by_level(creator_id)

    # ------------------------------------------------------------------ queries: journeys

    def journey(self, user_id: str, journey_id: str) -> JourneyProgress:
        """A viewer's progress at a journey, with the next step's missions."""
        return self.journeys.progress(user_id, journey_id)

    def journeys_of(self, user_id: str) -> list[JourneyProgress]:
        """A viewer's progress at every journey, in pack order."""
        return self.journeys.all_progress(user_id)

    def next_journey_step(self, user_id: str, journey_id: str) -> tuple[str, ...]:
        """The missions of the viewer's next step (several for a branch; empty when finished)."""
        return self.journeys.progress(user_id, journey_id).next_missions

    # ------------------------------------------------------------------ queries: community goals

    def community_goal(self, mission_id: str, subject_id: str, window: str | None = None) -> CommunityGoalStatus | None:
        """A community goal of a creator or stream: in ``window``, or the latest window it ran in."""
        return self.community.status(mission_id, subject_id, window)

    def community_goals(self, subject_id: str | None = None) -> list[CommunityGoalStatus]:
        """Every community goal that started (of one creator or stream, if given)."""
        return self.community.statuses(subject_id)

    # ------------------------------------------------------------------ queries: scoring and leaderboards

    def creator_points(self, creator_id: str) -> Number:
        """A creator's fest points from the scoring rules."""
        return self.scoring.points(creator_id)

    def leaderboard(
        self,
        board_id: str,
        scope_id: str | None = None,
        day: date | None = None,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> list[LeaderboardEntry]:
        """A board's top entries; ``scope_id`` names the creator or stream of scoped boards, ``day``
        the local fest day of daily boards (by default the day of ``now``, the caller's clock, or the
        fest's first day)."""
        return self.leaderboards.top(board_id, scope_id, self._day(board_id, day, now), limit)

    def leaderboard_position(
        self,
        board_id: str,
        entity_id: str,
        scope_id: str | None = None,
        day: date | None = None,
        around: int = 2,
        now: datetime | None = None,
    ) -> LeaderboardPosition | None:
        """A viewer's or creator's rank on a board and the entries around it, or ``None`` if unranked."""
        return self.leaderboards.position(board_id, entity_id, scope_id, self._day(board_id, day, now), around)

    def _day(self, board_id: str, day: date | None, now: datetime | None) -> date | None:
        if day is not None or self.leaderboards.board(board_id).period != "daily":
            return day
        clock = now or self.fest.starts_at
        calendar = self.fest.calendar
        return calendar.local_date(calendar.day_of(clock.timestamp()))

    # ------------------------------------------------------------------ queries: promotions

    def active_promotions(
        self,
        user_id: str,
        at: datetime,
        product_id: str | None = None,
        category: str | None = None,
        stream_id: str | None = None,
    ) -> list[ActivePromotion]:
        """The promotions that apply to a viewer at ``at`` (for a product/category and in a stream, if given)."""
        return self.promotions.active(user_id, at, product_id, category, stream_id)

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        return {
            "fan_clubs": self.fan_clubs.dump(),
            "scoring": self.scoring.dump(),
            "leaderboards": self.leaderboards.dump(),
            "community": self.community.dump(),
            "promotions": self.promotions.dump(),
            "journeys": self.journeys.dump(),
        }

    def snapshot_shape(self) -> Shape:
        return social_snapshot_shape(self.fest, self.community.missions)

    def timer_shape(self) -> Shape:
        return social_timer_shape(self.fest, self.community.missions)

    def load(self, data: object) -> None:
        checked = cast("SocialData", data)  # checked against snapshot_shape before load runs
        self.fan_clubs.load(checked["fan_clubs"])
        self.scoring.load(checked["scoring"])
        self.leaderboards.load(checked["leaderboards"])
        self.community.load(checked["community"])
        self.promotions.load(checked["promotions"])
        self.journeys.load(checked["journeys"])
