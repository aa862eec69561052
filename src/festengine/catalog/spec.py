"""The authoring model of a fest pack: what designers may write in YAML, as pydantic v2 models.

These models only describe and type-check the document; cross-references (unknown ids, cycles,
windows outside the fest…) are checked in :mod:`festengine.catalog._checks`, and the valid result
is compiled into frozen attrs values by :mod:`festengine.catalog.compile`.

Every model forbids unknown keys. Money amounts and rates are ``Decimal`` (the YAML loader never
produces floats). Durations are written ``"90s"``, ``"15m"``, ``"2h"``, ``"7d"`` or combinations
such as ``"1h30m"``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from festengine._codes import minor_unit as iso_minor_unit
from festengine._vocab import EVENT_FIELDS, EVENT_TYPES, FieldKind
from festengine.catalog._suggest import suggest
from festengine.catalog._values import (
    MAX_COIN_VALUE,
    MAX_COINS_PER_GIFT,
    MAX_COUNT,
    MAX_DURATION,
    MAX_FACTOR,
    MAX_LEVEL,
    MAX_POINTS,
    Bool,
    Duration,
    FestTime,
    Id,
    Text,
    WholeNumber,
    decimal_kind,
    format_duration,
)
from festengine.limits import MAX_AMOUNT

__all__ = [
    "BadgeSpec",
    "ClaimSpec",
    "CommissionSpec",
    "EconomySpec",
    "EligibilitySpec",
    "FanClubSpec",
    "FestInfoSpec",
    "FestSpec",
    "JourneySpec",
    "MissionSpec",
    "PromotionSpec",
]

_format_duration = format_duration  # the name other modules import

#: Money: budgets, credits, caps, discounts, volumes.
_MONEY = decimal_kind("an amount", MAX_AMOUNT, low="zero", example="5.00")
_POSITIVE_MONEY = decimal_kind("an amount", MAX_AMOUNT, low="positive", example="5.00")
#: Targets and thresholds in the measure's unit (coins, seconds, likes, money…).
_QUANTITY = decimal_kind("a number", MAX_AMOUNT, low="positive", example="100")
_NON_NEGATIVE = decimal_kind("a number", MAX_AMOUNT, low="zero", example="5")
#: The unit of a points rule's ``per``: at least 1, so points stay exact (see "Limits" in the docs).
_PER_AMOUNT = decimal_kind("a number", MAX_AMOUNT, low="one", example="60")
_RATE = decimal_kind("a fraction", Decimal(1), low="zero", inclusive=True, example="0.15")
_COIN_VALUE = decimal_kind("a coin value", MAX_COIN_VALUE, low="positive", example="0.0143")
_PERCENT = decimal_kind("a percentage", Decimal(100), low="positive", inclusive=True, example="20")
_FACTOR = decimal_kind("a factor", MAX_FACTOR, low="positive", inclusive=True, example="2")

Money = Annotated[Decimal, _MONEY.validator, _MONEY.schema]
PositiveMoney = Annotated[Decimal, _POSITIVE_MONEY.validator, _POSITIVE_MONEY.schema]
Quantity = Annotated[Decimal, _QUANTITY.validator, _QUANTITY.schema]
NonNegativeQuantity = Annotated[Decimal, _NON_NEGATIVE.validator, _NON_NEGATIVE.schema]
PerAmount = Annotated[Decimal, _PER_AMOUNT.validator, _PER_AMOUNT.schema]
Rate = Annotated[Decimal, _RATE.validator, _RATE.schema]
CoinValue = Annotated[Decimal, _COIN_VALUE.validator, _COIN_VALUE.schema]
Percent = Annotated[Decimal, _PERCENT.validator, _PERCENT.schema]
Factor = Annotated[Decimal, _FACTOR.validator, _FACTOR.schema]

Points = Annotated[int, Field(ge=1, le=MAX_POINTS), WholeNumber]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT), WholeNumber]
Level = Annotated[int, Field(ge=1, le=MAX_LEVEL), WholeNumber]
#: Event types and fields are plain text to the model (the cross-checks refuse unknown ones with
#: "did you mean …?"); the schema lists them, so editors complete them.
EventType = Annotated[str, WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES)})]
EventField = Annotated[
    str,
    WithJsonSchema({"type": "string", "enum": sorted({"user_id", *(f for fs in EVENT_FIELDS.values() for f in fs)})}),
]
NumberField = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted({f for fs in EVENT_FIELDS.values() for f, kind in fs.items() if kind is FieldKind.NUMBER}),
        }
    ),
]
TimeOfDay = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Spec(BaseModel):
    """Base of every authoring model: unknown keys are errors and values are immutable.

    The docstring under each field is its description in the JSON Schema (what editors show on
    hover), in the words of ``docs/authoring.md``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True)


