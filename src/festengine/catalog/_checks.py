"""Cross-checks of a fest pack beyond types: references, cycles, windows, amounts, reachability.

(Whether the pack can be played as written, filters that can match and targets and prerequisites
that can be met, is checked in :mod:`festengine.catalog._reach`.)

Each check reads the validated :class:`FestSpec` and yields ``(path, message)`` pairs, where
``path`` points into the merged YAML document (``("missions", 3, "target")``) so the loader can
name the file, line and column. Messages say what is wrong and what to write instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from festengine._codes import currencies, is_region
from festengine._vocab import EVENT_FIELDS, EVENT_TYPES, VIEWER_ACTIONS, FieldKind
from festengine.catalog import spec as s
from festengine.catalog._reach import check_reachable
from festengine.catalog._suggest import suggest
from festengine.catalog._yaml import format_path

__all__ = ["Finding", "check_fest"]

Path = tuple[str | int, ...]
Finding = tuple[Path, str]


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    known = sorted(known)
    listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
    hint = suggest(value, known)
    if hint:
        return f"unknown {kind} {value!r}{hint}"
    return f"unknown {kind} {value!r}; " + (f"known ones: {listed}" if known else f"define the {kind} first")


class _Ctx:
    """What the checks need to know about the pack, computed once."""

    def __init__(self, spec: s.FestSpec) -> None:
        self.spec = spec
        self.missions = {m.id: m for m in spec.missions}
        self.badges = {b.id: b for b in spec.badges}
        self.gifts = {g.id for g in spec.economy.gifts}
        self.budgets = {b.id for b in spec.economy.budgets}
        self.promotions = {p.id for p in spec.promotions}
        self.phases = {p.id: p for p in spec.fest.phases}
        self.quantum = Decimal(1).scaleb(-spec.economy.decimals)


def _duplicates(items: Sequence[Any], base: Path, kind: str) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id in seen:
            yield (
                (*base, index, "id"),
                f"duplicate {kind} id {item.id!r} (first used by {format_path((*base, seen[item.id]))}); "
                f"give each {kind} its own id",
            )
        else:
            seen[item.id] = index


def _check_duplicates(c: _Ctx) -> Iterator[Finding]:
    spec = c.spec
    yield from _duplicates(spec.fest.phases, ("fest", "phases"), "phase")
    yield from _duplicates(spec.economy.gifts, ("economy", "gifts"), "gift")
    yield from _duplicates(spec.economy.budgets, ("economy", "budgets"), "budget")
    yield from _duplicates(spec.economy.conversions, ("economy", "conversions"), "conversion")
    yield from _duplicates(spec.badges, ("badges",), "badge")
    yield from _duplicates(spec.missions, ("missions",), "mission")
    yield from _duplicates(spec.journeys, ("journeys",), "journey")
    yield from _duplicates(spec.promotions, ("promotions",), "promotion")
    yield from _duplicates(spec.leaderboards, ("leaderboards",), "leaderboard")
    yield from _duplicates(spec.commission.rules, ("commission", "rules"), "commission rule")
    yield from _duplicates(spec.commission.bonus_windows, ("commission", "bonus_windows"), "bonus window")
    if spec.fan_club:
        yield from _duplicates(spec.fan_club.tasks, ("fan_club", "tasks"), "fan club task")
    if spec.scoring:
        yield from _duplicates(spec.scoring.rules, ("scoring", "rules"), "scoring rule")
    for index, badge in enumerate(spec.badges):
        if len(set(badge.tiers)) != len(badge.tiers):
            yield ("badges", index, "tiers"), "a badge's tiers must all differ"


# --------------------------------------------------------------------------- references


def _badge_ref(c: _Ctx, ref: Any, path: Path) -> Iterator[Finding]:
    badge = c.badges.get(ref.badge)
    if badge is None:
        yield (*path, "badge"), _unknown("badge", ref.badge, c.badges)
    elif ref.tier not in badge.tiers:
        yield (
            (*path, "tier"),
            (
                f"badge {ref.badge!r} has no tier {ref.tier!r}{suggest(ref.tier, badge.tiers)}; "
                f"its tiers are {', '.join(badge.tiers)}"
            ),
        )


def _amount(c: _Ctx, value: Decimal, path: Path) -> Iterator[Finding]:
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= -c.spec.economy.decimals:
        return
    with localcontext() as context:  # precise enough for any value with a fraction, however long
        context.prec = len(digits) + c.spec.economy.decimals + 1
        if value != value.quantize(c.quantum, rounding="ROUND_DOWN"):
            currency = c.spec.economy.currency
            yield (
                path,
                (
                    f"{value} has more decimals than {currency} allows ({c.spec.economy.decimals}); "
                    f"write it as {value.quantize(c.quantum)}"
                ),
            )


def _rewards(c: _Ctx, rewards: Sequence[Any], path: Path) -> Iterator[Finding]:
    for index, reward in enumerate(rewards):
        here = (*path, index)
        if isinstance(reward, s.BadgeReward):
            yield from _badge_ref(c, reward, here)
        elif isinstance(reward, s.CreditReward):
            if reward.budget not in c.budgets:
                yield (*here, "budget"), _unknown("budget", reward.budget, c.budgets)
            yield from _amount(c, reward.credit, (*here, "credit"))
        elif isinstance(reward, s.PromotionReward):
            if reward.promotion not in c.promotions:
                yield (*here, "promotion"), _unknown("promotion", reward.promotion, c.promotions)
        elif isinstance(reward, s.FanClubPointsReward) and c.spec.fan_club is None:
            yield here, "a fan_club_points reward needs a fan_club section in the pack"


def _filter(event_filter: s.EventFilterSpec, path: Path) -> Iterator[Finding]:
    fields = EVENT_FIELDS.get(event_filter.event)
    if fields is None:
        yield (*path, "event"), _unknown("event type", event_filter.event, EVENT_TYPES)
        return
    allowed = {**fields, "user_id": FieldKind.TEXT}
    for name, condition in event_filter.where.items():
        here = (*path, "where", name)
        if name not in allowed:
            yield (
                here,
                f"a {event_filter.event} event has no field {name!r}{suggest(name, allowed)}; "
                + (f"its fields are {', '.join(sorted(allowed))}"),
            )
            continue
        operators = condition.operators()
        if len(operators) != 1:
            yield here, "write exactly one of: equals, one_of, at_least, at_most, between, contains"
            continue
        op = operators[0]
        kind = allowed[name]
        if op in ("at_least", "at_most", "between") and kind is not FieldKind.NUMBER:
            yield (*here, op), f"{op} compares numbers, but {name!r} is {kind.value}; use equals or one_of"
        if op == "contains" and kind is not FieldKind.TEXT:
            yield (*here, op), f"contains looks inside text, but {name!r} is {kind.value}"
        if op == "between" and condition.between and condition.between[0] > condition.between[1]:
            yield (*here, op), "between takes [low, high] with low <= high"
        values = [condition.equals] if op == "equals" else list(condition.one_of or [])
        for value in values:
            if kind is FieldKind.TEXT and not isinstance(value, str):
                yield (*here, op), f"{name!r} is text, so {value} never matches it; put the value in quotes: '{value}'"
                break
            if kind is FieldKind.NUMBER and (isinstance(value, bool) or not isinstance(value, int | Decimal)):
                yield (*here, op), f"{name!r} is a number, so {value!r} never matches it; write a number, unquoted"
                break


def _number_field(event: str, field: str, path: Path, what: str) -> Iterator[Finding]:
    fields = {**EVENT_FIELDS.get(event, {}), "user_id": FieldKind.TEXT}
    if field not in fields:
        yield path, f"a {event} event has no field {field!r}{suggest(field, fields)}"
    elif fields[field] is not FieldKind.NUMBER and what == "sum":
        yield path, f"{what} needs a number field, but {field!r} is {fields[field].value}"


# --------------------------------------------------------------------------- windows and time


def _inside_fest(c: _Ctx, start: datetime, end: datetime, path: Path, what: str) -> Iterator[Finding]:
    fest = c.spec.fest
    if end <= start:
        yield path, f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})"
    elif start < fest.starts_at or end > fest.ends_at:
        yield (
            path,
            (
                f"{what} ({start.isoformat()} to {end.isoformat()}) is outside the fest "
                f"({fest.starts_at.isoformat()} to {fest.ends_at.isoformat()}); keep it inside"
            ),
        )


def _window_bounds(c: _Ctx, mission: s.MissionSpec) -> tuple[datetime, datetime]:
    window = mission.window
    if isinstance(window, s.PhaseWindow) and window.phase in c.phases:
        phase = c.phases[window.phase]
        return phase.starts_at, phase.ends_at
    if isinstance(window, s.BetweenWindow):
        return window.starts_at, window.ends_at
    return c.spec.fest.starts_at, c.spec.fest.ends_at


def _check_fest(c: _Ctx) -> Iterator[Finding]:
    fest = c.spec.fest
    if fest.ends_at <= fest.starts_at:
        yield ("fest", "ends_at"), "the fest ends before it starts; ends_at must be after starts_at"
    for index, phase in enumerate(fest.phases):
        yield from _inside_fest(c, phase.starts_at, phase.ends_at, ("fest", "phases", index), f"phase {phase.id!r}")


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _periods(c: _Ctx, mission: s.MissionSpec, period: str) -> int | None:
    """How many fest days or weeks (local, as streaks count them) one window instance can touch."""
    start, end = _window_bounds(c, mission)
    if end <= start:
        return None  # reported as a window ending before it starts
    zone = ZoneInfo(c.spec.fest.timezone)
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    offset = _WEEKDAYS.index(c.spec.fest.week_starts_on)

    def week(day: date) -> int:
        return (day.toordinal() - 1 - offset) // 7  # ordinal 1 is a Monday

    days, weeks = (last - first).days + 1, week(last) - week(first) + 1
    if isinstance(mission.window, s.DailyWindow):  # a new instance every day
        days = weeks = 1
    elif isinstance(mission.window, s.WeeklyWindow):  # a new instance every week
        days, weeks = min(days, 7), 1
    return weeks if period == "week" else days


# --------------------------------------------------------------------------- missions


def _check_mission(c: _Ctx, index: int, mission: s.MissionSpec) -> Iterator[Finding]:
    path: Path = ("missions", index)
    yield from _filter(mission.counts, (*path, "counts"))
    measure = mission.measure
    if isinstance(measure, s.SumMeasure | s.DistinctMeasure):
        yield from _number_field(mission.counts.event, measure.field, (*path, "measure", "field"), measure.kind)
    window = mission.window
    if isinstance(window, s.PhaseWindow) and window.phase not in c.phases:
        yield (*path, "window", "phase"), _unknown("phase", window.phase, c.phases)
    if isinstance(window, s.BetweenWindow):
        yield from _inside_fest(
            c, window.starts_at, window.ends_at, (*path, "window"), f"the window of mission {mission.id!r}"
        )
    if isinstance(window, s.StreamWindow) and "stream_id" not in EVENT_FIELDS.get(mission.counts.event, {}):
        yield (*path, "window"), f"a per-stream window needs events with a stream, and {mission.counts.event} has none"
    if isinstance(measure, s.StreakMeasure):
        available = _periods(c, mission, measure.period)
        if available is not None and mission.target > available:
            yield (
                (*path, "target"),
                (
                    f"a streak of {mission.target} {measure.period}s cannot fit in a window of {available} "
                    f"{measure.period}s; lower the target to at most {available}"
                ),
            )
    if mission.target != mission.target.to_integral_value() and not isinstance(measure, s.SumMeasure):
        yield (*path, "target"), f"a {measure.kind} target is a whole number; write {max(1, int(mission.target))}"
    yield from _check_requires(c, index, mission)
    if mission.claim.mode == "manual" and mission.claim.within is None:
        yield (*path, "claim"), "a manual claim needs a deadline: add within, e.g. within: 48h"
    if mission.claim.mode == "auto" and mission.claim.within is not None:
        yield (*path, "claim", "within"), "within is the deadline of a manual claim; add mode: manual or remove it"
    yield from _rewards(c, mission.rewards, (*path, "rewards"))
    yield from _check_subject(mission, path)


def _check_subject(mission: s.MissionSpec, path: Path) -> Iterator[Finding]:
    if mission.subject == "viewer":
        if mission.community is not None:
            yield (
                (*path, "community"),
                "community rules apply to subject creator or stream; remove them or change subject",
            )
        return
    fields = EVENT_FIELDS.get(mission.counts.event, {})
    if "creator_id" not in fields:
        yield (
            (*path, "counts", "event"),
            f"a community mission needs events with a creator; {mission.counts.event} has none",
        )
    if mission.subject == "stream" and "stream_id" not in fields:
        yield (
            (*path, "counts", "event"),
            f"a stream community mission needs events with a stream; {mission.counts.event} has none",
        )
    if isinstance(mission.measure, s.StreakMeasure):
        yield (*path, "measure"), "a community goal adds up contributions; use count, sum or distinct"
    if mission.claim.mode == "manual":
        yield (*path, "claim"), "community goals reward contributors automatically; remove the manual claim"
    if mission.requires.missions or mission.requires.badge or mission.requires.fan_club_level:
        yield (*path, "requires"), "community goals cannot have prerequisites (they belong to no single viewer)"
    if mission.community is not None:
        levels = [level.target for level in mission.community.levels]
        if levels != sorted(levels) or len(set(levels)) != len(levels):
            yield (*path, "community", "levels"), "level targets must increase from one level to the next"
        if levels and levels[-1] > mission.target:
            yield (*path, "community", "levels"), "level targets must not exceed the goal's target"


def _check_requires(c: _Ctx, index: int, mission: s.MissionSpec) -> Iterator[Finding]:
    path: Path = ("missions", index, "requires")
    requires = mission.requires
    for position, required in enumerate(requires.missions):
        other = c.missions.get(required)
        if other is None:
            yield (*path, "missions", position), _unknown("mission", required, c.missions)
            continue
        if required == mission.id:
            yield (*path, "missions", position), f"mission {mission.id!r} cannot require itself"
            continue
        _, mission_end = _window_bounds(c, mission)
        required_start, _ = _window_bounds(c, other)
        if mission_end <= required_start:
            yield (
                (*path, "missions", position),
                (
                    f"mission {mission.id!r} can never unlock: its window closes ({mission_end.isoformat()}) "
                    f"before {required!r} opens ({required_start.isoformat()})"
                ),
            )
    if requires.badge is not None:
        yield from _badge_ref(c, requires.badge, (*path, "badge"))
    if requires.fan_club_level is not None:
        fan_club = c.spec.fan_club
        if fan_club is None:
            yield (*path, "fan_club_level"), "a fan_club_level prerequisite needs a fan_club section in the pack"
        elif requires.fan_club_level > max(level.level for level in fan_club.levels):
            top = max(level.level for level in fan_club.levels)
            yield (*path, "fan_club_level"), f"the fan club's highest level is {top}"


def _check_cycles(c: _Ctx) -> Iterator[Finding]:
    graph = {m.id: [r for r in m.requires.missions if r in c.missions] for m in c.spec.missions}
    index = {m.id: i for i, m in enumerate(c.spec.missions)}
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> Iterator[Finding]:
        state[node] = 1
        trail.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield (
                        ("missions", index[nxt], "requires"),
                        ("these missions form a prerequisite cycle: " + " → ".join(cycle) + "; break it"),
                    )
            elif nxt not in state:
                yield from visit(nxt, trail)
        trail.pop()
        state[node] = 2

    for mission_id in graph:
        if mission_id not in state:
            yield from visit(mission_id, [])


# --------------------------------------------------------------------------- other sections


def _check_economy(c: _Ctx) -> Iterator[Finding]:
    economy = c.spec.economy
    if economy.default_channel not in economy.coin_value:
        yield ("economy", "default_channel"), _unknown("coin channel", economy.default_channel, economy.coin_value)
    if economy.split.creator + economy.split.platform != 1:
        total = economy.split.creator + economy.split.platform
        yield ("economy", "split"), f"creator and platform shares must add up to 1, not {total}"
    for index, budget in enumerate(economy.budgets):
        yield from _amount(c, budget.amount, ("economy", "budgets", index, "amount"))
        yield from _credit_validity(c, budget, ("economy", "budgets", index))
    for index, conversion in enumerate(economy.conversions):
        path: Path = ("economy", "conversions", index)
        if conversion.budget not in c.budgets:
            yield (*path, "budget"), _unknown("budget", conversion.budget, c.budgets)
        yield from _inside_fest(c, conversion.valid_from, conversion.valid_to, path, f"conversion {conversion.id!r}")
        if conversion.viewer_credit_rate + conversion.creator_bonus_rate > economy.split.platform:
            yield path, "viewer credit and creator bonus rates together must not exceed the platform's share"
        if conversion.daily_cap_per_viewer is not None:
            yield from _amount(c, conversion.daily_cap_per_viewer, (*path, "daily_cap_per_viewer"))
    ordered = sorted(enumerate(economy.conversions), key=lambda item: item[1].valid_from)
    latest: s.ConversionSpec | None = None  # of those starting earlier, the one ending last
    for index, second in ordered:
        if latest is not None and second.valid_from < latest.valid_to:
            yield (
                ("economy", "conversions", index),
                (f"conversion {second.id!r} overlaps {latest.id!r}; one conversion rule applies at a time"),
            )
        if latest is None or second.valid_to > latest.valid_to:
            latest = second


def _credit_validity(c: _Ctx, budget: s.BudgetSpec, path: Path) -> Iterator[Finding]:
    """A budget's credits lapse after ``valid_for`` or at ``valid_until``: one of them, and a time they can be spent."""
    if budget.valid_for is not None and budget.valid_until is not None:
        yield path, f"budget {budget.id!r}: write one of valid_for or valid_until, not both"
    elif budget.valid_for is not None and budget.valid_for <= timedelta(0):
        yield (*path, "valid_for"), f"budget {budget.id!r}: credits must stay valid for some time, e.g. valid_for: 7d"
    elif budget.valid_until is not None and budget.valid_until <= c.spec.fest.starts_at:
        yield (
            (*path, "valid_until"),
            (
                f"budget {budget.id!r}: credits would lapse at {budget.valid_until.isoformat()}, before the fest "
                f"starts ({c.spec.fest.starts_at.isoformat()}); give a later time"
            ),
        )


