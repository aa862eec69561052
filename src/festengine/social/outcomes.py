"""What the social layer says happened: Fan Clubs, journeys, community goals, scoring, promotions.

All derive from the engine's :class:`~festengine.engine.outcomes.Outcome` (``event_id`` first: the
event that caused it, or that moved the clock for outcomes of time passing). Each names the rule
that caused it (creator, mission, journey, promotion, task or scoring rule) so a support agent can
answer "why?". Points and amounts are ``int`` or ``Decimal``; times are aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from festengine.engine.outcomes import Outcome

__all__ = [
    "CommunityGoalCompleted",
    "CommunityGoalExpired",
    "CommunityLevelReached",
    "CommunityProgressed",
    "ContributorRewarded",
    "CreatorFollowed",
    "CreatorPointsEarned",
    "FanClubJoined",
    "FanClubMemberPaused",
    "FanClubMemberResumed",
    "FanClubPointsEarned",
    "FanClubRewardSkipped",
    "JourneyCompleted",
    "JourneyStepCompleted",
    "LevelChanged",
    "PromotionEnded",
    "PromotionExtended",
    "PromotionStarted",
]

# --------------------------------------------------------------------------- Fan Club


class FanClubJoined(Outcome, frozen=True):
    """A viewer became a member of a creator's club; ``via`` is ``fan_club_join`` or ``gift:<gift id>``."""

    kind: ClassVar[str] = "fan_club_joined"

    user_id: str
    creator_id: str
    via: str


class CreatorFollowed(Outcome, frozen=True):
    """Joining a Fan Club also follows the creator; ``source`` says what made the viewer follow."""

    kind: ClassVar[str] = "creator_followed"

    user_id: str
    creator_id: str
    source: str


class FanClubPointsEarned(Outcome, frozen=True):
    """A member earned club points; ``source`` is the task id, or the mission or journey of a reward."""

    kind: ClassVar[str] = "fan_club_points_earned"

    user_id: str
    creator_id: str
    points: int | Decimal
    total: int | Decimal
    source: str


class LevelChanged(Outcome, frozen=True):
    """A member's level in a club changed (``old_level`` 0 on joining)."""

    kind: ClassVar[str] = "level_changed"

    user_id: str
    creator_id: str
    old_level: int
    new_level: int
    points: int | Decimal


class FanClubMemberPaused(Outcome, frozen=True):
    """The member earned no points from ``live_at`` (the creator went LIVE) to ``deadline``; points are kept."""

    kind: ClassVar[str] = "fan_club_member_paused"

    user_id: str
    creator_id: str
    points: int | Decimal
    live_at: datetime
    deadline: datetime


class FanClubMemberResumed(Outcome, frozen=True):
    """A paused member earned points again and is active."""

    kind: ClassVar[str] = "fan_club_member_resumed"

    user_id: str
    creator_id: str
    points: int | Decimal


class FanClubRewardSkipped(Outcome, frozen=True):
    """A ``fan_club_points`` reward could not be granted (the user is in no club); ``reason`` says why."""

    kind: ClassVar[str] = "fan_club_reward_skipped"

    user_id: str
    points: int
    source: str
    reason: str


# --------------------------------------------------------------------------- creator scoring


class CreatorPointsEarned(Outcome, frozen=True):
    """A creator earned fest points by a scoring rule; ``factor`` is the time-of-day multiplier applied."""

    kind: ClassVar[str] = "creator_points_earned"

    creator_id: str
    rule_id: str
    points: int | Decimal
    factor: int | Decimal
    total: int | Decimal


# --------------------------------------------------------------------------- journeys


class JourneyStepCompleted(Outcome, frozen=True):
    """Step ``step`` (1-based) of a journey is done by ``mission_id``.

    ``closed`` are the branch's other missions (no longer part of the journey for this viewer);
    ``next_missions`` are the missions of the next step (empty after the last step).
    """

    kind: ClassVar[str] = "journey_step_completed"

    user_id: str
    journey_id: str
    step: int
    mission_id: str
    steps_done: int
    steps_total: int
    closed: tuple[str, ...]
    next_missions: tuple[str, ...]