# --------------------------------------------------------------------------- the fest


class PhaseSpec(Spec):
    """A named part of the fest, such as a week, that a mission window can refer to."""

    id: Id
    """the phase's id, named by phase windows"""
    name: Text
    """display name"""
    starts_at: FestTime
    """when the phase starts (included), inside the fest"""
    ends_at: FestTime
    """when the phase ends (excluded), inside the fest"""


class FestInfoSpec(Spec):
    """The fest's identity and calendar."""

    id: Id
    """the fest's id; snapshots refuse to restore into a different fest"""
    name: Text
    """display name"""
    timezone: str
    """the zone of the fest's days and weeks (America/Los_Angeles, Europe/Berlin, UTC)"""
    starts_at: FestTime
    """the fest is [starts_at, ends_at); events outside it are rejected"""
    ends_at: FestTime
    """the fest is [starts_at, ends_at); events outside it are rejected"""
    allowed_lateness: Duration = timedelta(minutes=10)
    """how late an event may arrive and still count"""
    week_starts_on: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    """the first day of weekly windows and weekly streaks"""
    phases: list[PhaseSpec] = Field(default_factory=list)
    """named parts of the fest that mission windows can refer to"""

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
    """what gift events send as gift_id"""
    name: Text
    """display name"""
    coins: Annotated[int, Field(ge=1, le=MAX_COINS_PER_GIFT), WholeNumber]
    """the gift's price in coins, a whole number from 1 to 10,000,000"""
    streakable: Bool = False
    """whether the gift can be sent as a combo (a streak of events with a growing repeat_count)"""
    tiktok_gift_id: Annotated[int, Field(ge=1, le=2**63 - 1), WholeNumber] | None = None
    """the gift's numeric id on TikTok LIVE, for feeds that map TikTok gifts to this one"""


class SplitSpec(Spec):
    """How a gift's value is shared between creator and platform; the fractions must add up to 1."""

    creator: Rate
    """the creator's share of a gift's value"""
    platform: Rate
    """the platform's share of a gift's value; conversions are paid out of it"""


class BudgetSpec(Spec):
    """A named pot of money that rewards and conversions draw on; it never goes below zero."""

    id: Id
    """the budget's id, named by credit rewards and conversions"""
    name: Text | None = None
    """display name"""
    amount: Money
    """the money in the pot at the start of the fest"""
    allow_partial: Bool = False
    """grant what is left when a reward does not fit, instead of nothing"""
    valid_for: Duration | None = None
    """how long a credit drawn from this budget can be spent after it is granted (or give valid_until)"""
    valid_until: FestTime | None = None
    """when every credit drawn from this budget lapses (or give valid_for); after the fest starts"""
    lapsed_to: Literal["budget", "expired"] = "budget"
    """where the unspent part of a lapsed credit goes: back to this budget, or to the expired_credits account"""