def _currency_hint(code: str) -> str:
    """A currency of the same country (ISO 4217 codes begin with the ISO 3166 code: USD, EUR), else a close one."""
    payable = sorted(other for other, digits in currencies().items() if digits is not None)
    same_country = [other for other in payable if other[:2] == code[:2]]
    return f" (did you mean {same_country[0]!r}?)" if same_country else suggest(code, payable)


def _check_currency(c: _Ctx) -> Iterator[Finding]:
    """The currency is an ISO 4217 code with a minor unit, and a written minor unit is the currency's."""
    economy = c.spec.economy
    code = economy.currency
    known = currencies()
    if code not in known:
        yield ("economy", "currency"), f"unknown currency {code!r}: not an ISO 4217 code{_currency_hint(code)}"
        return
    digits = known[code]
    if digits is None:
        yield (
            ("economy", "currency"),
            f"{code} has no minor unit in ISO 4217 (a fund, a metal or a code for testing); "
            "a fest pays in a currency such as USD or EUR",
        )
    elif economy.minor_unit is not None and economy.minor_unit != digits:
        yield (
            ("economy", "minor_unit"),
            f"{code} has {digits} minor digits in ISO 4217, not {economy.minor_unit}; "
            f"write minor_unit: {digits} or leave it out",
        )


