"""The messages of the social layer: what its fest parts and its viewer parts send each other.

Community goals, creator scoring and leaderboards belong to the fest key; Fan Clubs, journeys and
(for now) promotions to each viewer's key (see :mod:`festengine.engine.keys`). Their effects on the
other side travel as these messages, each carrying the event that caused it (``None`` for a timer's
step without one), since the parts that apply them read the event's creator and stream:

* :class:`RewardContributor` (fest to viewer): a community goal met; the contributor's rewards are
  granted and their journeys move on;
* :class:`BoardPoints` (viewer to fest): a viewer's fest points, for the viewer-points boards;
* :class:`GoalReached` (fest to every viewer): a community goal's level or completion, for the
  promotions it triggers.
"""

from __future__ import annotations

from festengine.engine.messages import Message
from festengine.engine.outcomes import PointsAwarded
from festengine.events import Event
from festengine.social.outcomes import CommunityGoalCompleted, CommunityLevelReached, ContributorRewarded

__all__ = ["BoardPoints", "GoalReached", "RewardContributor"]


class RewardContributor(Message, frozen=True):
    """To a contributor's key: the community goal's outcome that rewards them."""

    rewarded: ContributorRewarded
    event: Event | None


class BoardPoints(Message, frozen=True):
    """To the fest key: fest points a viewer received, for the boards ranking viewer points."""

    points: PointsAwarded
    event: Event | None


class GoalReached(Message, frozen=True):
    """To every viewer: a community goal reached a level or completed (promotions it triggers)."""

    level: CommunityLevelReached | None
    completed: CommunityGoalCompleted | None
    event: Event | None