class ConversionSpec(Spec):
    """During its validity period, a share of each gift's value becomes shopping credit for the viewer
    (drawn from a budget) and/or an affiliate bonus for the creator."""

    id: Id
    """the conversion's id"""
    valid_from: FestTime
    """[valid_from, valid_to), inside the fest"""
    valid_to: FestTime
    """[valid_from, valid_to), inside the fest"""
    viewer_credit_rate: Rate = Decimal(0)
    """share of the gift's value credited to the viewer, drawn from budget"""
    creator_bonus_rate: Rate = Decimal(0)
    """share of the gift's value paid to the creator as a bonus"""
    budget: Id
    """the budget the viewer credit is drawn from"""
    daily_cap_per_viewer: Money | None = None
    """the most credit one viewer may receive per fest day"""


class EconomySpec(Spec):
    """Currency, coins, gifts and the money rules of the fest."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    """the ISO 4217 currency of every money amount"""
    minor_unit: Annotated[int, Field(ge=0, le=4), WholeNumber] | None = None
    """decimals of the currency, by default its ISO 4217 minor unit (a written one must equal it)"""
    rounding: RoundingRule = RoundingRule.HALF_EVEN
    """how computed amounts are rounded to the minor unit; the remainder is posted to a ledger account, never dropped"""
    coin_value: dict[Id, CoinValue]
    """the fiat value of one coin per purchase channel"""
    default_channel: Id
    """the channel of a gift event that names none; must be a key of coin_value"""
    split: SplitSpec
    """how a gift's value is shared; the two must add up to exactly 1"""
    gifts: list[GiftSpec] = Field(min_length=1)
    """the gift catalogue"""
    budgets: list[BudgetSpec] = Field(default_factory=list)
    """pots of money that credits draw on"""
    conversions: list[ConversionSpec] = Field(default_factory=list)
    """gift-to-credit rules with validity periods"""

    @property
    def decimals(self) -> int:
        """The minor unit: as written, else the currency's in ISO 4217 (2 for a code it gives none,
        which the checks refuse)."""
        if self.minor_unit is not None:
            return self.minor_unit
        found = iso_minor_unit(self.currency)
        return 2 if found is None else found


# --------------------------------------------------------------------------- badges


class BadgeSpec(Spec):
    """A badge and its tiers, lowest first."""

    id: Id
    """the badge's id, named by rewards, Fan Club levels and prerequisites"""
    name: Text
    """display name"""
    description: Text | None = None
    """what the badge is for, as the app shows it"""
    tiers: list[Id] = Field(min_length=1)
    """the tiers, lowest first, all different"""


class BadgeRef(Spec):
    """A badge at one of its tiers."""

    badge: Id
    """the badge's id"""
    tier: Id
    """one of the badge's tiers"""


# --------------------------------------------------------------------------- event filters


class Condition(Spec):
    """One condition on an event field; exactly one operator is written."""

    equals: str | int | Decimal | bool | None = None
    """holds when the field equals the value"""
    one_of: list[str | int | Decimal] | None = None
    """holds when the field is one of the values"""
    at_least: NonNegativeQuantity | None = None
    """holds when the number field is at least the value"""
    at_most: NonNegativeQuantity | None = None
    """holds when the number field is at most the value"""
    between: tuple[NonNegativeQuantity, NonNegativeQuantity] | None = None
    """holds when the number field is at least the low and at most the high value (both included)"""
    contains: str | None = None
    """holds when the text field contains the text, ignoring case"""

    def operators(self) -> list[str]:
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class EventFilterSpec(Spec):
    """Which events count: an event type and conditions on its fields (all must hold)."""

    event: EventType
    """the event type (view, like, comment, gift, purchase…)"""
    where: dict[EventField, Condition] = Field(default_factory=dict)
    """conditions on the event's fields, by field name; all must hold"""


# --------------------------------------------------------------------------- missions


class CountMeasure(Spec):
    """Progress is the number of matching events (for like and gift events, the event's count)."""

    kind: Literal["count"]
    """count: the number of matching events"""


