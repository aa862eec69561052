"""The compiled fest: frozen attrs values with the lookup tables the engine needs.

A :class:`Fest` is made by :func:`festengine.catalog.compile.compile_fest` from a validated
:class:`~festengine.catalog.spec.FestSpec`; the engine reads nothing else. Times are aware UTC
datetimes; money amounts and rates are ``Decimal``; ids are strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from festengine.catalog.calendar import FestCalendar

__all__ = [
    "Badge",
    "BadgeRef",
    "Budget",
    "Claim",
    "CommissionRule",
    "CommissionSettings",
    "CommunityRules",
    "Condition",
    "Conversion",
    "Economy",
    "EligibilityRules",
    "EventFilter",
    "FanClub",
    "Fest",
    "Gift",
    "Journey",
    "Leaderboard",
    "Measure",
    "Mission",
    "Phase",
    "PointsRule",
    "Promotion",
    "Requires",
    "Reward",
    "Window",
]


class MeasureKind(StrEnum):
    COUNT = "count"
    SUM = "sum"
    DISTINCT = "distinct"
    STREAK = "streak"


class WindowKind(StrEnum):
    FEST = "fest"
    PHASE = "phase"
    DAILY = "daily"
    WEEKLY = "weekly"
    STREAM = "stream"
    BETWEEN = "between"


class Subject(StrEnum):
    VIEWER = "viewer"
    CREATOR = "creator"
    STREAM = "stream"


@attrs.frozen(slots=True)
class Phase:
    id: str
    name: str
    starts_at: datetime
    ends_at: datetime


@attrs.frozen(slots=True)
class Gift:
    id: str
    name: str
    coins: int
    streakable: bool
    tiktok_gift_id: int | None = None


@attrs.frozen(slots=True)
class Budget:
    """A pot of money; the credits drawn from it lapse ``valid_for`` after their grant or at ``valid_until``
    (neither: they never lapse), and what is unspent then goes back to it or to ``expired_credits``."""

    id: str
    name: str
    amount: Decimal
    allow_partial: bool
    valid_for: timedelta | None = None
    valid_until: datetime | None = None
    lapsed_to: str = "budget"


@attrs.frozen(slots=True)
class Conversion:
    id: str
    valid_from: datetime
    valid_to: datetime
    viewer_credit_rate: Decimal
    creator_bonus_rate: Decimal
    budget: str
    daily_cap_per_viewer: Decimal | None


@attrs.frozen(slots=True)
class Economy:
    currency: str
    minor_unit: int
    rounding: str
    coin_value: Mapping[str, Decimal]
    default_channel: str
    creator_share: Decimal
    platform_share: Decimal
    gifts: Mapping[str, Gift]
    budgets: Mapping[str, Budget]
    conversions: tuple[Conversion, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce_frozen(self)

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency, e.g. ``Decimal('0.01')`` for USD."""
        return Decimal(1).scaleb(-self.minor_unit)


@attrs.frozen(slots=True)
class Badge:
    id: str
    name: str
    description: str | None
    tiers: tuple[str, ...]

    def tier_index(self, tier: str) -> int:
        return self.tiers.index(tier)


@attrs.frozen(slots=True)
class BadgeRef:
    badge: str
    tier: str


@attrs.frozen(slots=True)
class Condition:
    """``field <op> operand``; ops: equals, one_of, at_least, at_most, between, contains."""

    field: str
    op: str
    operand: Any


@attrs.frozen(slots=True)
class EventFilter:
    event: str
    conditions: tuple[Condition, ...]
    #: The conditions compiled into one function of the event, or ``None`` when there are none.
    predicate: Callable[[Any], bool] | None = attrs.field(eq=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # the predicate is a closure: pickles and copies carry the conditions and compile it again
        return (_compiled_filter, (self.event, self.conditions))


@attrs.frozen(slots=True)
class Measure:
    kind: MeasureKind
    field: str | None = None
    period: str = "day"
    min_per_period: int = 1
    grace: int = 0
    #: The event field whose value is what one event adds: ``"count"`` for likes and gifts, a sum's
    #: field, ``None`` when each event adds one (see :func:`festengine.catalog.compile.compile_amount`).
    amount_field: str | None = None
    #: How much one event adds to the measure, compiled from the fields above (``None`` or zero: nothing).
    amount: Callable[[Any], int | Decimal | None] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "amount", _compiled_amount(self.kind, self.amount_field))

    def __reduce__(self) -> tuple[Any, ...]:
        # the amount is a closure: pickles and copies carry the fields and compile it again
        return (Measure, (self.kind, self.field, self.period, self.min_per_period, self.grace, self.amount_field))