#: Region codes people write that ISO 3166-1 spells otherwise.
_REGION_ALIASES = {"UK": "GB", "EL": "GR", "EN": "GB"}


def _region_hint(code: str) -> str:
    upper = code.upper()
    for candidate in (upper, _REGION_ALIASES.get(upper)):
        if candidate is not None and candidate != code and is_region(candidate):
            return f" (did you mean {candidate!r}?)"
    return ""


def _check_eligibility(c: _Ctx) -> Iterator[Finding]:
    """Minimum ages name viewer actions; regions are ISO 3166-1 alpha-2 codes, each written once."""
    eligibility = c.spec.eligibility
    if eligibility is None:
        return
    base: Path = ("eligibility",)
    for action in eligibility.minimum_age:
        if action not in VIEWER_ACTIONS:
            yield (*base, "minimum_age", action), _unknown("viewer action", action, VIEWER_ACTIONS)
    seen: dict[str, int] = {}
    for index, code in enumerate(eligibility.regions):
        if not is_region(code):
            yield (
                (*base, "regions", index),
                f"{code!r} is not an ISO 3166-1 alpha-2 region code{_region_hint(code)}; write two capital "
                "letters such as 'US', 'DE' or 'KR'",
            )
        elif code in seen:
            yield (*base, "regions", index), f"region {code!r} is listed twice (first as regions[{seen[code]}])"
        else:
            seen[code] = index


