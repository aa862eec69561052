"""Counting: each event adds to the viewer missions of its type, in pack order.

For each mission whose filter the event passes (and whose prerequisites are met), the event finds
the viewer's instance in the mission's window (making it if the event adds something), adds what
it adds (the measure's compiled amount, a new distinct value, a streak's period), reports the
progress and completes the instance when it reaches its target.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import Decimal

from festengine.catalog.model import Fest, MeasureKind
from festengine.engine.component import StepContext
from festengine.engine.missions.book import MissionBook
from festengine.engine.missions.claims import Claims
from festengine.engine.missions.closing import Closing
from festengine.engine.missions.prerequisites import Prerequisites
from festengine.engine.missions.rules import CountingRule, FixedWindow
from festengine.engine.missions.state import (
    DistinctInstance,
    MissionInstance,
    StreakInstance,
    WindowTable,
)
from festengine.engine.outcomes import MissionProgressed
from festengine.engine.transitions import MissionState
from festengine.events import Event

__all__ = ["Counting", "longest_run"]

ACTIVE = MissionState.ACTIVE
#: measures whose progress is the sum of what each event adds
_ADDING = frozenset({MeasureKind.COUNT, MeasureKind.SUM})


def longest_run(periods: tuple[int, ...] | list[int], grace: int) -> int:
    """The longest chain of met periods where gaps of up to ``grace`` missed periods are forgiven."""
    best = run = 0
    previous: int | None = None
    for period in periods:
        run = run + 1 if previous is not None and period - previous - 1 <= grace else 1
        best = max(best, run)
        previous = period
    return best


class Counting:
    """Adds events to the viewer missions they count toward."""

    def __init__(
        self, fest: Fest, book: MissionBook, prerequisites: Prerequisites, claims: Claims, closing: Closing
    ) -> None:
        self._fest = fest
        self._book = book
        self._rules = book.rules
        self._prerequisites = prerequisites
        self._claims = claims
        self._closing = closing

    def count(self, event: Event, ctx: StepContext) -> None:
        """Count one event toward every viewer mission of its type, in pack order."""
        user = event.user_id
        emit = ctx.emitter(MissionProgressed)
        for rule in self._rules[event.type]:
            predicate = rule.predicate
            if predicate is not None and not predicate(event):
                continue
            if rule.gated and not self._prerequisites.admit(user, rule.mission, ctx):
                continue
            if rule.fixed is not None:
                self._count_fixed(rule, rule.fixed, user, event, ctx, emit)
            else:
                self._count_open(rule, user, event, ctx, emit)

    def _count_fixed(
        self,
        rule: CountingRule,
        fixed: FixedWindow,
        user: str,
        event: Event,
        ctx: StepContext,
        emit: Callable[[MissionProgressed], None] | None,
    ) -> None:
        """Count the event in a fixed window's instance, kept with the viewer."""
        if not fixed.starts <= ctx.ts < fixed.ends:
            return
        viewer = self._book.viewers.get(user)
        instance = None if viewer is None else viewer.instances.get(fixed.instance_key)
        if instance is None:
            instance = rule.instance_class()
            moved = self._add(rule, instance, event, ctx.ts)
            if not moved and not instance.holds_pending():
                return  # an event that adds nothing opens no instance
            self._book.viewer(user).instances[fixed.instance_key] = instance
            self._closing.join(user, rule.mission_id, fixed, ctx)
        elif instance.state is not ACTIVE:
            return
        else:
            moved = self._add(rule, instance, event, ctx.ts)
        if moved:
            self._progressed(rule, user, fixed.key, instance, None, ctx, emit)

    def _count_open(
        self,
        rule: CountingRule,
        user: str,
        event: Event,
        ctx: StepContext,
        emit: Callable[[MissionProgressed], None] | None,
    ) -> None:
        """Count the event in the viewer's instance in an open day, week or stream."""
        closes: float | None = None
        if rule.resolve is not None:
            found = rule.resolve(ctx.ts, event)
            if found is None:
                return
            window, closes = found
        else:
            stream_window = self._book.stream_window(event, ctx.ts)
            if stream_window is None:
                return
            window = stream_window
        table = rule.tables.get(window)
        instance = None if table is None else table.instances.get(user)
        if instance is None:
            instance = rule.instance_class()
            moved = self._add(rule, instance, event, ctx.ts)
            if not moved and not instance.holds_pending():
                return  # an event that adds nothing opens no instance, nor a table
            if table is None:
                table = self._closing.open_table(rule, window, closes, ctx)
            table.instances[user] = instance
        elif instance.state is not ACTIVE:
            return
        else:
            moved = self._add(rule, instance, event, ctx.ts)
        if moved:
            self._progressed(rule, user, window, instance, table, ctx, emit)

    def _progressed(
        self,
        rule: CountingRule,
        user: str,
        window: str,
        instance: MissionInstance,
        table: WindowTable | None,
        ctx: StepContext,
        emit: Callable[[MissionProgressed], None] | None,
    ) -> None:
        """Report the instance's new progress (unless nobody reads it); complete it at the target."""
        progress = instance.progress
        if emit is not None:
            progressed = MissionProgressed(
                event_id=ctx.event_id,
                subject=user,
                mission_id=rule.mission_id,
                window=window,
                progress=progress,
                target=rule.target,
            )
            emit(progressed)
        if progress >= rule.target:
            self._claims.complete(user, rule.mission, window, instance, table, ctx)

    def _add(self, rule: CountingRule, instance: MissionInstance, event: Event, ts: float) -> bool:
        """Add the event to an active instance; whether its progress moved."""
        if rule.measure in _ADDING:  # a count or a sum: the most frequent, checked first
            amount = rule.amount(event)
            if not amount:
                return False
            instance.progress += amount
            return True
        if isinstance(instance, DistinctInstance):
            return _add_value(instance, getattr(event, rule.mission.measure.field or ""))
        amount = rule.amount(event)
        if not amount or not isinstance(instance, StreakInstance):
            return False
        return self._add_to_period(rule, instance, amount, ts)

    def _add_to_period(self, rule: CountingRule, instance: StreakInstance, amount: int | Decimal, ts: float) -> bool:
        """Add to the streak's period of ``ts``; the progress moves when a period newly reaches the
        minimum and lengthens the longest run."""
        measure = rule.mission.measure
        calendar = self._fest.calendar
        period = calendar.day_of(ts) if measure.period == "day" else calendar.week_of(ts)
        if period in instance.met:
            return False
        pending = instance.pending or {}
        so_far = pending.get(period, 0) + int(amount)
        if so_far < measure.min_per_period:
            pending[period] = so_far
            instance.pending = pending
            return False
        pending.pop(period, None)
        instance.pending = pending or None
        instance.met = tuple(sorted((*instance.met, period)))
        best = longest_run(instance.met, measure.grace)
        if best == instance.progress:
            return False
        instance.progress = best
        return True


def _add_value(instance: DistinctInstance, value: Hashable | None) -> bool:
    """Add a value to a distinct measure; the progress moves when it was not seen before."""
    if value is None or value in instance.values:
        return False
    instance.values = (*instance.values, value)
    instance.progress = len(instance.values)
    return True
