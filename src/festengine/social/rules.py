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
from typing import Final, TypeAlias

import attrs

from festengine.catalog.calendar import FestCalendar
from festengine.catalog.model import PointsRule
from festengine.events import Event

__all__ = ["CompiledRule", "DayClock", "Number", "Slot", "SlotRow", "compile_rules", "earn", "whole"]

Number: TypeAlias = int | Decimal

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
    predicate: Callable[[Event], bool] | None
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


#: a slot as a snapshot stores it: ``[day, given, carry, previous day, previous given, previous carry]``
SlotRow: TypeAlias = list[int | Decimal]


class Slot:
    """A rule's state for one owner (a club member, a creator): what it gave and the remainder of the
    field carried over, for the current fest day and the one before it."""

    __slots__ = ("carry", "day", "given", "previous_carry", "previous_day", "previous_given")

    def __init__(self, day: int) -> None:
        self.day = day
        self.given: Number = 0
        self.carry: Number = 0
        self.previous_day = _NO_DAY
        self.previous_given: Number = 0
        self.previous_carry: Number = 0

    def counters(self, day: int) -> bool | None:
        """Make ``day``'s counters current or previous: ``True`` for the current day's, ``False`` for the
        previous day's, ``None`` for a day older than both (it earns nothing). A newer day rolls the
        current day into the previous one."""
        if day == self.day:
            return True
        if day > self.day:
            self.previous_day, self.previous_given, self.previous_carry = self.day, self.given, self.carry
            self.day, self.given, self.carry = day, 0, 0
            return True
        if day == self.previous_day:
            return False
        if day > self.previous_day:
            self.previous_day, self.previous_given, self.previous_carry = day, 0, 0
            return False
        return None

    def to_row(self) -> SlotRow:
        """The slot as a snapshot stores it."""
        return [self.day, self.given, self.carry, self.previous_day, self.previous_given, self.previous_carry]

    @classmethod
    def from_row(cls, row: Sequence[Number]) -> Slot:
        """A slot back from :meth:`to_row` (the row was checked on restore)."""
        slot = cls(int(row[0]))
        slot.given, slot.carry, slot.previous_given, slot.previous_carry = row[1], row[2], row[4], row[5]
        slot.previous_day = int(row[3])
        return slot


def _units(rule: CompiledRule, carry: Number, event: Event) -> tuple[int, Number]:
    r"""How many whole ``amount``\ s of the rule's field the event completes, and the new remainder."""
    value = getattr(event, rule.field or "")
    if not value:
        return 0, carry
    total = carry + value
    units = int(total // rule.amount)
    return units, total - units * rule.amount


def earn(rule: CompiledRule, slot: Slot | None, day: int, event: Event, factor: Number = 1) -> Number:
    """The points ``event`` earns under ``rule`` (times ``factor``, then capped); ``slot`` (``None``
    only for a rule that is not ``stateful``) is updated in place."""
    if slot is None:
        return rule.points * factor
    current = slot.counters(day)
    if current is None:
        return 0
    given, carry = (slot.given, slot.carry) if current else (slot.previous_given, slot.previous_carry)
    points: Number = rule.points * factor
    if rule.field is not None:
        units, carry = _units(rule, carry, event)
        points = units * rule.points * factor
    if points and rule.cap is not None:
        points = max(0, min(points, rule.cap - given))
    if current:
        slot.given, slot.carry = given + points, carry
    else:
        slot.previous_given, slot.previous_carry = given + points, carry
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