def _check_points_rules(rules: Sequence[s.PointsRuleSpec], base: Path) -> Iterator[Finding]:
    for index, rule in enumerate(rules):
        yield from _filter(rule.counts, (*base, index, "counts"))
        if rule.per is not None:
            yield from _number_field(rule.counts.event, rule.per.field, (*base, index, "per", "field"), "sum")


def _check_fan_club(c: _Ctx) -> Iterator[Finding]:
    fan_club = c.spec.fan_club
    if fan_club is None:
        return
    if fan_club.join_gift is not None and fan_club.join_gift not in c.gifts:
        yield ("fan_club", "join_gift"), _unknown("gift", fan_club.join_gift, c.gifts)
    numbers = [level.level for level in fan_club.levels]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        yield ("fan_club", "levels"), "number the levels 1, 2, 3… without gaps"
    ordered = sorted(fan_club.levels, key=lambda level: level.level)
    if ordered and ordered[0].points != 0:
        yield ("fan_club", "levels"), "level 1 starts at 0 points (every member has it)"
    for previous, level in pairwise(ordered):
        if level.points <= previous.points:
            yield (
                ("fan_club", "levels", numbers.index(level.level), "points"),
                (f"level {level.level} needs more points than level {previous.level} ({previous.points})"),
            )
    for index, level in enumerate(fan_club.levels):
        if level.badge is not None:
            yield from _badge_ref(c, level.badge, ("fan_club", "levels", index, "badge"))
    yield from _check_points_rules(fan_club.tasks, ("fan_club", "tasks"))