class SumMeasure(Spec):
    """Progress is the sum of a number field of the matching events."""

    kind: Literal["sum"]
    """sum: the sum of a number field"""
    field: NumberField
    """the number field to add up (seconds, coins, count, amount, quantity)"""


class DistinctMeasure(Spec):
    """Progress is the number of different values of a field seen."""

    kind: Literal["distinct"]
    """distinct: the number of different values of a field"""
    field: EventField
    """the field whose different values are counted (creator_id, gift_id, product_id…)"""


class StreakMeasure(Spec):
    """Progress is the longest run of consecutive periods with enough matching events."""

    kind: Literal["streak"]
    """streak: consecutive days or weeks with matching events"""
    period: Literal["day", "week"] = "day"
    """the length of one period: a fest day or a fest week"""
    min_per_period: Count = 1
    """how many matching events make a period count"""
    grace: Annotated[int, Field(ge=0, le=7), WholeNumber] = 0
    """missed periods forgiven without breaking the streak"""


Measure = Annotated[
    CountMeasure | SumMeasure | DistinctMeasure | StreakMeasure,
    Field(discriminator="kind"),
]


class FestWindow(Spec):
    """One instance for the whole fest, closing at the fest's end."""

    kind: Literal["fest"]
    """fest: one instance for the whole fest"""


class PhaseWindow(Spec):
    """One instance for a phase, closing at the phase's end."""

    kind: Literal["phase"]
    """phase: one instance for a phase of the fest"""
    phase: Id
    """the phase's id"""


class DailyWindow(Spec):
    """One instance per local day, closing at the next local midnight in the fest's zone."""

    kind: Literal["daily"]
    """daily: one instance per local day"""


class WeeklyWindow(Spec):
    """One instance per week (from week_starts_on, local midnight)."""

    kind: Literal["weekly"]
    """weekly: one instance per week"""


class StreamWindow(Spec):
    """One instance per LIVE (stream_id), closing when the stream ends."""

    kind: Literal["stream"]
    """stream: one instance per LIVE"""


class BetweenWindow(Spec):
    """One fixed flash window inside the fest."""

    kind: Literal["between"]
    """between: one fixed flash window"""
    starts_at: FestTime
    """when the window opens (included), inside the fest"""
    ends_at: FestTime
    """when the window closes (excluded), inside the fest"""


Window = Annotated[
    FestWindow | PhaseWindow | DailyWindow | WeeklyWindow | StreamWindow | BetweenWindow,
    Field(discriminator="kind"),
]


class RequiresSpec(Spec):
    """What a subject must have before the mission unlocks."""

    missions: list[Id] = Field(default_factory=list)
    """missions that must all be completed at least once"""
    fan_club_level: Level | None = None
    """the Fan Club level the viewer must have reached"""
    badge: BadgeRef | None = None
    """a badge the viewer must hold, at this tier or a higher one"""


class ClaimSpec(Spec):
    """Automatic rewards, or a manual claim within a deadline after completion."""

    mode: Literal["auto", "manual"] = "auto"
    """auto: rewards are granted on completion; manual: the viewer claims them with a claim event"""
    within: Duration | None = None
    """how long after completing the viewer may claim; required with manual, not allowed with auto"""


class BadgeReward(Spec):
    """The badge at that tier."""

    badge: Id
    """the badge's id"""
    tier: Id
    """the tier awarded"""


class PointsReward(Spec):
    """Fest points to the user."""

    points: Points
    """fest points to the user, a whole number from 1"""


class CreditReward(Spec):
    """Shopping credit drawn from a budget."""

    credit: PositiveMoney
    """shopping credit, in the fest's currency"""
    budget: Id
    """the budget the credit is drawn from"""


class FanClubPointsReward(Spec):
    """Points in the Fan Club of the event's creator."""

    fan_club_points: Points
    """points in the Fan Club of the event's creator, a whole number from 1"""


