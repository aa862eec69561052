"""The viewer missions compiled per event type: what the counting loop reads for each event.

A :class:`CountingRule` is one viewer mission as seen from one event type: which events count
(the mission's predicate), whether prerequisites gate it, how much an event adds (the measure's
compiled amount, see :func:`festengine.catalog.compile.compile_amount`) and where its instances
are (a fixed window's bounds, or how to find the day, week or stream and its open tables).
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from festengine.catalog.compile import Amount, Predicate
from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, WindowKind
from festengine.engine.missions.state import MissionInstance, WindowTable, instance_class
from festengine.engine.windows import Resolver, fixed_bounds, make_resolver

__all__ = ["RECURRING", "CountingRule", "FixedWindow", "compile_rules"]

#: windows that come round again (days, weeks, streams): their instances live in per-window tables
RECURRING = frozenset({WindowKind.DAILY, WindowKind.WEEKLY, WindowKind.STREAM})


@attrs.frozen(slots=True)
class FixedWindow:
    """A window that is one span of time (the fest, a phase, explicit dates)."""

    key: str
    starts: float
    ends: float
    #: when its timer closes it: its end plus the fest's allowed lateness
    closes: float
    #: ``(mission id, key)``, one tuple shared by every viewer's instance in this window
    instance_key: tuple[str, str]


@attrs.frozen(slots=True)
class CountingRule:
    """One viewer mission as the counting loop sees it for one event type."""

    mission: Mission
    mission_id: str
    predicate: Predicate | None
    #: whether prerequisites (missions, a badge, a fan-club level) must unlock it first
    gated: bool
    measure: MeasureKind
    amount: Amount
    #: the class of this mission's instances (it follows the measure)
    instance_class: type[MissionInstance]
    target: int | Decimal
    #: the window when it is one span of time, else ``None``
    fixed: FixedWindow | None
    #: a day's or a week's window of an event: ``(key, closes)``; ``None`` for other windows
    resolve: Resolver | None
    #: the open days', weeks' or streams' tables of this mission, by window key (shared, mutable)
    tables: dict[str, WindowTable] = attrs.field(eq=False)


def _fixed(fest: Fest, mission: Mission) -> FixedWindow | None:
    if mission.window.kind in RECURRING:
        return None
    key, starts, ends = fixed_bounds(fest, mission.window)
    closes = ends + fest.allowed_lateness.total_seconds()
    return FixedWindow(key, starts, ends, closes, (mission.id, key))


def _rule(fest: Fest, mission: Mission, tables: dict[str, WindowTable]) -> CountingRule:
    kind = mission.window.kind
    resolve = make_resolver(fest, mission.window) if kind in (WindowKind.DAILY, WindowKind.WEEKLY) else None
    return CountingRule(
        mission=mission,
        mission_id=mission.id,
        predicate=mission.counts.predicate,
        gated=mission.requires.any,
        measure=mission.measure.kind,
        amount=mission.measure.amount,
        instance_class=instance_class(mission.measure.kind),
        target=mission.target,
        fixed=_fixed(fest, mission),
        resolve=resolve,
        tables=tables,
    )


def compile_rules(fest: Fest, tables: dict[str, dict[str, WindowTable]]) -> dict[str, tuple[CountingRule, ...]]:
    """Per event type, the viewer missions it counts toward, in pack order. ``tables`` holds the
    open tables of every mission with a recurring window, shared with the rules."""
    rules: dict[str, tuple[CountingRule, ...]] = {}
    day_or_week: dict[WindowKind, Resolver] = {}
    for event_type, missions in fest.missions_by_event.items():
        found = []
        for mission in missions:
            if mission.subject is not Subject.VIEWER:
                continue
            rule = _rule(fest, mission, tables.get(mission.id, {}))
            if rule.resolve is not None:  # one resolver (and its cache) per kind of window
                rule = attrs.evolve(rule, resolve=day_or_week.setdefault(mission.window.kind, rule.resolve))
            found.append(rule)
        if found:
            rules[event_type] = tuple(found)
    return rules