@attrs.frozen(slots=True)
class Window:
    kind: WindowKind
    phase: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@attrs.frozen(slots=True)
class Requires:
    missions: tuple[str, ...] = ()
    fan_club_level: int | None = None
    badge: BadgeRef | None = None

    @property
    def any(self) -> bool:
        return bool(self.missions) or self.fan_club_level is not None or self.badge is not None


@attrs.frozen(slots=True)
class Claim:
    manual: bool = False
    within: timedelta | None = None


@attrs.frozen(slots=True)
class Reward:
    """One reward; exactly one of the kinds is set, ``kind`` names it."""

    kind: str
    badge: BadgeRef | None = None
    points: int = 0
    credit: Decimal | None = None
    budget: str | None = None
    fan_club_points: int = 0
    promotion: str | None = None
    commission_boost: Decimal | None = None
    duration: timedelta | None = None


@attrs.frozen(slots=True)
class CommunityLevel:
    #: written whole it is an ``int``; written with decimals (money) it keeps them, as outcomes show it
    target: int | Decimal
    extend_by: timedelta


@attrs.frozen(slots=True)
class CommunityRules:
    levels: tuple[CommunityLevel, ...]
    cooldown: timedelta
    min_contribution: Decimal
    top_contributors: int


@attrs.frozen(slots=True)
class Mission:
    id: str
    title: str
    description: str | None
    subject: Subject
    counts: EventFilter
    measure: Measure
    target: int | Decimal
    window: Window
    repeat: int
    requires: Requires
    claim: Claim
    rewards: tuple[Reward, ...]
    community: CommunityRules | None
    #: Position in the pack, for stable ordering of outcomes.
    order: int


@attrs.frozen(slots=True)
class PointsRule:
    id: str
    counts: EventFilter
    points: int
    per_field: str | None
    per_amount: Decimal | None
    daily_cap: int | None


@attrs.frozen(slots=True)
class FanClubLevel:
    level: int
    points: int
    badge: BadgeRef | None


@attrs.frozen(slots=True)
class FanClub:
    join_gift: str | None
    pause_after_days: int
    levels: tuple[FanClubLevel, ...]
    tasks: tuple[PointsRule, ...]


@attrs.frozen(slots=True)
class Multiplier:
    from_minute: int
    to_minute: int
    factor: Decimal
    timezone: ZoneInfo


@attrs.frozen(slots=True)
class Scoring:
    rules: tuple[PointsRule, ...]
    multipliers: tuple[Multiplier, ...]


@attrs.frozen(slots=True)
class Leaderboard:
    id: str
    title: str
    ranks: str
    by: str
    scope: str
    period: str
    size: int


@attrs.frozen(slots=True)
class JourneyStep:
    """A step is one mission, or several of which the first completed is the path taken."""

    missions: tuple[str, ...]

    @property
    def is_branch(self) -> bool:
        return len(self.missions) > 1


@attrs.frozen(slots=True)
class Journey:
    id: str
    title: str
    description: str | None
    steps: tuple[JourneyStep, ...]
    rewards: tuple[Reward, ...]
    #: whether a step whose mission is claimed by hand counts when claimed (else when completed)
    counts_on_claim: bool = False


@attrs.frozen(slots=True)
class Promotion:
    id: str
    title: str
    trigger_kind: str
    trigger_mission: str | None
    trigger_level: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    percent: Decimal | None
    amount: Decimal | None
    products: frozenset[str]
    categories: frozenset[str]
    audience: str
    duration: timedelta | None
    min_spend: Decimal | None = None
    cap_per_order: Decimal | None = None
    cap_per_viewer: Decimal | None = None
    budget: str | None = None


@attrs.frozen(slots=True)
class CommissionTier:
    from_volume: Decimal
    rate: Decimal