class PromotionReward(Spec):
    """A promotion for the user."""

    promotion: Id
    """the promotion's id"""


class CommissionBoostReward(Spec):
    """An extra commission rate on the user's affiliate sales for a time."""

    commission_boost: Rate
    """the extra commission rate"""
    duration: Duration
    """how long the boost lasts"""


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

    target: Quantity
    """the progress that reaches this level"""
    extend_by: Duration = timedelta(0)
    """how much reaching the level extends the goal's deadline"""


class CommunitySpec(Spec):
    """Extra rules for missions whose subject is a creator's or a stream's community."""

    levels: list[CommunityLevelSpec] = Field(default_factory=list)
    """intermediate targets, increasing, the last at most the mission's target; reaching a level extends the goal's deadline by extend_by (default 0s) and can trigger a promotion"""  # noqa: E501
    cooldown: Duration = timedelta(0)
    """after completion, how long before the goal can start its next round (with repeat)"""
    min_contribution: NonNegativeQuantity = Decimal(0)
    """the least a user must add (in the measure's unit: coins, likes, dollars…) to count as a contributor and be rewarded"""  # noqa: E501
    top_contributors: Annotated[int, Field(ge=0, le=1000), WholeNumber] = 10
    """how many contributors the goal lists, ranked by contribution"""

    @model_validator(mode="after")
    def _extensions_fit(self) -> CommunitySpec:
        """All levels together extend a deadline by at most the supported time range."""
        total = sum((level.extend_by for level in self.levels), timedelta(0))
        if total > MAX_DURATION:
            raise ValueError(
                f"the levels extend the deadline by {format_duration(total)} in all, longer than the supported "
                f"time range; make their extend_by add up to at most '{format_duration(MAX_DURATION)}'"
            )
        return self


class MissionSpec(Spec):
    """A goal for a subject, how it is measured and what it rewards."""

    id: Id
    """the mission's id; claim events, prerequisites, journeys and triggers name it"""
    title: Text
    """what the app shows"""
    description: Text | None = None
    """one sentence saying exactly what to do"""
    subject: Literal["viewer", "creator", "stream"] = "viewer"
    """whose goal it is: each viewer's own, a creator's whole community, or everyone watching one LIVE"""
    counts: EventFilterSpec
    """which events count"""
    measure: Measure = Field(default_factory=lambda: CountMeasure(kind="count"))
    """how they count"""
    target: Quantity
    """what to reach; whole for count, distinct and streak; money sums are quoted ("100.00")"""
    window: Window = Field(default_factory=lambda: FestWindow(kind="fest"))
    """when progress accumulates"""
    repeat: Annotated[int, Field(ge=1, le=10_000), WholeNumber] = 1
    """completions allowed per window"""
    requires: RequiresSpec = Field(default_factory=RequiresSpec)
    """what unlocks the mission"""
    claim: ClaimSpec = Field(default_factory=ClaimSpec)
    """automatic rewards or a manual claim with a deadline"""
    rewards: list[Reward] = Field(default_factory=list)
    """what completing it gives"""
    community: CommunitySpec | None = None
    """for creator and stream subjects only"""


# --------------------------------------------------------------------------- fan club


class PointsPerSpec(Spec):
    """Points are given per ``amount`` of ``field`` (e.g. 1 point per 60 seconds watched)."""

    field: NumberField
    """the number field of the event (seconds, count, coins, amount, quantity)"""
    amount: PerAmount
    """how much of the field earns the rule's points, from 1"""


class PointsRuleSpec(Spec):
    """Events that earn points, how many, and the most per fest day."""

    id: Id
    """the rule's id"""
    counts: EventFilterSpec
    """which events earn points"""
    points: Points
    """points per event, or per per.amount of a field"""
    per: PointsPerSpec | None = None
    """give points for every amount of a number field, added up across events (1 point per 60 seconds watched)"""
    daily_cap: Count | None = None
    """the most points this rule gives per fest day (per member and club for tasks, per creator for scoring)"""


