"""The authoring model of a fest pack: what designers may write in YAML, as pydantic v2 models.

These models only describe and type-check the document; cross-references (unknown ids, cycles,
windows outside the fest…) are checked in :mod:`festengine.catalog._checks`, and the valid result
is compiled into frozen attrs values by :mod:`festengine.catalog.compile`.

Every model forbids unknown keys. Money amounts and rates are ``Decimal`` (the YAML loader never
produces floats). Durations are written ``"90s"``, ``"15m"``, ``"2h"``, ``"7d"`` or combinations
such as ``"1h30m"``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
)

from festengine.catalog._suggest import suggest

__all__ = [
    "BadgeSpec",
    "ClaimSpec",
    "CommissionSpec",
    "EconomySpec",
    "FanClubSpec",
    "FestInfoSpec",
    "FestSpec",
    "JourneySpec",
    "MissionSpec",
    "PromotionSpec",
]

_DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def _parse_duration(value: object) -> object:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is written like '15m', '2h', '7d' or '1h30m'")
    try:
        if isinstance(value, int):
            if value < 0:
                raise ValueError(f"{value!r} is negative; a duration is 0 or more seconds, or written like '15m'")
            return timedelta(seconds=value)
        if isinstance(value, str):
            match = _DURATION_RE.match(value.strip())
            if match and any(match.groups()):
                days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
                return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"{value!r} is too long for a duration; write a shorter one, e.g. '7d'") from None
    shown = str(value) if isinstance(value, Decimal) else repr(value)
    raise ValueError(f"{shown} is not a duration; write it like '15m', '2h', '7d' or '1h30m'")


def _format_duration(value: timedelta) -> str:
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    PlainSerializer(_format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"},
                {"type": "integer", "minimum": 0},
            ],
            "description": "a duration such as '90s', '15m', '2h', '7d' or '1h30m' (or whole seconds)",
        }
    ),
]

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[a-z0-9][a-z0-9_\-]*$",
            "description": "an id: lower-case letters, digits, '_' and '-'",
        }
    ),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
PositiveDecimal = Annotated[Decimal, Field(gt=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0)]
Rate = Annotated[Decimal, Field(ge=0, le=1, description="a fraction between 0 and 1, e.g. '0.15' for 15%")]


class Spec(BaseModel):
    """Base of every authoring model: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- the fest


class PhaseSpec(Spec):
    """A named part of the fest, such as a week, that a mission window can refer to."""

    id: Id
    name: Text
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class FestInfoSpec(Spec):
    """The fest's identity and calendar."""

    id: Id
    name: Text
    timezone: str = Field(description="an IANA time zone such as 'America/Los_Angeles'")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    allowed_lateness: Duration = Field(
        default=timedelta(minutes=10),
        description="how late an event may arrive and still count in the window it belongs to",
    )
    week_starts_on: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    phases: list[PhaseSpec] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = suggest(value, available_timezones(), cutoff=0.7)
            raise ValueError(
                f"unknown time zone {value!r}{hint}; write an IANA name such as 'America/Los_Angeles' or 'UTC'"
            ) from None
        return value


# --------------------------------------------------------------------------- economy


class RoundingRule(StrEnum):
    HALF_EVEN = "half_even"
    HALF_UP = "half_up"
    DOWN = "down"


class GiftSpec(Spec):
    """A gift of the catalogue and its price in coins."""

    id: Id
    name: Text
    coins: Annotated[int, Field(ge=1)]
    streakable: bool = False
    tiktok_gift_id: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="the gift's numeric id on TikTok LIVE, for feeds that map TikTok gifts to this one"
    )


class SplitSpec(Spec):
    """How a gift's value is shared between creator and platform; the fractions must add up to 1."""

    creator: Rate
    platform: Rate


class BudgetSpec(Spec):
    """A named pot of money that rewards and conversions draw on; it never goes below zero."""

    id: Id
    name: Text | None = None
    amount: NonNegativeDecimal
    allow_partial: bool = Field(
        default=False, description="grant what is left when a reward does not fit, instead of nothing"
    )