def _check_journeys(c: _Ctx) -> Iterator[Finding]:
    for index, journey in enumerate(c.spec.journeys):
        for position, step in enumerate(journey.steps):
            path: Path = ("journeys", index, "steps", position)
            if (step.mission is None) == (step.branch is None):
                yield path, "a step is either mission: <id> or branch: [<id>, <id>…]"
                continue
            names = [step.mission] if step.mission else list(step.branch or [])
            if step.branch is not None and len(step.branch) < 2:
                yield (*path, "branch"), "a branch offers at least two missions; use mission: for one"
            for offset, name in enumerate(names):
                if name not in c.missions:
                    where = (*path, "mission") if step.mission else (*path, "branch", offset)
                    yield where, _unknown("mission", name, c.missions)
        yield from _rewards(c, journey.rewards, ("journeys", index, "rewards"))


def _check_promotions(c: _Ctx) -> Iterator[Finding]:
    for index, promotion in enumerate(c.spec.promotions):
        path: Path = ("promotions", index)
        trigger = promotion.trigger
        if isinstance(trigger, s.ScheduleTrigger):
            yield from _inside_fest(
                c, trigger.starts_at, trigger.ends_at, (*path, "trigger"), f"promotion {promotion.id!r}"
            )
        else:
            mission = c.missions.get(trigger.mission)
            if mission is None:
                yield (*path, "trigger", "mission"), _unknown("mission", trigger.mission, c.missions)
            elif isinstance(trigger, s.GoalTrigger) and mission.subject == "viewer":
                yield (
                    (*path, "trigger", "mission"),
                    f"mission {trigger.mission!r} is a viewer mission, not a community goal; use kind: mission",
                )
            elif isinstance(trigger, s.GoalTrigger) and trigger.level is not None:
                levels = len(mission.community.levels) if mission.community is not None else 0
                if trigger.level > levels:
                    fix = f"write a level from 1 to {levels}" if levels else "remove level"
                    yield (
                        (*path, "trigger", "level"),
                        (
                            f"community goal {trigger.mission!r} has {levels or 'no'} levels, so level "
                            f"{trigger.level} is never reached; {fix} (without level, the promotion starts "
                            "when the goal completes)"
                        ),
                    )
            if promotion.duration is None:
                yield (*path, "duration"), "a triggered promotion needs a duration, e.g. duration: 1h"
        discount = promotion.discount
        if (discount.percent is None) == (discount.amount is None):
            yield (*path, "discount"), "write exactly one of percent or amount"
        for name in ("amount", "min_spend", "cap_per_order", "cap_per_viewer"):
            value = getattr(discount, name)
            if value is not None:
                yield from _amount(c, value, (*path, "discount", name))
        if promotion.budget is not None and promotion.budget not in c.budgets:
            yield (*path, "budget"), _unknown("budget", promotion.budget, c.budgets)