class JourneyCompleted(Outcome, frozen=True):
    """Every step of a journey is done; ``path`` is the mission taken at each step. Rewards follow."""

    kind: ClassVar[str] = "journey_completed"

    user_id: str
    journey_id: str
    path: tuple[str, ...]


# --------------------------------------------------------------------------- community goals


class CommunityProgressed(Outcome, frozen=True):
    """``user_id`` added ``amount`` to a community goal (``subject`` is the creator or stream id).

    ``contribution`` is the user's total in this round, ``total`` the community's.
    """

    kind: ClassVar[str] = "community_progressed"

    mission_id: str
    subject: str
    window: str
    round: int
    user_id: str
    amount: int | Decimal
    contribution: int | Decimal
    total: int | Decimal
    target: int | Decimal


class CommunityLevelReached(Outcome, frozen=True):
    """The goal reached ``level`` (1-based); its deadline is now ``deadline`` (``None``: the stream has not ended).

    ``user_id`` and ``stream_id`` are the contributor and stream of the event that reached it.
    """

    kind: ClassVar[str] = "community_level_reached"

    mission_id: str
    subject: str
    window: str
    round: int
    level: int
    target: int | Decimal
    total: int | Decimal
    deadline: datetime | None
    user_id: str
    stream_id: str | None


class CommunityGoalCompleted(Outcome, frozen=True):
    """The community reached the target. ``rewarded`` contributors get a :class:`ContributorRewarded` each.

    ``top_contributors`` are ``(user id, contribution)`` pairs, best first (ties: who reached it first).
    """

    kind: ClassVar[str] = "community_goal_completed"

    mission_id: str
    subject: str
    window: str
    round: int
    total: int | Decimal
    contributors: int
    rewarded: int
    top_contributors: tuple[tuple[str, int | Decimal], ...]
    user_id: str
    stream_id: str | None


class CommunityGoalExpired(Outcome, frozen=True):
    """The goal's (possibly extended) deadline passed before the round reached its target."""

    kind: ClassVar[str] = "community_goal_expired"

    mission_id: str
    subject: str
    window: str
    round: int
    total: int | Decimal
    level: int


class ContributorRewarded(Outcome, frozen=True):
    """The message from a community (creator or stream key) to one contributor (viewer key): the
    goal's rewards are granted to ``user_id``, whose ``contribution`` met the minimum."""

    kind: ClassVar[str] = "contributor_rewarded"

    mission_id: str
    subject: str
    window: str
    round: int
    user_id: str
    contribution: int | Decimal


# --------------------------------------------------------------------------- promotions


class PromotionStarted(Outcome, frozen=True):
    """A promotion applies from ``starts_at`` to ``ends_at`` (excluded) for an audience.

    ``audience`` is ``everyone``, ``stream_viewers`` (``audience_id`` = the stream) or ``viewer``
    (``audience_id`` = the user); ``source`` is ``schedule``, or the mission that triggered or
    granted it.
    """

    kind: ClassVar[str] = "promotion_started"

    promotion_id: str
    audience: str
    audience_id: str | None
    starts_at: datetime
    ends_at: datetime
    source: str


class PromotionExtended(Outcome, frozen=True):
    """A promotion already active for the audience was triggered again: it now ends at ``ends_at``."""

    kind: ClassVar[str] = "promotion_extended"

    promotion_id: str
    audience: str
    audience_id: str | None
    ends_at: datetime
    source: str


class PromotionEnded(Outcome, frozen=True):
    """A promotion stopped applying to an audience at ``ended_at``."""

    kind: ClassVar[str] = "promotion_ended"

    promotion_id: str
    audience: str
    audience_id: str | None
    ended_at: datetime