class FanClubLevelSpec(Spec):
    """A Fan Club level: the points needed and the badge awarded on reaching it."""

    level: Level
    """the level's number: 1, 2, 3… without gaps"""
    points: Annotated[int, Field(ge=0, le=MAX_COUNT), WholeNumber]
    """the points needed (level 1 = 0, then increasing)"""
    badge: BadgeRef | None = None
    """a badge awarded on reaching the level"""


class FanClubSpec(Spec):
    """Fan Club membership, tasks, levels and pausing."""

    join_gift: Id | None = None
    """the gift that makes the sender a member (on TikTok, the 1-coin Heart Me)"""
    pause_after_days: Annotated[int, Field(ge=1, le=366), WholeNumber] = 7
    """a member who earns no points within this many days of the creator going LIVE is paused"""
    levels: list[FanClubLevelSpec] = Field(min_length=1)
    """level (1, 2, 3… without gaps), points needed (level 1 = 0, then increasing), optional badge awarded on reaching it"""  # noqa: E501
    tasks: list[PointsRuleSpec] = Field(default_factory=list)
    """what earns club points"""


# --------------------------------------------------------------------------- creator scoring


class MultiplierSpec(Spec):
    """Points multiplied by ``factor`` between two times of day (in the fest's time zone or UTC)."""

    from_time: TimeOfDay
    """the first minute, HH:MM (24-hour)"""
    to_time: TimeOfDay
    """the last minute, included, HH:MM (24-hour); "23:59" runs to midnight"""
    factor: Factor
    """what points are multiplied by; when several multipliers apply, the highest wins"""
    timezone: str | None = None
    """the zone of the times of day (the fest's zone by default)"""


class ScoringSpec(Spec):
    """Fest points for creators (as LIVE Fest ranks them)."""

    rules: list[PointsRuleSpec] = Field(default_factory=list)
    """as for Fan Club tasks; the points go to the event's creator"""
    multipliers: list[MultiplierSpec] = Field(default_factory=list)
    """times of day when points count more"""


class LeaderboardSpec(Spec):
    """A ranking the fest publishes."""

    id: Id
    """the leaderboard's id"""
    title: Text
    """what the app shows"""
    ranks: Literal["viewers", "creators"]
    """who is ranked"""
    by: Literal["gift_coins", "points", "gmv"]
    """coins of gifts (sent by viewers, received by creators), points, or attributed purchase value"""
    scope: Literal["fest", "creator", "stream"] = "fest"
    """one board for everyone, one per creator (a creator's top fans), or one per LIVE"""
    period: Literal["fest", "daily"] = "fest"
    """the whole fest, or a new board each local day"""
    size: Annotated[int, Field(ge=1, le=10_000), WholeNumber] = 100
    """ranks kept"""


# --------------------------------------------------------------------------- journeys


class JourneyStepSpec(Spec):
    """One step: a mission, or a branch of missions of which the first completed is the path taken."""

    mission: Id | None = None
    """the mission of this step"""
    branch: list[Id] | None = None
    """two or more missions; the first one completed is the path taken"""


class StepsCount(StrEnum):
    """When a journey step whose mission is claimed by hand (``claim: {manual: true}``) counts."""

    ON_COMPLETION = "on_completion"
    ON_CLAIM = "on_claim"


class JourneySpec(Spec):
    """A LIVE Journey: an ordered chain of missions, each step unlocking the next."""

    id: Id
    """the journey's id"""
    title: Text
    """what the app shows"""
    description: Text | None = None
    """one sentence saying what the journey is"""
    steps: list[JourneyStepSpec] = Field(min_length=1)
    """each step is mission: <id> or branch: [<id>, <id>…]"""
    steps_count: StepsCount = StepsCount.ON_COMPLETION
    """when a step whose mission is claimed by hand counts: when completed (on_completion) or claimed (on_claim)"""
    rewards: list[Reward] = Field(default_factory=list)
    """granted when the last step is completed"""


