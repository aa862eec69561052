"""Community goals: missions whose subject is a creator's community or a stream (LIVE Goals, Hype Trains).

State is owned by the subject key (the creator or the stream): one :class:`Goal` per
``(mission, subject, window)``. What a goal does to viewers travels as explicit messages: on
completion it emits one :class:`ContributorRewarded` per eligible contributor, in the order of
their first contribution, and the component applies each to that viewer (principle 7).

Rules:

* Every matching event of the subject adds to the round's total and to its sender's contribution:
  ``count`` adds 1 (likes and gifts: their ``count``), ``sum`` adds the field, ``distinct`` adds 1
  for a value the goal has not seen yet (``field: user_id`` counts distinct contributors). So the
  contributions always add up to the total.
* Windows are the viewer missions' (:func:`festengine.engine.windows.make_resolver`); the
  deadline is the window's end (a stream's end for ``stream`` windows) plus ``extend_by`` of each
  level reached. An event after the window's end but before the extended deadline counts in the
  extended goal. The goal closes ``allowed_lateness`` after its deadline; a round still running
  then is :class:`CommunityGoalExpired`.
* Levels are reached in order (:class:`CommunityLevelReached`); reaching the target completes the
  round (:class:`CommunityGoalCompleted`), rewards every contributor with at least
  ``min_contribution``, and, while ``repeat`` allows, a new round starts with the first event
  after the ``cooldown`` (events during the cooldown do not count). Levels and contributions
  start again in each round; the extensions of the deadline stay.
* Top contributors are ranked by contribution; ties go to whoever reached the amount first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

import attrs

from festengine._share import share
from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, WindowKind
from festengine.engine.component import Handler, StepContext
from festengine.engine.windows import Resolver, make_resolver
from festengine.events import Event
from festengine.social.outcomes import (
    CommunityGoalCompleted,
    CommunityGoalExpired,
    CommunityLevelReached,
    CommunityProgressed,
    ContributorRewarded,
)
from festengine.social.rules import Number, whole

__all__ = ["CommunityGoalStatus", "CommunityGoals", "Contributor", "Goal", "GoalState"]

TIMER = "community"
_WEIGHTED = frozenset({"like", "gift"})

GoalKey = tuple[str, str, str]


class GoalState(StrEnum):
    ACTIVE = "active"
    COOLDOWN = "cooldown"
    COMPLETED = "completed"
    EXPIRED = "expired"


@attrs.frozen(slots=True)
class _Rule:
    mission: Mission
    mission_id: str
    target: Number
    resolve: Resolver
    predicate: Callable[[Any], bool] | None
    subject_of: Callable[[Event], str | None]
    kind: MeasureKind
    field: str | None
    weighted: bool
    stream_window: bool
    targets: tuple[Number, ...]
    extends: tuple[float, ...]
    cooldown: float
    min_contribution: Number
    top: int


@attrs.define(slots=True)
class Goal:
    """One community's run at one goal in one window."""

    #: the window's end (``None``: a stream that has not ended yet)
    end: float | None
    extension: float = 0.0
    state: GoalState = GoalState.ACTIVE
    round: int = 1
    completions: int = 0
    total: Number = 0
    level: int = 0
    #: user -> contribution, in first-contribution order
    contributions: dict[str, Number] = attrs.field(factory=dict)
    #: user -> the tick (the goal's count of contributions) when the contribution was reached, same order;
    #: two flat dictionaries instead of a list per user: smaller, and nothing for the garbage collector to walk
    reached: dict[str, int] = attrs.field(factory=dict)
    tick: int = 0
    values: set[Any] | None = None
    cooldown_until: float | None = None
    closed: bool = False

    @property
    def deadline(self) -> float | None:
        """The window's end plus the extensions, or ``None`` while a stream is running."""
        return None if self.end is None else self.end + self.extension


@attrs.frozen(slots=True)
class Contributor:
    rank: int
    user_id: str
    contribution: Number


@attrs.frozen(slots=True)
class CommunityGoalStatus:
    """What the app shows of a community goal (the current or last round)."""

    mission_id: str
    title: str
    subject: str
    window: str
    state: str
    round: int
    completions: int
    total: Number
    target: Number
    level: int
    levels: int
    deadline: datetime | None
    cooldown_until: datetime | None
    contributors: int
    top_contributors: tuple[Contributor, ...]


