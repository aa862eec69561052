"""What the social parts share: points rules with daily caps, and fest days with a one-day cache.

A *points rule* (a Fan Club task or a creator scoring rule) gives ``points`` per matching event,
or, with ``per``, ``points`` for every ``amount`` of a number field added up across events. Its
state per owner (a member of a club, a creator) is a *slot*: the points given and the remainder
of the field carried over, for the current fest day and the one before it (so an event that
arrives late, just after local midnight, still counts against yesterday's cap). The remainder
carries over within a fest day only; an event two or more fest days behind the newest day seen
by the slot earns nothing (the fest's ``allowed_lateness`` is minutes, not days).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from festengine.catalog.calendar import FestCalendar
from festengine.catalog.model import PointsRule

__all__ = ["CompiledRule", "DayClock", "Number", "compile_rules", "earn", "new_slot", "whole"]

Number: TypeAlias = int | Decimal

#: A rule's state for one owner: ``[day, given, carry, previous_day, previous_given, previous_carry]``.
Slot: TypeAlias = list[Any]

_NO_DAY: Final = -(10**9)


def whole(value: Decimal | int) -> Number:
    """``Decimal('2')`` becomes ``2`` so the hot path multiplies ints; fractions stay ``Decimal``."""
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else value


@attrs.frozen(slots=True)
class CompiledRule:
    """A points rule ready for the hot path; ``index`` is its position in its list of rules."""

    index: int
    rule_id: str
    predicate: Callable[[Any], bool] | None
    points: int
    field: str | None
    amount: Number
    cap: int | None
    #: whether the rule needs a slot (it adds up a field, or has a daily cap)
    stateful: bool


def compile_rules(rules: Sequence[PointsRule]) -> dict[str, tuple[CompiledRule, ...]]:
    """Per event type, the rules that count it, in pack order."""
    table: dict[str, list[CompiledRule]] = {}
    for index, rule in enumerate(rules):
        compiled = CompiledRule(
            index=index,
            rule_id=rule.id,
            predicate=rule.counts.predicate,
            points=rule.points,
            field=rule.per_field,
            amount=whole(rule.per_amount) if rule.per_amount is not None else 1,
            cap=rule.daily_cap,
            stateful=rule.per_field is not None or rule.daily_cap is not None,
        )
        table.setdefault(rule.counts.event, []).append(compiled)
    return {event: tuple(found) for event, found in table.items()}


def new_slot(day: int) -> Slot:
    """An empty slot whose current day is ``day``."""
    return [day, 0, 0, _NO_DAY, 0, 0]


def _offset(slot: Slot, day: int) -> int:
    """Where ``day``'s counters are in the slot (0 or 3), rolling days forward; -1 if too old."""
    current = slot[0]
    if day == current:
        return 0
    if day > current:
        slot[3], slot[4], slot[5] = slot[0], slot[1], slot[2]
        slot[0], slot[1], slot[2] = day, 0, 0
        return 0
    previous = slot[3]
    if day == previous:
        return 3
    if day > previous:
        slot[3], slot[4], slot[5] = day, 0, 0
        return 3
    return -1


def earn(rule: CompiledRule, slot: Slot | None, day: int, event: Any, factor: Number = 1) -> Number:
    """The points ``event`` earns under ``rule`` (times ``factor``, then capped), updating ``slot``.

    ``slot`` may be ``None`` only for a rule that is not ``stateful``.
    """
    if slot is None:
        return rule.points * factor
    at = 0 if slot[0] == day else _offset(slot, day)
    if at < 0:
        return 0
    if rule.field is None:
        units = 1
    else:
        value = getattr(event, rule.field)
        if not value:
            return 0
        total = slot[at + 2] + value
        units = int(total // rule.amount)
        slot[at + 2] = total - units * rule.amount
        if units == 0:
            return 0
    points: Number = units * rule.points * factor
    cap = rule.cap
    if cap is not None:
        room = cap - slot[at + 1]
        if room <= 0:
            return 0
        points = min(points, room)
    slot[at + 1] += points
    return points


class DayClock:
    """``calendar.day_of`` with the last day's bounds cached.

    Hot paths may inline the cache test: ``clock.day if clock.start <= ts < clock.end else clock.day_of(ts)``.
    """

    __slots__ = ("_calendar", "_labels", "day", "end", "start")

    def __init__(self, calendar: FestCalendar) -> None:
        self._calendar = calendar
        #: the cached day and its bounds (POSIX seconds, end excluded); empty until first used
        self.start = 0.0
        self.end = -1.0
        self.day = 0
        self._labels: dict[int, str] = {}

    def day_of(self, ts: float) -> int:
        """The fest day index of POSIX time ``ts`` (local days of the fest's time zone)."""
        if self.start <= ts < self.end:
            return self.day
        calendar = self._calendar
        day = calendar.day_of(ts)
        self.day = day
        self.start = calendar.day_start(day).timestamp()
        self.end = calendar.day_end(day).timestamp()
        return day

    def label(self, day: int) -> str:
        """The local date of fest day ``day``, e.g. ``"2026-06-15"``."""
        found = self._labels.get(day)
        if found is None:
            found = self._labels[day] = self._calendar.local_date(day).isoformat()
        return found

    def label_at(self, ts: float) -> str:
        """The local date of the fest day ``ts`` falls in."""
        return self.label(self.day_of(ts))