# --------------------------------------------------------------------------- promotions


class ScheduleTrigger(Spec):
    """Starts at a fixed time inside the fest, until ends_at (a flash sale)."""

    kind: Literal["schedule"]
    """schedule: at a fixed time"""
    starts_at: FestTime
    """when the promotion starts (included), inside the fest"""
    ends_at: FestTime
    """when the promotion ends (excluded), inside the fest"""


class MissionTrigger(Spec):
    """Starts when a user completes the mission."""

    kind: Literal["mission"]
    """mission: when a user completes a mission"""
    mission: Id
    """the mission's id"""


class GoalTrigger(Spec):
    """Starts when a community goal reaches a level, or its target when no level is given."""

    kind: Literal["goal"]
    """goal: when a community goal reaches a level"""
    mission: Id
    """the community goal's mission id"""
    level: Level | None = None
    """the level (1 = its first level); the goal's target when left out"""


Trigger = Annotated[ScheduleTrigger | MissionTrigger | GoalTrigger, Field(discriminator="kind")]


class DiscountSpec(Spec):
    """Either a percentage off or a fixed amount off per unit."""

    percent: Percent | None = None
    """percent off (above 0, at most 100)"""
    amount: PositiveMoney | None = None
    """a fixed amount off per unit (money)"""
    min_spend: PositiveMoney | None = None
    """the least price * quantity a purchase needs to get the discount"""
    cap_per_order: PositiveMoney | None = None
    """the most discount one purchase gets"""
    cap_per_viewer: PositiveMoney | None = None
    """the most discount one viewer gets from this promotion in the whole fest"""


class ScopeSpec(Spec):
    """Which products a promotion covers; empty lists mean every product."""

    products: list[str] = Field(default_factory=list)
    """the products covered"""
    categories: list[str] = Field(default_factory=list)
    """the categories covered"""


class PromotionSpec(Spec):
    """A discount that a schedule, a mission or a community goal starts."""

    id: Id
    """purchases name it as promotion_id"""
    title: Text
    """what the app shows"""
    trigger: Trigger
    """when it starts"""
    discount: DiscountSpec
    """exactly one: percent off (above 0, at most 100) or a fixed amount off per unit (money)"""
    scope: ScopeSpec = Field(default_factory=ScopeSpec)
    """which products it covers; empty lists mean every product"""
    audience: Literal["everyone", "stream_viewers", "viewer"] = "everyone"
    """every shopper; the viewers of the stream where it was triggered; or only the user who triggered or received it"""
    duration: Duration | None = None
    """how long a triggered promotion lasts; required for mission and goal triggers, ignored for schedule"""
    budget: Id | None = None
    """the budget that pays the discounts as far as it goes (the platform pays the rest)"""


# --------------------------------------------------------------------------- commission


class CommissionMatchSpec(Spec):
    """A rule applies when every list that is not empty contains the purchase's value."""

    products: list[str] = Field(default_factory=list)
    """product ids the rule applies to"""
    categories: list[str] = Field(default_factory=list)
    """categories the rule applies to"""
    sellers: list[str] = Field(default_factory=list)
    """seller ids the rule applies to"""
    channels: list[str] = Field(default_factory=list)
    """purchase channels the rule applies to"""


class CommissionTierSpec(Spec):
    """From this settled volume of the creator in the fest on, this rate applies."""

    from_volume: Money
    """the creator's settled volume in the fest from which the rate applies; the first tier starts at "0.00\""""
    rate: Rate
    """the commission rate"""


