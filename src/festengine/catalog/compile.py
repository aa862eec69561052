"""Compile a validated :class:`FestSpec` into the frozen, indexed :class:`Fest` the engine runs."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

from festengine.catalog import spec as s
from festengine.catalog.calendar import build_calendar
from festengine.catalog.model import (
    Badge,
    BadgeRef,
    BonusWindow,
    Budget,
    Claim,
    CommissionRule,
    CommissionSettings,
    CommissionTier,
    CommunityLevel,
    CommunityRules,
    Condition,
    Conversion,
    Economy,
    EligibilityRules,
    EventFilter,
    FanClub,
    FanClubLevel,
    Fest,
    Gift,
    Journey,
    JourneyStep,
    Leaderboard,
    Measure,
    MeasureKind,
    Mission,
    Multiplier,
    Phase,
    PointsRule,
    Promotion,
    Requires,
    Reward,
    Scoring,
    Subject,
    Window,
    WindowKind,
)

__all__ = ["COUNTED_EVENTS", "Amount", "compile_amount", "compile_fest", "compile_predicate", "fingerprint"]

Predicate = Callable[[Any], bool]
#: How much one event adds to a measure; ``None`` or zero when it adds nothing.
Amount = Callable[[Any], int | Decimal | None]

#: The events whose ``count`` says how many they stand for (a burst of likes, a combo of gifts):
#: counting measures and streaks add their ``count`` (at least one), other events add one each.
COUNTED_EVENTS: Final = frozenset({"like", "gift"})


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _number(value: Decimal) -> int | Decimal:
    """Whole numbers become ``int`` so the hot path compares ints with ints."""
    return int(value) if value == value.to_integral_value() else value


def _target(value: Decimal) -> int | Decimal:
    """A mission's target: written whole (``100``, ``"100"``) it becomes ``int``; written with decimals
    (``"50.00"``, money) it keeps them, so outcomes and statuses show it as written."""
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else value


def _check(condition: Condition) -> Predicate:
    get = attrgetter(condition.field)
    op, operand = condition.op, condition.operand
    if op == "equals":
        return lambda event: get(event) == operand
    if op == "one_of":
        options = frozenset(operand)
        return lambda event: get(event) in options
    if op == "at_least":
        return lambda event: (value := get(event)) is not None and value >= operand
    if op == "at_most":
        return lambda event: (value := get(event)) is not None and value <= operand
    if op == "between":
        low, high = operand
        return lambda event: (value := get(event)) is not None and low <= value <= high
    if op == "contains":
        needle = str(operand).casefold()
        return lambda event: needle in str(get(event) or "").casefold()
    raise ValueError(f"unknown condition operator {op!r}")  # the schema makes this unreachable


def compile_predicate(conditions: Sequence[Condition]) -> Predicate | None:
    """One function that is true when every condition holds, or ``None`` when there are none."""
    checks = tuple(_check(condition) for condition in conditions)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda event: all(check(event) for check in checks)


def _one(_event: Any) -> int:
    """Each event adds one."""
    return 1


def _its_count(event: Any) -> int:
    """A like or gift event adds its ``count``, at least one."""
    count: int | None = event.count
    return count or 1


def compile_amount(kind: MeasureKind, amount_field: str | None) -> Amount:
    """How much one event adds to a measure, as one function of the event (compiled once, as predicates).

    A count or a streak adds one per event, or the event's ``count`` (at least one) when
    ``amount_field`` is ``"count"`` (likes and gifts, see :data:`COUNTED_EVENTS`); a sum adds its
    field's value (``None`` or zero: nothing); a distinct measure adds one per new value, so its
    amount is one and the value itself is read from the measure's ``field``.
    """
    if kind is MeasureKind.SUM:
        return attrgetter(amount_field or "")
    if amount_field == "count" and kind is not MeasureKind.DISTINCT:
        return _its_count
    return _one


def _amount_field(event: str, spec: s.CountMeasure | s.SumMeasure | s.DistinctMeasure | s.StreakMeasure) -> str | None:
    """Which event field says how much one event adds to the measure (see :func:`compile_amount`)."""
    if isinstance(spec, s.SumMeasure):
        return spec.field
    if isinstance(spec, s.CountMeasure | s.StreakMeasure) and event in COUNTED_EVENTS:
        return "count"
    return None


def _operand(op: str, value: Any) -> Any:
    if op == "one_of":
        return tuple(_number(v) if isinstance(v, Decimal) else v for v in value)
    if op == "between":
        return (_number(value[0]), _number(value[1]))
    return _number(value) if isinstance(value, Decimal) else value


def _filter(spec: s.EventFilterSpec) -> EventFilter:
    conditions = tuple(
        Condition(field=field, op=op, operand=_operand(op, getattr(cond, op)))
        for field, cond in spec.where.items()
        for op in cond.operators()
    )
    return EventFilter(event=spec.event, conditions=conditions, predicate=compile_predicate(conditions))


def _measure(event: str, spec: s.CountMeasure | s.SumMeasure | s.DistinctMeasure | s.StreakMeasure) -> Measure:
    amount_field = _amount_field(event, spec)
    if isinstance(spec, s.SumMeasure | s.DistinctMeasure):
        return Measure(kind=MeasureKind(spec.kind), field=spec.field, amount_field=amount_field)
    if isinstance(spec, s.StreakMeasure):
        return Measure(
            kind=MeasureKind.STREAK,
            period=spec.period,
            min_per_period=spec.min_per_period,
            grace=spec.grace,
            amount_field=amount_field,
        )
    return Measure(kind=MeasureKind.COUNT, amount_field=amount_field)


def _window(spec: Any) -> Window:
    if isinstance(spec, s.PhaseWindow):
        return Window(kind=WindowKind.PHASE, phase=spec.phase)
    if isinstance(spec, s.BetweenWindow):
        return Window(kind=WindowKind.BETWEEN, starts_at=_utc(spec.starts_at), ends_at=_utc(spec.ends_at))
    return Window(kind=WindowKind(spec.kind))


def _reward(spec: Any) -> Reward:
    if isinstance(spec, s.BadgeReward):
        return Reward(kind="badge", badge=BadgeRef(spec.badge, spec.tier))
    if isinstance(spec, s.PointsReward):
        return Reward(kind="points", points=spec.points)
    if isinstance(spec, s.CreditReward):
        return Reward(kind="credit", credit=spec.credit, budget=spec.budget)
    if isinstance(spec, s.FanClubPointsReward):
        return Reward(kind="fan_club_points", fan_club_points=spec.fan_club_points)
    if isinstance(spec, s.PromotionReward):
        return Reward(kind="promotion", promotion=spec.promotion)
    return Reward(kind="commission_boost", commission_boost=spec.commission_boost, duration=spec.duration)


def _badge_ref(spec: s.BadgeRef | None) -> BadgeRef | None:
    return None if spec is None else BadgeRef(spec.badge, spec.tier)


def _community(spec: s.CommunitySpec | None) -> CommunityRules | None:
    if spec is None:
        return None
    return CommunityRules(
        levels=tuple(CommunityLevel(_target(level.target), level.extend_by) for level in spec.levels),
        cooldown=spec.cooldown,
        min_contribution=spec.min_contribution,
        top_contributors=spec.top_contributors,
    )


def _mission(spec: s.MissionSpec, order: int) -> Mission:
    community = _community(spec.community)
    if community is None and spec.subject != "viewer":
        community = _community(s.CommunitySpec())
    return Mission(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        subject=Subject(spec.subject),
        counts=_filter(spec.counts),
        measure=_measure(spec.counts.event, spec.measure),
        target=_target(spec.target),
        window=_window(spec.window),
        repeat=spec.repeat,
        requires=Requires(
            missions=tuple(spec.requires.missions),
            fan_club_level=spec.requires.fan_club_level,
            badge=_badge_ref(spec.requires.badge),
        ),
        claim=Claim(manual=spec.claim.mode == "manual", within=spec.claim.within),
        rewards=tuple(_reward(r) for r in spec.rewards),
        community=community,
        order=order,
    )


def _points_rule(spec: s.PointsRuleSpec) -> PointsRule:
    return PointsRule(
        id=spec.id,
        counts=_filter(spec.counts),
        points=spec.points,
        per_field=spec.per.field if spec.per else None,
        per_amount=spec.per.amount if spec.per else None,
        daily_cap=spec.daily_cap,
    )


def _economy(spec: s.EconomySpec) -> Economy:
    return Economy(
        currency=spec.currency,
        minor_unit=spec.decimals,
        rounding=spec.rounding.value,
        coin_value=MappingProxyType(dict(spec.coin_value)),
        default_channel=spec.default_channel,
        creator_share=spec.split.creator,
        platform_share=spec.split.platform,
        gifts=MappingProxyType({g.id: Gift(g.id, g.name, g.coins, g.streakable, g.tiktok_gift_id) for g in spec.gifts}),
        budgets=MappingProxyType({b.id: _budget(b) for b in spec.budgets}),
        conversions=tuple(
            Conversion(
                id=c.id,
                valid_from=_utc(c.valid_from),
                valid_to=_utc(c.valid_to),
                viewer_credit_rate=c.viewer_credit_rate,
                creator_bonus_rate=c.creator_bonus_rate,
                budget=c.budget,
                daily_cap_per_viewer=c.daily_cap_per_viewer,
            )
            for c in spec.conversions
        ),
    )


def _budget(spec: s.BudgetSpec) -> Budget:
    valid_until = None if spec.valid_until is None else _utc(spec.valid_until)
    return Budget(
        spec.id, spec.name or spec.id, spec.amount, spec.allow_partial, spec.valid_for, valid_until, spec.lapsed_to
    )


def _fan_club(spec: s.FanClubSpec | None) -> FanClub | None:
    if spec is None:
        return None
    return FanClub(
        join_gift=spec.join_gift,
        pause_after_days=spec.pause_after_days,
        levels=tuple(
            FanClubLevel(lv.level, lv.points, _badge_ref(lv.badge))
            for lv in sorted(spec.levels, key=lambda lv: lv.level)
        ),
        tasks=tuple(_points_rule(t) for t in spec.tasks),
    )


def _minute(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _scoring(spec: s.ScoringSpec | None, zone: ZoneInfo) -> Scoring | None:
    if spec is None:
        return None
    return Scoring(
        rules=tuple(_points_rule(r) for r in spec.rules),
        multipliers=tuple(
            Multiplier(
                from_minute=_minute(m.from_time),
                to_minute=_minute(m.to_time),
                factor=m.factor,
                timezone=ZoneInfo(m.timezone) if m.timezone else zone,
            )
            for m in spec.multipliers
        ),
    )


def _promotion(spec: s.PromotionSpec) -> Promotion:
    trigger = spec.trigger
    schedule = isinstance(trigger, s.ScheduleTrigger)
    return Promotion(
        id=spec.id,
        title=spec.title,
        trigger_kind=trigger.kind,
        trigger_mission=None if isinstance(trigger, s.ScheduleTrigger) else trigger.mission,
        trigger_level=trigger.level if isinstance(trigger, s.GoalTrigger) else None,
        starts_at=_utc(trigger.starts_at) if isinstance(trigger, s.ScheduleTrigger) else None,
        ends_at=_utc(trigger.ends_at) if isinstance(trigger, s.ScheduleTrigger) else None,
        percent=spec.discount.percent,
        amount=spec.discount.amount,
        products=frozenset(spec.scope.products),
        categories=frozenset(spec.scope.categories),
        audience=spec.audience,
        duration=None if schedule else spec.duration,
        min_spend=spec.discount.min_spend,
        cap_per_order=spec.discount.cap_per_order,
        cap_per_viewer=spec.discount.cap_per_viewer,
        budget=spec.budget,
    )


def _commission(spec: s.CommissionSpec) -> CommissionSettings:
    rules = sorted(spec.rules, key=lambda r: r.kind != "targeted")  # stable: pack order within groups
    return CommissionSettings(
        attribution_window=spec.attribution_window,
        in_stream_window=spec.in_stream_window,
        settlement_days=spec.settlement_days,
        rules=tuple(
            CommissionRule(
                id=r.id,
                targeted=r.kind == "targeted",
                products=frozenset(r.match.products),
                categories=frozenset(r.match.categories),
                sellers=frozenset(r.match.sellers),
                channels=frozenset(r.match.channels),
                rate=r.rate,
                tiers=tuple(
                    CommissionTier(t.from_volume, t.rate) for t in sorted(r.tiers, key=lambda t: t.from_volume)
                ),
            )
            for r in rules
        ),
        bonus_windows=tuple(
            BonusWindow(b.id, _utc(b.starts_at), _utc(b.ends_at), b.extra_rate, frozenset(b.categories))
            for b in spec.bonus_windows
        ),
    )


def _index_by_event(missions: Iterable[Mission]) -> dict[str, tuple[Mission, ...]]:
    table: dict[str, list[Mission]] = defaultdict(list)
    for mission in missions:
        table[mission.counts.event].append(mission)
    return {event: tuple(found) for event, found in table.items()}


def _dependents(missions: Iterable[Mission]) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for mission in missions:
        for required in mission.requires.missions:
            table[required].append(mission.id)
    return {key: tuple(value) for key, value in table.items()}


def _journey(spec: s.JourneySpec) -> Journey:
    return Journey(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        steps=tuple(JourneyStep(tuple(step.branch) if step.branch else (step.mission or "",)) for step in spec.steps),
        rewards=tuple(_reward(r) for r in spec.rewards),
        counts_on_claim=spec.steps_count == s.StepsCount.ON_CLAIM,
    )


def fingerprint(spec: s.FestSpec) -> str:
    """A SHA-256 of the pack's canonical JSON: equal packs, equal fingerprints."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _eligibility(spec: s.EligibilitySpec | None) -> EligibilityRules | None:
    if spec is None:
        return None
    return EligibilityRules(
        minimum_age=MappingProxyType(dict(spec.minimum_age)),
        regions=frozenset(spec.regions),
        excluded_users=frozenset(spec.excluded_users),
        refuse_unknown=spec.unknown == s.UnknownFacts.REFUSE,
    )