class ConversionSpec(Spec):
    """During its validity period, a share of each gift's value becomes shopping credit for the viewer
    (drawn from a budget) and/or an affiliate bonus for the creator."""

    id: Id
    valid_from: AwareDatetime
    valid_to: AwareDatetime
    viewer_credit_rate: Rate = Decimal(0)
    creator_bonus_rate: Rate = Decimal(0)
    budget: Id
    daily_cap_per_viewer: NonNegativeDecimal | None = Field(
        default=None, description="most credit one viewer may receive per fest day"
    )


class EconomySpec(Spec):
    """Currency, coins, gifts and the money rules of the fest."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    minor_unit: Annotated[int, Field(ge=0, le=4)] = 2
    rounding: RoundingRule = RoundingRule.HALF_EVEN
    coin_value: dict[Id, PositiveDecimal] = Field(
        description="the fiat value of one coin per purchase channel, e.g. {app: '0.0143', web: '0.0105'}"
    )
    default_channel: Id
    split: SplitSpec
    gifts: list[GiftSpec] = Field(min_length=1)
    budgets: list[BudgetSpec] = Field(default_factory=list)
    conversions: list[ConversionSpec] = Field(default_factory=list)


# --------------------------------------------------------------------------- badges


class BadgeSpec(Spec):
    """A badge and its tiers, lowest first."""

    id: Id
    name: Text
    description: Text | None = None
    tiers: list[Id] = Field(min_length=1)


class BadgeRef(Spec):
    badge: Id
    tier: Id


# --------------------------------------------------------------------------- event filters


class Condition(Spec):
    """One condition on an event field; exactly one operator is written."""

    equals: str | int | Decimal | bool | None = None
    one_of: list[str | int | Decimal] | None = None
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    between: tuple[Decimal, Decimal] | None = None
    contains: str | None = None

    def operators(self) -> list[str]:
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class EventFilterSpec(Spec):
    """Which events count: an event type and conditions on its fields (all must hold)."""

    event: str
    where: dict[str, Condition] = Field(default_factory=dict)


# --------------------------------------------------------------------------- missions


class CountMeasure(Spec):
    kind: Literal["count"]


class SumMeasure(Spec):
    kind: Literal["sum"]
    field: str


class DistinctMeasure(Spec):
    kind: Literal["distinct"]
    field: str


class StreakMeasure(Spec):
    kind: Literal["streak"]
    period: Literal["day", "week"] = "day"
    min_per_period: Annotated[int, Field(ge=1)] = 1
    grace: Annotated[int, Field(ge=0, le=7)] = Field(
        default=0, description="missed periods forgiven without breaking the streak"
    )


Measure = Annotated[
    CountMeasure | SumMeasure | DistinctMeasure | StreakMeasure,
    Field(discriminator="kind"),
]


class FestWindow(Spec):
    kind: Literal["fest"]


class PhaseWindow(Spec):
    kind: Literal["phase"]
    phase: Id


class DailyWindow(Spec):
    kind: Literal["daily"]


class WeeklyWindow(Spec):
    kind: Literal["weekly"]


class StreamWindow(Spec):
    kind: Literal["stream"]


class BetweenWindow(Spec):
    kind: Literal["between"]
    starts_at: AwareDatetime
    ends_at: AwareDatetime


Window = Annotated[
    FestWindow | PhaseWindow | DailyWindow | WeeklyWindow | StreamWindow | BetweenWindow,
    Field(discriminator="kind"),
]


class RequiresSpec(Spec):
    """What a subject must have before the mission unlocks."""

    missions: list[Id] = Field(default_factory=list)
    fan_club_level: Annotated[int, Field(ge=1)] | None = None
    badge: BadgeRef | None = None


class ClaimSpec(Spec):
    """Automatic rewards, or a manual claim within a deadline after completion."""

    mode: Literal["auto", "manual"] = "auto"
    within: Duration | None = None


class BadgeReward(Spec):
    badge: Id
    tier: Id


class PointsReward(Spec):
    points: Annotated[int, Field(ge=1)]


class CreditReward(Spec):
    credit: PositiveDecimal
    budget: Id


class FanClubPointsReward(Spec):
    fan_club_points: Annotated[int, Field(ge=1)]


class PromotionReward(Spec):
    promotion: Id


class CommissionBoostReward(Spec):
    commission_boost: Rate
    duration: Duration


_REWARD_KEYS = {
    "badge": "badge",
    "points": "points",
    "credit": "credit",
    "fan_club_points": "fan_club_points",
    "promotion": "promotion",
    "commission_boost": "commission_boost",
}


def _reward_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in value:
            if key in _REWARD_KEYS:
                return _REWARD_KEYS[key]
        return None
    for key in _REWARD_KEYS:
        if getattr(value, key, None) is not None:
            return key
    return None


Reward = Annotated[
    Annotated[BadgeReward, Tag("badge")]
    | Annotated[PointsReward, Tag("points")]
    | Annotated[CreditReward, Tag("credit")]
    | Annotated[FanClubPointsReward, Tag("fan_club_points")]
    | Annotated[PromotionReward, Tag("promotion")]
    | Annotated[CommissionBoostReward, Tag("commission_boost")],
    Discriminator(
        _reward_tag,
        custom_error_type="unknown_reward",
        custom_error_message=(
            "a reward names one of: badge (with tier), points, credit (with budget), "
            "fan_club_points, promotion, commission_boost (with duration)"
        ),
    ),
]


class CommunityLevelSpec(Spec):
    """A level of a community goal (like a Hype Train level): reaching it extends the deadline."""

    target: PositiveDecimal
    extend_by: Duration = timedelta(0)


class CommunitySpec(Spec):
    """Extra rules for missions whose subject is a creator's or a stream's community."""

    levels: list[CommunityLevelSpec] = Field(default_factory=list)
    cooldown: Duration = timedelta(0)
    min_contribution: NonNegativeDecimal = Decimal(0)
    top_contributors: Annotated[int, Field(ge=0, le=1000)] = 10


class MissionSpec(Spec):
    """A goal for a subject, how it is measured and what it rewards."""

    id: Id
    title: Text
    description: Text | None = None
    subject: Literal["viewer", "creator", "stream"] = "viewer"
    counts: EventFilterSpec
    measure: Measure = Field(default_factory=lambda: CountMeasure(kind="count"))
    target: PositiveDecimal
    window: Window = Field(default_factory=lambda: FestWindow(kind="fest"))
    repeat: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=1, description="how many times the mission can be completed per window"
    )
    requires: RequiresSpec = Field(default_factory=RequiresSpec)
    claim: ClaimSpec = Field(default_factory=ClaimSpec)
    rewards: list[Reward] = Field(default_factory=list)
    community: CommunitySpec | None = None


# --------------------------------------------------------------------------- fan club


class PointsPerSpec(Spec):
    """Points are given per ``amount`` of ``field`` (e.g. 1 point per 60 seconds watched)."""

    field: str
    amount: PositiveDecimal


class PointsRuleSpec(Spec):
    """Events that earn points, how many, and the most per fest day."""

    id: Id
    counts: EventFilterSpec
    points: Annotated[int, Field(ge=1)]
    per: PointsPerSpec | None = None
    daily_cap: Annotated[int, Field(ge=1)] | None = None


class FanClubLevelSpec(Spec):
    level: Annotated[int, Field(ge=1)]
    points: Annotated[int, Field(ge=0)]
    badge: BadgeRef | None = None


class FanClubSpec(Spec):
    """Fan Club membership, tasks, levels and pausing."""

    join_gift: Id | None = None
    pause_after_days: Annotated[int, Field(ge=1)] = 7
    levels: list[FanClubLevelSpec] = Field(min_length=1)
    tasks: list[PointsRuleSpec] = Field(default_factory=list)


# --------------------------------------------------------------------------- creator scoring


class MultiplierSpec(Spec):
    """Points multiplied by ``factor`` between two times of day (in the fest's time zone or UTC)."""

    from_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    to_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    factor: PositiveDecimal
    timezone: str | None = None


class ScoringSpec(Spec):
    """Fest points for creators (as LIVE Fest ranks them)."""

    rules: list[PointsRuleSpec] = Field(default_factory=list)
    multipliers: list[MultiplierSpec] = Field(default_factory=list)


class LeaderboardSpec(Spec):
    """A ranking the fest publishes."""

    id: Id
    title: Text
    ranks: Literal["viewers", "creators"]
    by: Literal["gift_coins", "points", "gmv"]
    scope: Literal["fest", "creator", "stream"] = "fest"
    period: Literal["fest", "daily"] = "fest"
    size: Annotated[int, Field(ge=1, le=10_000)] = 100


# --------------------------------------------------------------------------- journeys


class JourneyStepSpec(Spec):
    """One step: a mission, or a branch of missions of which the first completed is the path taken."""

    mission: Id | None = None
    branch: list[Id] | None = None


class JourneySpec(Spec):
    id: Id
    title: Text
    description: Text | None = None
    steps: list[JourneyStepSpec] = Field(min_length=1)
    rewards: list[Reward] = Field(default_factory=list)


# --------------------------------------------------------------------------- promotions


class ScheduleTrigger(Spec):
    kind: Literal["schedule"]
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class MissionTrigger(Spec):
    kind: Literal["mission"]
    mission: Id


class GoalTrigger(Spec):
    kind: Literal["goal"]
    mission: Id
    level: Annotated[int, Field(ge=1)] | None = None


Trigger = Annotated[ScheduleTrigger | MissionTrigger | GoalTrigger, Field(discriminator="kind")]


class DiscountSpec(Spec):
    """Either a percentage off or a fixed amount off per unit."""

    percent: Annotated[Decimal, Field(gt=0, le=100)] | None = None
    amount: PositiveDecimal | None = None


class ScopeSpec(Spec):
    """Which products a promotion covers; empty lists mean every product."""

    products: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)