def _check_commission(c: _Ctx) -> Iterator[Finding]:
    commission = c.spec.commission
    for index, rule in enumerate(commission.rules):
        path: Path = ("commission", "rules", index)
        if rule.rate is None and not rule.tiers:
            yield path, "a commission rule needs a rate or tiers"
        if rule.rate is not None and rule.tiers:
            yield path, "write either rate or tiers, not both"
        if rule.tiers and rule.tiers[0].from_volume != 0:
            yield (*path, "tiers", 0, "from_volume"), "the first tier starts at from_volume: '0'"
        for position, tier in enumerate(rule.tiers):
            yield from _amount(c, tier.from_volume, (*path, "tiers", position, "from_volume"))
    for index, bonus in enumerate(commission.bonus_windows):
        yield from _inside_fest(
            c, bonus.starts_at, bonus.ends_at, ("commission", "bonus_windows", index), f"bonus window {bonus.id!r}"
        )


def _check_scoring(c: _Ctx) -> Iterator[Finding]:
    if c.spec.scoring is None:
        return
    yield from _check_points_rules(c.spec.scoring.rules, ("scoring", "rules"))
    for index, multiplier in enumerate(c.spec.scoring.multipliers):
        if multiplier.timezone is None:
            continue
        try:
            ZoneInfo(multiplier.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            yield (
                ("scoring", "multipliers", index, "timezone"),
                f"unknown time zone {multiplier.timezone!r}{suggest(multiplier.timezone, available_timezones())}; "
                "write an IANA name such as 'America/Los_Angeles' or 'UTC'",
            )


def _check_tiktok_gift_ids(c: _Ctx) -> Iterator[Finding]:
    """A TikTok gift id maps to one gift of the catalogue, or a feed could not tell which gift was sent."""
    first: dict[int, str] = {}
    for index, gift in enumerate(c.spec.economy.gifts):
        if gift.tiktok_gift_id is None:
            continue
        if gift.tiktok_gift_id in first:
            yield (
                ("economy", "gifts", index, "tiktok_gift_id"),
                f"tiktok_gift_id {gift.tiktok_gift_id} is also the id of gift {first[gift.tiktok_gift_id]!r}; "
                "each TikTok gift maps to one gift of the catalogue",
            )
        else:
            first[gift.tiktok_gift_id] = gift.id


_CHECKS: tuple[Callable[[_Ctx], Iterator[Finding]], ...] = (
    _check_duplicates,
    _check_tiktok_gift_ids,
    _check_fest,
    _check_economy,
    _check_currency,
    _check_eligibility,
    _check_fan_club,
    _check_cycles,
    _check_journeys,
    _check_promotions,
    _check_commission,
    _check_scoring,
)


def check_fest(spec: s.FestSpec) -> list[Finding]:
    """Every cross-check finding of a type-valid pack, in a stable order."""
    c = _Ctx(spec)
    findings: list[Finding] = []
    for check in _CHECKS:
        findings.extend(check(c))
    for index, mission in enumerate(spec.missions):
        findings.extend(_check_mission(c, index, mission))
    findings.extend(check_reachable(spec))
    return findings