def compile_fest(spec: s.FestSpec, *, sources: Sequence[str] = ()) -> Fest:
    """Turn a validated pack into a :class:`Fest`. Cross-checks must have passed already."""
    info = spec.fest
    zone = ZoneInfo(info.timezone)
    missions = tuple(_mission(m, order) for order, m in enumerate(spec.missions))
    return Fest(
        id=info.id,
        name=info.name,
        timezone=zone,
        starts_at=_utc(info.starts_at),
        ends_at=_utc(info.ends_at),
        allowed_lateness=info.allowed_lateness,
        phases=MappingProxyType({p.id: Phase(p.id, p.name, _utc(p.starts_at), _utc(p.ends_at)) for p in info.phases}),
        calendar=build_calendar(zone, info.starts_at, info.ends_at, info.allowed_lateness, info.week_starts_on),
        economy=_economy(spec.economy),
        badges=MappingProxyType({b.id: Badge(b.id, b.name, b.description, tuple(b.tiers)) for b in spec.badges}),
        fan_club=_fan_club(spec.fan_club),
        scoring=_scoring(spec.scoring, zone),
        missions=MappingProxyType({m.id: m for m in missions}),
        journeys=MappingProxyType({j.id: _journey(j) for j in spec.journeys}),
        promotions=MappingProxyType({p.id: _promotion(p) for p in spec.promotions}),
        commission=_commission(spec.commission),
        leaderboards=MappingProxyType(
            {
                lb.id: Leaderboard(lb.id, lb.title, lb.ranks, lb.by, lb.scope, lb.period, lb.size)
                for lb in spec.leaderboards
            }
        ),
        missions_by_event=MappingProxyType(_index_by_event(missions)),
        dependents=MappingProxyType(_dependents(missions)),
        fingerprint=fingerprint(spec),
        sources=tuple(sources),
        eligibility=_eligibility(spec.eligibility),
    )
