"""Creator scoring: fest points for creators by the pack's scoring rules, as LIVE Fest ranks them.

Each rule gives points to the event's creator (whoever the viewer is). Between a multiplier's
``from_time`` and ``to_time`` (the ``to_time`` minute included; a range past midnight wraps) the
points are multiplied by its ``factor``; when several multipliers apply, the highest factor wins
(they do not stack). The daily cap limits what a rule gives a creator per fest day *after* the
multiplier: a capped rule never gives more than its cap in a day. Points stay exact: a fractional
factor gives ``Decimal`` points.

State is owned by the creator key: per creator, the total and each rule's slot.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from festengine.catalog.model import Fest, Multiplier
from festengine.engine.component import Handler, StepContext
from festengine.events import Event
from festengine.social.outcomes import CreatorPointsEarned
from festengine.social.rules import CompiledRule, DayClock, Number, Slot, SlotRow, compile_rules, earn, whole

if TYPE_CHECKING:
    from festengine.social.snapshot import ScoringData

__all__ = ["CreatorScore", "CreatorScoring", "Multipliers"]

_DAY_MINUTES = 24 * 60
#: the longest a cached factor is trusted for, in minutes
_SPAN = 60


class Multipliers:
    """The factor at an instant, cached for the span of whole UTC minutes over which it cannot change.

    Every zone offset is whole minutes, so local minutes start with UTC minutes. The span runs from
    the current minute to the next minute at which a multiplier starts or stops covering, at most
    an hour, and only while every multiplier's zone keeps the same offset (else one minute).
    Hot paths may inline the cache test: ``m.factor if m.start <= ts < m.end else m.factor_at(ts)``.
    """

    __slots__ = ("_items", "end", "factor", "start")

    def __init__(self, multipliers: tuple[Multiplier, ...]) -> None:
        self._items = tuple((m.from_minute, m.to_minute, whole(m.factor), m.timezone) for m in multipliers)
        #: the cached span (POSIX seconds, end excluded) and its factor; empty until first used
        self.start = 0.0
        self.end = -1.0
        self.factor: Number = 1

    def factor_at(self, ts: float) -> Number:
        """The highest factor of the multipliers covering ``ts``, or 1 when none does."""
        if not self.start <= ts < self.end:
            self.start = ts // 60 * 60
            self.factor, minutes = self._compute(ts)
            self.end = self.start + minutes * 60
        return self.factor

    def _compute(self, ts: float) -> tuple[Number, int]:
        """The factor at ``ts`` and for how many minutes from the start of its minute it holds."""
        found: Number | None = None
        minutes = _SPAN
        start_of_minute = ts // 60 * 60
        for start, end, factor, zone in self._items:
            local = datetime.fromtimestamp(ts, zone)
            minute = local.hour * 60 + local.minute
            inside = start <= minute <= end if start <= end else (minute >= start or minute <= end)
            if inside and (found is None or factor > found):
                found = factor
            for change in (start, (end + 1) % _DAY_MINUTES):  # the first minute in, the first minute out
                minutes = min(minutes, (change - minute - 1) % _DAY_MINUTES + 1)
        if minutes > 1:
            last = start_of_minute + (minutes - 1) * 60
            for *_, zone in self._items:
                if datetime.fromtimestamp(last, zone).utcoffset() != datetime.fromtimestamp(ts, zone).utcoffset():
                    minutes = 1  # the zone changes its offset meanwhile: one minute at a time
                    break
        return (1 if found is None else found), minutes


class CreatorScore:
    """A creator's fest points (the creator key's state): the total and, per rule, its slot or ``None``."""

    __slots__ = ("slots", "total")

    def __init__(self, rules: int) -> None:
        self.total: Number = 0
        self.slots: list[Slot | None] = [None] * rules

    def slot(self, rule: CompiledRule, day: int) -> Slot:
        """The slot of a capped or per-amount rule (made on first use)."""
        slot = self.slots[rule.index]
        if slot is None:
            slot = self.slots[rule.index] = Slot(day)
        return slot

    def to_row(self) -> list[Number | list[SlotRow | None]]:
        """The score as a snapshot stores it: ``[total, slots]``."""
        return [self.total, [None if slot is None else slot.to_row() for slot in self.slots]]


class CreatorScoring:
    """Fest points per creator (inactive when the pack has no ``scoring`` section)."""

    def __init__(self, fest: Fest, days: DayClock) -> None:
        scoring = fest.scoring
        self._days = days
        self._rules: dict[str, tuple[CompiledRule, ...]] = compile_rules(scoring.rules) if scoring else {}
        self._count = len(scoring.rules) if scoring else 0
        self._multipliers = Multipliers(scoring.multipliers if scoring else ())
        self._creators: dict[str, CreatorScore] = {}

    def handler(self, event_type: str) -> Handler | None:
        """Creator points for an event of ``event_type``, with its rules bound once, or ``None``."""
        rules = self._rules.get(event_type)
        if not rules:
            return None
        creators, days, multipliers, count = self._creators, self._days, self._multipliers, self._count

        def on_event(event: Event, ctx: StepContext) -> None:
            creator = event.creator_id
            if creator is None:
                return
            state = creators.get(creator)
            if state is None:
                state = creators[creator] = CreatorScore(count)
            ts = ctx.ts
            day = days.day if days.start <= ts < days.end else days.day_of(ts)
            factor = multipliers.factor if multipliers.start <= ts < multipliers.end else multipliers.factor_at(ts)
            for rule in rules:
                predicate = rule.predicate
                if predicate is not None and not predicate(event):
                    continue
                points = earn(rule, state.slot(rule, day) if rule.stateful else None, day, event, factor)
                if points:
                    total = state.total = state.total + points
                    ctx.emit(
                        CreatorPointsEarned(
                            event_id=ctx.event_id,
                            creator_id=creator,
                            rule_id=rule.rule_id,
                            points=points,
                            factor=factor,
                            total=total,
                        )
                    )

        return on_event

    # ------------------------------------------------------------------ queries and snapshots

    def points(self, creator: str) -> Number:
        """A creator's fest points."""
        state = self._creators.get(creator)
        return 0 if state is None else state.total

    def dump(self) -> dict[str, object]:
        """JSON-ready state, creators in the order first scored."""
        return {creator: state.to_row() for creator, state in self._creators.items()}

    def load(self, data: ScoringData) -> None:
        """Restore what :meth:`dump` produced."""
        self._creators.clear()  # the handlers hold this very dict
        for creator, (total, slots) in data.items():  # rows as JSON gives them: see the snapshot module
            state = self._creators[creator] = CreatorScore(self._count)
            state.total = cast(Number, total)
            state.slots = [
                None if slot is None else Slot.from_row(slot) for slot in cast("list[SlotRow | None]", slots)
            ]