def _when(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _compile(fest: Fest, mission: Mission) -> _Rule:
    rules = mission.community
    assert rules is not None  # noqa: S101 - the compiler gives every community mission its rules
    field = "creator_id" if mission.subject is Subject.CREATOR else "stream_id"
    return _Rule(
        mission=mission,
        mission_id=mission.id,
        target=mission.target,
        resolve=make_resolver(fest, mission.window),
        predicate=mission.counts.predicate,
        subject_of=attrgetter(field),
        kind=mission.measure.kind,
        field=mission.measure.field,
        weighted=mission.counts.event in _WEIGHTED,
        stream_window=mission.window.kind is WindowKind.STREAM,
        targets=tuple(whole(level.target) for level in rules.levels),
        extends=tuple(level.extend_by.total_seconds() for level in rules.levels),
        cooldown=rules.cooldown.total_seconds(),
        min_contribution=whole(rules.min_contribution),
        top=rules.top_contributors,
    )


class CommunityGoals:
    """Every community goal of a fest, keyed by mission, subject and window."""

    def __init__(self, fest: Fest, component: str) -> None:
        self._component = component
        self._lateness = fest.allowed_lateness.total_seconds()
        rules: dict[str, list[_Rule]] = {}
        for event_type, missions in fest.missions_by_event.items():
            for mission in missions:
                # the checks refuse streak goals: a community adds up contributions
                if mission.subject is not Subject.VIEWER and mission.measure.kind is not MeasureKind.STREAK:
                    rules.setdefault(event_type, []).append(_compile(fest, mission))
        self._rules = {event_type: tuple(found) for event_type, found in rules.items()}
        self._missions = {r.mission.id: r.mission for found in self._rules.values() for r in found}
        self._streams = any(r.stream_window for found in self._rules.values() for r in found)
        self._goals: dict[GoalKey, Goal] = {}
        #: stream -> goals of stream windows waiting for the stream to end
        self._waiting: dict[str, tuple[GoalKey, ...]] = {}
        #: stream -> when it ended
        self._stream_ends: dict[str, float] = {}
        #: (mission, subject) -> the window of a goal extended past its window's end
        self._overtime: dict[tuple[str, str], str] = {}

    def handlers(self) -> list[tuple[str, Handler]]:
        """``(event type, handler)`` pairs: counting, then stream ends."""
        table: list[tuple[str, Handler]] = [(event_type, self._on_event) for event_type in self._rules]
        if self._streams:
            table.append(("stream_ended", self._on_stream_ended))
        return table

    # ------------------------------------------------------------------ counting

    def _on_event(self, event: Event, ctx: StepContext) -> None:
        ts = ctx.ts
        for rule in self._rules[event.type]:
            predicate = rule.predicate
            if predicate is not None and not predicate(event):
                continue
            subject = rule.subject_of(event)
            if subject is None:
                continue
            kind = rule.kind
            if kind is MeasureKind.COUNT:
                value: Any = (event.count or 1) if rule.weighted else 1
            else:  # sum: the amount; distinct: the value, counted once per goal
                value = getattr(event, rule.field or "")
                if value is None or (kind is MeasureKind.SUM and not value):
                    continue
            window = self._overtime_window(rule, subject, ts) if self._overtime else None
            if window is not None:
                self._contribute(rule, (rule.mission_id, subject, window), None, value, event, ctx)
                continue
            found = rule.resolve(ts, event)
            if found is not None:
                self._contribute(rule, (rule.mission_id, subject, found[0]), found[1], value, event, ctx)

    def _overtime_window(self, rule: _Rule, subject: str, ts: float) -> str | None:
        """The window of a goal extended past its end that ``ts`` still falls in, if any."""
        mission_id = rule.mission_id
        window = self._overtime.get((mission_id, subject))
        if window is None:
            return None
        goal = self._goals[(mission_id, subject, window)]
        if goal.end is not None and goal.end <= ts < goal.end + goal.extension:
            return window
        return None

    def _contribute(
        self, rule: _Rule, key: GoalKey, closes: float | None, value: Any, event: Event, ctx: StepContext
    ) -> None:
        goal = self._goals.get(key)
        if goal is None:
            key = (key[0], share(key[1]), share(key[2]))  # kept for good: one copy of each id
            goal = self._open(key, closes, event, ctx)
            if goal is None:
                return
        elif goal.state is not GoalState.ACTIVE or goal.closed:
            if not self._counts(goal, ctx.ts):
                return
        elif goal.end is not None and ctx.ts >= goal.end + goal.extension:  # an active round past its deadline
            return
        amount: Number = value
        if rule.kind is MeasureKind.DISTINCT:
            values = goal.values
            if values is None:
                values = goal.values = set()
            if value in values:
                return
            values.add(value)
            amount = 1
        user = event.user_id
        goal.tick = tick = goal.tick + 1
        contributions = goal.contributions
        contribution = contributions.get(user)
        if contribution is None:
            user = share(user)
            contribution = contributions[user] = amount
        else:
            contribution = contributions[user] = contribution + amount
        goal.reached[user] = tick
        total = goal.total = goal.total + amount
        target = rule.target
        ctx.emit(
            CommunityProgressed(ctx.event_id, rule.mission_id, key[1], key[2], goal.round, user, amount, contribution,
                                total, target)
        )  # fmt: skip
        targets = rule.targets
        if goal.level < len(targets) and total >= targets[goal.level]:
            self._reach_levels(rule, key, goal, event, ctx)
        if total >= target:
            self._complete(rule, key, goal, event, ctx)

    def _open(self, key: GoalKey, closes: float | None, event: Event, ctx: StepContext) -> Goal | None:
        """A new goal for ``key``, or ``None`` when the event came after its stream ended."""
        if closes is not None:
            goal = self._goals[key] = Goal(end=closes - self._lateness)
            ctx.schedule(closes, self._component, [TIMER, *key, goal.end])
            return goal
        stream = share(event.stream_id or "")
        end = self._stream_ends.get(stream)
        if end is not None and ctx.ts >= end:  # it happened after the stream ended
            return None
        goal = self._goals[key] = Goal(end=end)
        if end is None:
            self._waiting[stream] = (*self._waiting.get(stream, ()), key)  # a stream has a few goals
        else:
            ctx.schedule(end + self._lateness, self._component, [TIMER, *key, end])
        return goal

    @staticmethod
    def _counts(goal: Goal, ts: float) -> bool:
        """Whether an event at ``ts`` counts in ``goal`` (starting a new round after a cooldown)."""
        if goal.end is None and goal.state is GoalState.ACTIVE and not goal.closed:
            return True
        if goal.closed or goal.state is GoalState.COMPLETED:
            return False
        deadline = goal.deadline
        if deadline is not None and ts >= deadline:
            return False
        if goal.state is GoalState.COOLDOWN:
            if goal.cooldown_until is not None and ts < goal.cooldown_until:
                return False
            goal.round += 1
            goal.state = GoalState.ACTIVE
            goal.total, goal.level, goal.values, goal.cooldown_until = 0, 0, None, None
            goal.contributions, goal.reached = {}, {}
        return True

    def _reach_levels(self, rule: _Rule, key: GoalKey, goal: Goal, event: Event, ctx: StepContext) -> None:
        targets = rule.targets
        while goal.level < len(targets) and goal.total >= targets[goal.level]:
            extend = rule.extends[goal.level]
            goal.level += 1
            if extend:
                goal.extension += extend
                if goal.end is not None:
                    ctx.schedule(goal.end + goal.extension + self._lateness, self._component, [TIMER, *key, goal.end])
                if not rule.stream_window:
                    self._overtime[(key[0], key[1])] = key[2]
            ctx.emit(
                CommunityLevelReached(ctx.event_id, key[0], key[1], key[2], goal.round, goal.level,
                                      targets[goal.level - 1], goal.total, _when(goal.deadline),
                                      event.user_id, event.stream_id)
            )  # fmt: skip

    def _complete(self, rule: _Rule, key: GoalKey, goal: Goal, event: Event, ctx: StepContext) -> None:
        goal.completions += 1
        minimum = rule.min_contribution
        eligible = [(user, amount) for user, amount in goal.contributions.items() if amount >= minimum]
        top = tuple((c.user_id, c.contribution) for c in self._top(goal, rule.top))
        ctx.emit(
            CommunityGoalCompleted(ctx.event_id, key[0], key[1], key[2], goal.round, goal.total,
                                   len(goal.contributions), len(eligible), top, event.user_id, event.stream_id)
        )  # fmt: skip
        for user, contribution in eligible:
            ctx.emit(ContributorRewarded(ctx.event_id, key[0], key[1], key[2], goal.round, user, contribution))
        if goal.completions < rule.mission.repeat:
            goal.state = GoalState.COOLDOWN
            goal.cooldown_until = ctx.ts + rule.cooldown
        else:
            goal.state = GoalState.COMPLETED

    @staticmethod
    def _top(goal: Goal, size: int) -> list[Contributor]:
        reached = goal.reached
        ranked = heapq.nsmallest(size, goal.contributions.items(), key=lambda item: (-item[1], reached[item[0]]))
        return [Contributor(rank, user, amount) for rank, (user, amount) in enumerate(ranked, start=1)]

    # ------------------------------------------------------------------ time

    def _on_stream_ended(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id or ""
        if stream in self._stream_ends:
            return
        self._stream_ends[stream] = ctx.ts
        for key in self._waiting.pop(stream, ()):
            goal = self._goals[key]
            goal.end = ctx.ts
            ctx.schedule(ctx.ts + goal.extension + self._lateness, self._component, [TIMER, *key, goal.end])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """A goal's deadline (plus lateness) passed: close it, unless it was extended since."""
        _, mission_id, subject, window, end = payload
        key = (mission_id, subject, window)
        goal = self._goals.get(key)
        if goal is None or goal.closed or goal.end != end:
            return
        deadline = goal.deadline
        if deadline is None or ctx.ts < deadline + self._lateness:  # extended after this timer was set
            return
        goal.closed = True
        goal.values = None
        if self._overtime.get((mission_id, subject)) == window:
            del self._overtime[(mission_id, subject)]
        if goal.state is GoalState.ACTIVE:
            goal.state = GoalState.EXPIRED
            ctx.emit(
                CommunityGoalExpired(ctx.event_id, mission_id, subject, window, goal.round, goal.total, goal.level)
            )
        elif goal.state is GoalState.COOLDOWN:
            goal.state = GoalState.COMPLETED

    # ------------------------------------------------------------------ queries

    def status(self, mission_id: str, subject: str, window: str | None = None) -> CommunityGoalStatus | None:
        """One goal of one community: in ``window``, or the latest window it took part in."""
        if window is None:
            keys = [k for k in self._goals if k[0] == mission_id and k[1] == subject]
            if not keys:
                return None
            window = keys[-1][2]
        goal = self._goals.get((mission_id, subject, window))
        return None if goal is None else self._status((mission_id, subject, window), goal)

    def statuses(self, subject: str | None = None) -> list[CommunityGoalStatus]:
        """Every goal (of one creator or stream, if given), in the order they started."""
        return [self._status(key, goal) for key, goal in self._goals.items() if subject is None or key[1] == subject]

    def contributions(self, mission_id: str, subject: str, window: str) -> dict[str, Number]:
        """Every contributor's contribution in the current round, in first-contribution order."""
        goal = self._goals.get((mission_id, subject, window))
        return {} if goal is None else dict(goal.contributions)

    def _status(self, key: GoalKey, goal: Goal) -> CommunityGoalStatus:
        mission = self._missions[key[0]]
        rules = mission.community
        size = rules.top_contributors if rules is not None else 0
        return CommunityGoalStatus(
            mission_id=mission.id,
            title=mission.title,
            subject=key[1],
            window=key[2],
            state=goal.state.value,
            round=goal.round,
            completions=goal.completions,
            total=goal.total,
            target=mission.target,
            level=goal.level,
            levels=len(rules.levels) if rules is not None else 0,
            deadline=_when(goal.deadline),
            cooldown_until=_when(goal.cooldown_until),
            contributors=len(goal.contributions),
            top_contributors=tuple(self._top(goal, size)),
        )

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> Any:
        """JSON-ready state; distinct values sorted, goals in the order they started."""
        return {
            "goals": [
                [*key, g.end, g.extension, g.state.value, g.round, g.completions, g.total, g.level,
                 [[user, amount, g.reached[user]] for user, amount in g.contributions.items()], g.tick,
                 None if g.values is None else sorted(g.values, key=repr), g.cooldown_until, g.closed]
                for key, g in self._goals.items()
            ],
            "waiting": self._waiting,
            "ends": self._stream_ends,
            "overtime": [[mission, subject, window] for (mission, subject), window in self._overtime.items()],
        }  # fmt: skip

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._goals = {}
        for row in data["goals"]:
            (mission, subject, window, end, extension, state, round_, completions, total, level, contributions,
             tick, values, cooldown_until, closed) = row  # fmt: skip
            self._goals[(mission, subject, window)] = Goal(
                end=end,
                extension=extension,
                state=GoalState(state),
                round=round_,
                completions=completions,
                total=total,
                level=level,
                contributions={user: amount for user, amount, _ in contributions},
                reached={user: reached for user, _, reached in contributions},
                tick=tick,
                values=None if values is None else set(values),
                cooldown_until=cooldown_until,
                closed=closed,
            )
        self._waiting = {stream: tuple((m, s, w) for m, s, w in keys) for stream, keys in data["waiting"].items()}
        self._stream_ends = dict(data["ends"])
        self._overtime = {(mission, subject): window for mission, subject, window in data["overtime"]}