@attrs.frozen(slots=True)
class CommissionRule:
    id: str
    targeted: bool
    products: frozenset[str]
    categories: frozenset[str]
    sellers: frozenset[str]
    channels: frozenset[str]
    rate: Decimal | None
    tiers: tuple[CommissionTier, ...]


@attrs.frozen(slots=True)
class BonusWindow:
    id: str
    starts_at: datetime
    ends_at: datetime
    extra_rate: Decimal
    categories: frozenset[str]


@attrs.frozen(slots=True)
class CommissionSettings:
    attribution_window: timedelta
    in_stream_window: timedelta
    settlement_days: int
    #: Targeted rules first, then open ones, each group in pack order.
    rules: tuple[CommissionRule, ...]
    bonus_windows: tuple[BonusWindow, ...]


@attrs.frozen(slots=True)
class Fest:
    """A compiled fest pack. Build it with :func:`festengine.load_fest`."""

    id: str
    name: str
    timezone: ZoneInfo
    starts_at: datetime
    ends_at: datetime
    allowed_lateness: timedelta
    phases: Mapping[str, Phase]
    calendar: FestCalendar = attrs.field(repr=False)
    economy: Economy = attrs.field(repr=False)
    badges: Mapping[str, Badge] = attrs.field(repr=False)
    fan_club: FanClub | None = attrs.field(repr=False)
    scoring: Scoring | None = attrs.field(repr=False)
    missions: Mapping[str, Mission] = attrs.field(repr=False)
    journeys: Mapping[str, Journey] = attrs.field(repr=False)
    promotions: Mapping[str, Promotion] = attrs.field(repr=False)
    commission: CommissionSettings = attrs.field(repr=False)
    leaderboards: Mapping[str, Leaderboard] = attrs.field(repr=False)
    #: event type -> the missions that count it, in pack order (the engine's dispatch table)
    missions_by_event: Mapping[str, tuple[Mission, ...]] = attrs.field(repr=False)
    #: mission id -> missions whose prerequisites name it
    dependents: Mapping[str, tuple[str, ...]] = attrs.field(repr=False)
    #: a SHA-256 of the canonical pack, so snapshots can refuse a different fest
    fingerprint: str = attrs.field(repr=False)
    #: the files the pack was read from
    sources: tuple[str, ...] = attrs.field(repr=False, default=())
    #: who may take part (``None``: everyone)
    eligibility: EligibilityRules | None = attrs.field(repr=False, default=None)

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce_frozen(self)


@attrs.frozen(slots=True)
class EligibilityRules:
    """Who may take part: per viewer action the minimum age, the regions the fest runs in (empty: all),
    the viewers left out, and whether a fact a rule needs but no profile gave refuses the action."""

    minimum_age: Mapping[str, int]
    regions: frozenset[str]
    excluded_users: frozenset[str]
    refuse_unknown: bool

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce_frozen(self)


def _compiled_filter(event: str, conditions: tuple[Condition, ...]) -> EventFilter:
    """An event filter with its predicate compiled again (how pickles and copies rebuild one)."""
    from festengine.catalog.compile import compile_predicate  # compile imports this module

    return EventFilter(event, conditions, compile_predicate(conditions))


def _compiled_amount(kind: MeasureKind, amount_field: str | None) -> Callable[[Any], int | Decimal | None]:
    """A measure's amount compiled from its fields (how measures are built, pickled and copied)."""
    from festengine.catalog.compile import compile_amount  # compile imports this module

    return compile_amount(kind, amount_field)


def _reduce_frozen(value: Any) -> tuple[Any, ...]:
    """How to pickle or copy a frozen value holding read-only mappings (``mappingproxy`` does not
    pickle): its fields, each read-only mapping as a plain dict, and which fields to wrap again."""
    fields = [getattr(value, field.name) for field in attrs.fields(type(value))]
    proxies = tuple(i for i, field in enumerate(fields) if isinstance(field, MappingProxyType))
    plain = tuple(dict(field) if i in proxies else field for i, field in enumerate(fields))
    return (_rebuilt, (type(value), plain, proxies))


def _rebuilt(cls: type[Any], fields: tuple[Any, ...], proxies: tuple[int, ...]) -> Any:
    return cls(*(MappingProxyType(field) if i in proxies else field for i, field in enumerate(fields)))
