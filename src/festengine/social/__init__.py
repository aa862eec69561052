"""The social layer: Fan Clubs, LIVE Journeys, community goals, creator scoring, leaderboards and
promotions. The engine adds :class:`~festengine.social.component.Social` (``engine.components["social"]``)
automatically; its query methods and outcomes are listed here. See ``docs/social.md``.
"""

from __future__ import annotations

from festengine.social.community import CommunityGoalStatus, Contributor
from festengine.social.component import Social
from festengine.social.fanclub import FanClubMembership
from festengine.social.journeys import JourneyProgress
from festengine.social.leaderboards import LeaderboardEntry, LeaderboardPosition
from festengine.social.outcomes import (
    CommunityGoalCompleted,
    CommunityGoalExpired,
    CommunityLevelReached,
    CommunityProgressed,
    ContributorRewarded,
    CreatorFollowed,
    CreatorPointsEarned,
    FanClubJoined,
    FanClubMemberPaused,
    FanClubMemberResumed,
    FanClubPointsEarned,
    FanClubRewardSkipped,
    JourneyCompleted,
    JourneyStepCompleted,
    LevelChanged,
    PromotionEnded,
    PromotionExtended,
    PromotionStarted,
)
from festengine.social.promotions import ActivePromotion

__all__ = [
    "ActivePromotion",
    "CommunityGoalCompleted",
    "CommunityGoalExpired",
    "CommunityGoalStatus",
    "CommunityLevelReached",
    "CommunityProgressed",
    "Contributor",
    "ContributorRewarded",
    "CreatorFollowed",
    "CreatorPointsEarned",
    "FanClubJoined",
    "FanClubMemberPaused",
    "FanClubMemberResumed",
    "FanClubMembership",
    "FanClubPointsEarned",
    "FanClubRewardSkipped",
    "JourneyCompleted",
    "JourneyProgress",
    "JourneyStepCompleted",
    "LeaderboardEntry",
    "LeaderboardPosition",
    "LevelChanged",
    "PromotionEnded",
    "PromotionExtended",
    "PromotionStarted",
    "Social",
]
