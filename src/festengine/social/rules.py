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

#: A rule's state for one owner: ``(day, given, carry, previous_day, previous_given, previous_carry)``.
#: A tuple of numbers rather than a list, so that the garbage collector stops tracking it: every Fan
#: Club member who does a capped task has one per task. :func:`earn` returns the slot as it is after.
Slot: TypeAlias = tuple[Any, ...]

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
    return (day, 0, 0, _NO_DAY, 0, 0)


def _put(slot: Slot, at: int, given: Number, carry: Number) -> Slot:
    """``slot`` with the counters of the day at ``at`` (0 or 3) replaced."""
    if at == 0:
        return (slot[0], given, carry, slot[3], slot[4], slot[5])
    return (slot[0], slot[1], slot[2], slot[3], given, carry)


def earn(rule: CompiledRule, slot: Slot | None, day: int, event: Any, factor: Number = 1) -> tuple[Number, Slot | None]:
    """The points ``event`` earns under ``rule`` (times ``factor``, then capped), and ``slot`` as it is
    after (``slot`` itself when nothing changed).

    ``slot`` may be ``None`` only for a rule that is not ``stateful``. ``day``'s counters are the
    current day's or the previous day's; a newer day rolls the current day into the previous one,
    an older day than both earns nothing.
    """
    if slot is None:
        return rule.points * factor, None
    current = slot[0]
    if day == current:
        at = 0
    elif day > current:
        slot = (day, 0, 0, current, slot[1], slot[2])
        at = 0
    elif day == slot[3]:
        at = 3
    elif day > slot[3]:
        slot = (current, slot[1], slot[2], day, 0, 0)
        at = 3
    else:
        return 0, slot
    given, carry = slot[at + 1], slot[at + 2]
    if rule.field is not None:
        value = getattr(event, rule.field)
        if not value:
            return 0, slot
        total = carry + value
        units = int(total // rule.amount)
        carry = total - units * rule.amount
        if units == 0:
            return 0, _put(slot, at, given, carry)
        points: Number = units * rule.points * factor
    else:
        points = rule.points * factor
    cap = rule.cap
    if cap is not None:
        room = cap - given
        if room <= 0:
            return 0, _put(slot, at, given, carry)
        points = min(points, room)
    return points, _put(slot, at, given + points, carry)


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