class PromotionSpec(Spec):
    id: Id
    title: Text
    trigger: Trigger
    discount: DiscountSpec
    scope: ScopeSpec = Field(default_factory=ScopeSpec)
    audience: Literal["everyone", "stream_viewers", "viewer"] = "everyone"
    duration: Duration | None = None


# --------------------------------------------------------------------------- commission


class CommissionMatchSpec(Spec):
    """A rule applies when every list that is not empty contains the purchase's value."""

    products: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    sellers: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)


class CommissionTierSpec(Spec):
    """From this settled volume of the creator in the fest on, this rate applies."""

    from_volume: NonNegativeDecimal
    rate: Rate


class CommissionRuleSpec(Spec):
    id: Id
    kind: Literal["targeted", "open"] = "open"
    match: CommissionMatchSpec = Field(default_factory=CommissionMatchSpec)
    rate: Rate | None = None
    tiers: list[CommissionTierSpec] = Field(default_factory=list)


class BonusWindowSpec(Spec):
    """Extra commission rate for purchases within a time window (a fest bonus)."""

    id: Id
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    extra_rate: Rate
    categories: list[str] = Field(default_factory=list)


class CommissionSpec(Spec):
    attribution_window: Duration = timedelta(days=14)
    in_stream_window: Duration = timedelta(minutes=30)
    settlement_days: Annotated[int, Field(ge=0, le=90)] = 7
    rules: list[CommissionRuleSpec] = Field(default_factory=list)
    bonus_windows: list[BonusWindowSpec] = Field(default_factory=list)


# --------------------------------------------------------------------------- the pack


class FestSpec(Spec):
    """A whole fest pack, after all files of the pack are merged."""

    fest: FestInfoSpec
    economy: EconomySpec
    badges: list[BadgeSpec] = Field(default_factory=list)
    fan_club: FanClubSpec | None = None
    scoring: ScoringSpec | None = None
    missions: list[MissionSpec] = Field(default_factory=list)
    journeys: list[JourneySpec] = Field(default_factory=list)
    promotions: list[PromotionSpec] = Field(default_factory=list)
    commission: CommissionSpec = Field(default_factory=CommissionSpec)
    leaderboards: list[LeaderboardSpec] = Field(default_factory=list)