class CommissionRuleSpec(Spec):
    """Which rate applies to a purchase: the first matching rule decides."""

    id: Id
    """the rule's id"""
    kind: Literal["targeted", "open"] = "open"
    """targeted rules are tried before open ones"""
    match: CommissionMatchSpec = Field(default_factory=CommissionMatchSpec)
    """the rule matches when every non-empty list contains the purchase's value"""
    rate: Rate | None = None
    """the commission rate (or give tiers)"""
    tiers: list[CommissionTierSpec] = Field(default_factory=list)
    """rates by the creator's settled volume in the fest (or give rate)"""


class BonusWindowSpec(Spec):
    """Extra commission rate for purchases within a time window (a fest bonus)."""

    id: Id
    """the bonus window's id"""
    starts_at: FestTime
    """when the bonus starts (included), inside the fest"""
    ends_at: FestTime
    """when the bonus ends (excluded), inside the fest"""
    extra_rate: Rate
    """the rate added to the rule's rate"""
    categories: list[str] = Field(default_factory=list)
    """the categories it applies to (empty: every category)"""


class CommissionSpec(Spec):
    """Affiliate commission for creators on purchases attributed to them."""

    attribution_window: Duration = timedelta(days=14)
    """a purchase is attributed to the creator whose content the buyer last clicked within this time"""
    in_stream_window: Duration = timedelta(minutes=30)
    """a purchase within this time of a product click inside a LIVE is credited to that LIVE"""
    settlement_days: Annotated[int, Field(ge=0, le=90), WholeNumber] = 7
    """commission settles this many days after delivery if no refund came"""
    rules: list[CommissionRuleSpec] = Field(default_factory=list)
    """which rate applies to a purchase"""
    bonus_windows: list[BonusWindowSpec] = Field(default_factory=list)
    """extra rates during parts of the fest"""


# --------------------------------------------------------------------------- eligibility


class UnknownFacts(StrEnum):
    """What a rule does when the fact it needs (an age, a region) is not known."""

    REFUSE = "refuse"
    ALLOW = "allow"


class EligibilitySpec(Spec):
    """Who may take part: minimum ages per action, the regions the fest runs in, viewers left out."""

    minimum_age: dict[EventType, Annotated[int, Field(ge=1, le=130), WholeNumber]] = Field(default_factory=dict)
    """the age a viewer must have reached on the day of the action, in the fest's time zone"""
    regions: list[Annotated[str, WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$"})]] = Field(
        default_factory=list
    )
    """the regions the fest runs in (empty: every region)"""
    excluded_users: list[Id] = Field(default_factory=list)
    """viewers who may not take part at all"""
    unknown: UnknownFacts = UnknownFacts.REFUSE
    """when a rule needs a viewer's age or region that no viewer_profile gave: refuse the action, or allow it"""


# --------------------------------------------------------------------------- the pack


class FestSpec(Spec):
    """A whole fest pack, after all files of the pack are merged."""

    fest: FestInfoSpec
    """the fest's identity and calendar"""
    economy: EconomySpec
    """currency, coins, gifts and the money rules of the fest"""
    badges: list[BadgeSpec] = Field(default_factory=list)
    """badges and their tiers"""
    fan_club: FanClubSpec | None = None
    """Fan Club membership, tasks, levels and pausing"""
    scoring: ScoringSpec | None = None
    """fest points for creators"""
    missions: list[MissionSpec] = Field(default_factory=list)
    """goals for viewers and communities"""
    journeys: list[JourneySpec] = Field(default_factory=list)
    """LIVE Journeys: ordered chains of missions"""
    promotions: list[PromotionSpec] = Field(default_factory=list)
    """discounts that schedules, missions or goals start"""
    commission: CommissionSpec = Field(default_factory=CommissionSpec)
    """affiliate commission for creators"""
    leaderboards: list[LeaderboardSpec] = Field(default_factory=list)
    """rankings the fest publishes"""
    eligibility: EligibilitySpec | None = None
    """who may take part: minimum ages, regions, excluded viewers"""
