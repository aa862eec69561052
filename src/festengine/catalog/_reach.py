"""Cross-checks that a pack can be played: filters that can match, targets and prerequisites that can be met.

A pack can be well typed and well referenced and still hold a mission nobody can complete: a
filter on a gift the catalogue does not sell, a like ``count`` the wire format never carries, five
distinct gifts out of four, five distinct creators in one stream, a prerequisite badge that nothing
awards. Each check here yields ``(path, message)`` findings like :mod:`festengine.catalog._checks`,
whose :func:`~festengine.catalog._checks.check_fest` runs them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

from festengine._vocab import FIELD_RANGES
from festengine.catalog import spec as s
from festengine.catalog._suggest import suggest

__all__ = ["check_reachable"]

Path = tuple[str | int, ...]
Finding = tuple[Path, str]


def _known_values(spec: s.FestSpec) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """``(event, field) -> (what the values are, the values)`` for the fields whose values the pack defines."""
    return {
        ("gift", "gift_id"): ("gift", [g.id for g in spec.economy.gifts]),
        ("gift", "channel"): ("coin channel", list(spec.economy.coin_value)),
        ("claim", "mission_id"): ("mission", [m.id for m in spec.missions]),
    }


def _filters(spec: s.FestSpec) -> Iterator[tuple[s.EventFilterSpec, Path]]:
    """Every event filter of the pack, with its path."""
    for index, mission in enumerate(spec.missions):
        yield mission.counts, ("missions", index, "counts")
    rule_lists: list[tuple[Sequence[s.PointsRuleSpec], Path]] = []
    if spec.fan_club is not None:
        rule_lists.append((spec.fan_club.tasks, ("fan_club", "tasks")))
    if spec.scoring is not None:
        rule_lists.append((spec.scoring.rules, ("scoring", "rules")))
    for rules, base in rule_lists:
        for index, rule in enumerate(rules):
            yield rule.counts, (*base, index, "counts")


def _written(condition: s.Condition) -> list[tuple[object, Path]]:
    """The values an ``equals`` or ``one_of`` condition names, with their paths below the field."""
    if condition.equals is not None:
        return [(condition.equals, ("equals",))]
    return [(value, ("one_of", position)) for position, value in enumerate(condition.one_of or [])]


# --------------------------------------------------------------------------- values that never match


def _unknown_value(event: str, what: str, value: str, known: list[str]) -> str:
    hint = suggest(value, known)
    listed = ", ".join(sorted(known)[:10]) + (", …" if len(known) > 10 else "")
    fix = "" if hint else f"; the pack's {what}s are {listed}"
    return f"no {event} event can have {what} {value!r}{hint}: the pack defines no such {what}{fix}"


def _check_known(spec: s.FestSpec, event_filter: s.EventFilterSpec, path: Path) -> Iterator[Finding]:
    known = _known_values(spec)
    for field, condition in event_filter.where.items():
        entry = known.get((event_filter.event, field))
        if entry is None:
            continue
        what, values = entry
        for value, below in _written(condition):
            if isinstance(value, str) and value not in values:
                yield (*path, "where", field, *below), _unknown_value(event_filter.event, what, value, values)


def _outside(value: Decimal | int, low: int, high: int) -> bool:
    return not low <= value <= high


def _range_message(event: str, field: str, low: int, high: int, written: str) -> str:
    return (
        f"a {event} event's {field} is from {low:,} to {high:,} (the events' limits), so {written} never "
        f"matches; write a value in that range"
    )


def _check_ranges(event_filter: s.EventFilterSpec, path: Path) -> Iterator[Finding]:
    for field, condition in event_filter.where.items():
        bounds = FIELD_RANGES.get((event_filter.event, field))
        if bounds is None:
            continue
        low, high = bounds
        here = (*path, "where", field)
        for value, below in _written(condition):
            if isinstance(value, int | Decimal) and not isinstance(value, bool) and _outside(value, low, high):
                yield (*here, *below), _range_message(event_filter.event, field, low, high, f"{value}")
        if condition.at_least is not None and condition.at_least > high:
            yield (*here, "at_least"), _range_message(event_filter.event, field, low, high, "this at_least")
        if condition.at_most is not None and condition.at_most < low:
            yield (*here, "at_most"), _range_message(event_filter.event, field, low, high, "this at_most")
        if condition.between is not None and (condition.between[0] > high or condition.between[1] < low):
            yield (*here, "between"), _range_message(event_filter.event, field, low, high, "this between")


# --------------------------------------------------------------------------- distinct targets


def _distinct_bounds(spec: s.FestSpec, mission: s.MissionSpec, field: str) -> Iterator[tuple[int, str]]:
    """Upper bounds on how many distinct values of ``field`` one instance of ``mission`` can see, with why."""
    event = mission.counts.event
    entry = _known_values(spec).get((event, field))
    if entry is not None:
        what, values = entry
        yield len(set(values)), f"the pack has {len(set(values))} {what}{'s' if len(set(values)) != 1 else ''}"
    condition = mission.counts.where.get(field)
    if condition is not None and condition.equals is not None:
        yield 1, f"the filter allows only {field} {condition.equals!r}"
    if condition is not None and condition.one_of is not None:
        count = len(set(condition.one_of))
        yield count, f"the filter allows {count} value{'s' if count != 1 else ''} of {field}"
    per_stream = isinstance(mission.window, s.StreamWindow) or mission.subject == "stream"
    if field == "stream_id" and per_stream:
        yield 1, "each instance counts the events of one stream"
    if field == "creator_id" and mission.subject == "creator":
        yield 1, "each instance counts the events of one creator"
    elif field == "creator_id" and per_stream:
        yield 1, "each instance counts the events of one stream, and a stream has one creator"
    if field == "user_id" and mission.subject == "viewer":
        yield 1, "a viewer mission counts the viewer's own events"


def _check_distinct(spec: s.FestSpec, index: int, mission: s.MissionSpec) -> Iterator[Finding]:
    measure = mission.measure
    if not isinstance(measure, s.DistinctMeasure):
        return
    bounds = list(_distinct_bounds(spec, mission, measure.field))
    if not bounds:
        return
    most, why = min(bounds, key=lambda bound: bound[0])
    if mission.target > most:
        yield (
            ("missions", index, "target"),
            (
                f"at most {most} distinct {measure.field} can count towards mission {mission.id!r} ({why}), "
                f"so a target of {mission.target} is never met; lower it to at most {max(most, 1)}"
            ),
        )


# --------------------------------------------------------------------------- prerequisites


def _awarded(spec: s.FestSpec) -> dict[str, list[tuple[str, str]]]:
    """``badge id -> [(tier, who awards it)]`` for every badge reward and fan club level of the pack."""
    found: dict[str, list[tuple[str, str]]] = {}
    for mission in spec.missions:
        for reward in mission.rewards:
            if isinstance(reward, s.BadgeReward):
                found.setdefault(reward.badge, []).append((reward.tier, mission.id))
    for journey in spec.journeys:
        for reward in journey.rewards:
            if isinstance(reward, s.BadgeReward):
                found.setdefault(reward.badge, []).append((reward.tier, f"journey {journey.id}"))
    for level in spec.fan_club.levels if spec.fan_club else []:
        if level.badge is not None:
            found.setdefault(level.badge.badge, []).append((level.badge.tier, f"fan club level {level.level}"))
    return found


def _check_badge_prerequisite(
    mission: s.MissionSpec, path: Path, badges: Mapping[str, s.BadgeSpec], awarded: dict[str, list[tuple[str, str]]]
) -> Iterator[Finding]:
    required = mission.requires.badge
    badge = badges.get(required.badge) if required is not None else None
    if required is None or badge is None or required.tier not in badge.tiers:
        return  # no prerequisite, or an unknown badge or tier (reported by the reference checks)
    lowest = badge.tiers.index(required.tier)
    sources = [
        who
        for tier, who in awarded.get(required.badge, [])
        if tier in badge.tiers and badge.tiers.index(tier) >= lowest and who != mission.id
    ]
    if not sources:
        yield (
            (*path, "requires", "badge"),
            (
                f"nothing awards badge {required.badge!r} at tier {required.tier!r} or higher (no mission, journey "
                f"or fan club level but this one), so mission {mission.id!r} never unlocks; award that tier "
                "somewhere or remove the prerequisite"
            ),
        )


def _earns_fan_club_points(spec: s.FestSpec) -> bool:
    if spec.fan_club is not None and spec.fan_club.tasks:
        return True
    rewards = [r for m in spec.missions for r in m.rewards] + [r for j in spec.journeys for r in j.rewards]
    return any(isinstance(reward, s.FanClubPointsReward) for reward in rewards)


def _check_level_prerequisite(spec: s.FestSpec, mission: s.MissionSpec, path: Path) -> Iterator[Finding]:
    level = mission.requires.fan_club_level
    fan_club = spec.fan_club
    if level is None or level < 2 or fan_club is None or _earns_fan_club_points(spec):
        return
    if level > max(known.level for known in fan_club.levels):
        return  # reported as a level above the top
    yield (
        (*path, "requires", "fan_club_level"),
        (
            f"fan club members earn no points (the fan club has no tasks and no reward gives fan_club_points), "
            f"so nobody reaches level {level} and mission {mission.id!r} never unlocks; add tasks or lower "
            "the level to 1"
        ),
    )


# --------------------------------------------------------------------------- all of them


def check_reachable(spec: s.FestSpec) -> Iterator[Finding]:
    """Every finding of a pack that is valid but cannot be played as written."""
    for event_filter, path in _filters(spec):
        yield from _check_known(spec, event_filter, path)
        yield from _check_ranges(event_filter, path)
    badges = {badge.id: badge for badge in spec.badges}
    awarded = _awarded(spec)
    for index, mission in enumerate(spec.missions):
        yield from _check_distinct(spec, index, mission)
        yield from _check_badge_prerequisite(mission, ("missions", index), badges, awarded)
        yield from _check_level_prerequisite(spec, mission, ("missions", index))
