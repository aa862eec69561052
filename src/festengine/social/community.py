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
* A goal moves between the states of :mod:`festengine.social.goal_transitions` only as its table
  allows; every move is checked there.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import attrs

from festengine._share import share
from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, WindowKind
from festengine.engine.component import Handler, StepContext
from festengine.engine.windows import Resolver, make_resolver
from festengine.events import Event
from festengine.social.goal_transitions import GoalState, check_goal_transition
from festengine.social.outcomes import (
    CommunityGoalCompleted,
    CommunityGoalExpired,
    CommunityLevelReached,
    CommunityProgressed,
    ContributorRewarded,
)
from festengine.social.rules import Number, whole

if TYPE_CHECKING:
    from festengine.social.snapshot import CommunityData, GoalRow

__all__ = ["CommunityGoalStatus", "CommunityGoals", "Contributor", "Goal", "GoalState", "event_measure"]

TIMER = "community"

#: a goal's key: (mission, subject, window); the subject (a creator or a stream) owns the goal
GoalKey = tuple[str, str, str]
#: how much an event adds to a measure (``None``: nothing, the event does not count)
Measure = Callable[[Event], Number | None]

_ACTIVE, _COOLDOWN, _COMPLETED, _EXPIRED = GoalState.ACTIVE, GoalState.COOLDOWN, GoalState.COMPLETED, GoalState.EXPIRED


def event_measure(mission: Mission) -> Measure:
    """How much an event adds to a community goal: the measure's compiled amount (see
    :func:`festengine.catalog.compile.compile_amount`, the one place the rule lives; likes and gifts
    count their ``count``), with nothing (``None``) for an event that adds nothing; ``distinct``: 1
    for a value (the goal adds it only for a value it has not seen), nothing for none."""
    measure = mission.measure
    if measure.kind is MeasureKind.DISTINCT:
        field = measure.field or ""
        return lambda event: None if getattr(event, field) is None else 1
    amount = measure.amount
    return lambda event: amount(event) or None


@attrs.frozen(slots=True)
class _Rule:
    mission: Mission
    mission_id: str
    target: Number
    resolve: Resolver
    predicate: Callable[[Event], bool] | None
    #: the subject is the event's creator (else its stream)
    by_creator: bool
    measure: Measure
    #: the goal counts distinct values of this field (each adds 1 the first time it is seen); else ""
    distinct: str
    stream_window: bool
    targets: tuple[Number, ...]
    extends: tuple[float, ...]
    cooldown: float
    min_contribution: Number
    top: int
    repeat: int


class Goal:
    """One community's run at one goal in one window (the subject key's state): its state, the window's
    ``end`` (``None``: a stream that has not ended yet), what the levels reached added to it
    (``extension``), the current round's total, level and contributions, and ``tick``, the goal's count
    of contributions (for ties)."""

    __slots__ = (
        "closed",
        "completions",
        "contributions",
        "cooldown_until",
        "end",
        "extension",
        "forgotten",
        "level",
        "mission_id",
        "reached",
        "round",
        "state",
        "subject",
        "tick",
        "total",
        "values",
        "window",
    )

    def __init__(self, key: GoalKey, end: float | None) -> None:
        self.mission_id, self.subject, self.window = key
        self.state = _ACTIVE
        self.end = end
        self.extension = 0.0
        self.round = 1
        self.completions = 0
        self.total: Number = 0
        self.level = 0
        self.tick = 0
        self.cooldown_until: float | None = None
        self.closed = False
        #: user -> contribution this round, in first-contribution order
        self.contributions: dict[str, Number] = {}
        #: user -> the tick when the contribution was reached, in the same order (for ties); ``None``
        #: once closed, when the contributions kept are in rank order
        self.reached: dict[str, int] | None = {}
        #: the distinct values seen this round (a dict used as a set), for distinct goals still open
        self.values: dict[object, None] | None = None
        #: how many contributors a closed goal forgot (it keeps only those its status ranks)
        self.forgotten = 0

    @property
    def key(self) -> GoalKey:
        return self.mission_id, self.subject, self.window

    def deadline(self) -> float | None:
        """The window's end plus the extensions, or ``None`` while a stream is running."""
        return None if self.end is None else self.end + self.extension

    def running(self, ts: float) -> bool:
        """Whether an event at ``ts`` counts in the current round as it is."""
        end = self.end
        return self.state is _ACTIVE and not self.closed and (end is None or ts < end + self.extension)

    def seen(self, value: object) -> bool:
        """For a distinct goal: whether ``value`` was seen this round (it is remembered if not)."""
        values = self.values
        if values is None:
            values = self.values = {}
        elif value in values:
            return True
        values[value] = None
        return False

    def add(self, user: str, amount: Number) -> Number:
        """Add ``amount`` to the user's contribution and the total; the contribution after."""
        self.tick += 1
        self.total += amount
        contributions = self.contributions
        contribution = contributions.get(user)
        if contribution is None:
            user = share(user)
            contribution = contributions[user] = amount
        else:
            contribution = contributions[user] = contribution + amount
        if self.reached is not None:  # always, while it is open
            self.reached[user] = self.tick
        return contribution

    def new_round(self) -> None:
        """Levels, contributions and distinct values start again; the extensions stay."""
        self.state = check_goal_transition(self.mission_id, self.state, _ACTIVE)
        self.round += 1
        self.total, self.level, self.cooldown_until = 0, 0, None
        self.contributions, self.reached, self.values = {}, {}, None

    def close(self, keep: int) -> None:
        """Close the goal: it counts nothing more, and it keeps only the ``keep`` top contributions
        its status shows, in rank order, and how many contributors it had."""
        self.closed, self.values = True, None
        if self.reached is None:
            return
        ranked = _ranked(self.contributions, self.reached, keep)
        self.forgotten += len(self.contributions) - len(ranked)
        self.contributions, self.reached = dict(ranked), None

    def top(self, size: int) -> list[Contributor]:
        """The ``size`` biggest contributions; ties go to whoever reached the amount first."""
        if self.reached is None:  # closed: kept in rank order
            ranked = list(self.contributions.items())[:size]
        else:
            ranked = _ranked(self.contributions, self.reached, size)
        return [Contributor(rank, user, amount) for rank, (user, amount) in enumerate(ranked, start=1)]

    def to_row(self) -> list[object]:
        """The goal as a snapshot stores it (distinct values sorted; a closed goal's ticks are its
        contributors' ranks)."""
        values = self.values
        reached = self.reached
        if reached is None:  # closed: kept in rank order
            reached = {user: rank for rank, user in enumerate(self.contributions, start=1)}
        return [
            self.mission_id,
            self.subject,
            self.window,
            self.end,
            self.extension,
            self.state.value,
            self.round,
            self.completions,
            self.total,
            self.level,
            [[user, amount, reached[user]] for user, amount in self.contributions.items()],
            self.tick,
            None if values is None else sorted(values, key=repr),
            self.cooldown_until,
            self.closed,
            self.forgotten,
        ]

    @classmethod
    def from_row(cls, row: GoalRow) -> Goal:
        """A goal back from :meth:`to_row` (the row was checked on restore)."""
        mission, subject, window, end, extension, state, round_, completions, total, level = row[:10]
        contributions, tick, values, cooldown_until, closed, forgotten = row[10:]
        goal = cls((cast(str, mission), cast(str, subject), cast(str, window)), cast("float | None", end))
        goal.extension, goal.state = cast(float, extension), GoalState(cast(str, state))
        goal.round, goal.completions = cast(int, round_), cast(int, completions)
        goal.total, goal.level, goal.tick = cast(Number, total), cast(int, level), cast(int, tick)
        goal.cooldown_until, goal.closed = cast("float | None", cooldown_until), cast(bool, closed)
        rows = cast("list[list[object]]", contributions)  # [user, amount, tick]
        if closed:  # kept in rank order: a closed goal's ticks are its contributors' ranks
            rows = sorted(rows, key=lambda c: cast(int, c[2]))
        goal.contributions = {cast(str, user): cast(Number, amount) for user, amount, _ in rows}
        goal.reached = None if closed else {cast(str, user): cast(int, reached) for user, _, reached in rows}
        goal.values = None if values is None else dict.fromkeys(cast("list[object]", values))
        goal.forgotten = cast(int, forgotten)
        return goal


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


def _ranked(contributions: dict[str, Number], reached: dict[str, int], size: int) -> list[tuple[str, Number]]:
    """The ``size`` biggest contributions; ties go to whoever reached the amount first."""
    return heapq.nsmallest(size, contributions.items(), key=lambda item: (-item[1], reached[item[0]]))


def _compile(fest: Fest, mission: Mission) -> _Rule:
    rules = mission.community
    assert rules is not None  # noqa: S101 - the compiler gives every community mission its rules
    return _Rule(
        mission=mission,
        mission_id=mission.id,
        target=mission.target,
        resolve=make_resolver(fest, mission.window),
        predicate=mission.counts.predicate,
        by_creator=mission.subject is Subject.CREATOR,
        measure=event_measure(mission),
        distinct=(mission.measure.field or "") if mission.measure.kind is MeasureKind.DISTINCT else "",
        stream_window=mission.window.kind is WindowKind.STREAM,
        targets=tuple(level.target for level in rules.levels),
        extends=tuple(level.extend_by.total_seconds() for level in rules.levels),
        cooldown=rules.cooldown.total_seconds(),
        min_contribution=whole(rules.min_contribution),
        top=rules.top_contributors,
        repeat=mission.repeat,
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
        self._missions = {r.mission.id: r.mission for found in rules.values() for r in found}
        self._streams = any(r.stream_window for found in rules.values() for r in found)
        #: (mission, subject, window) -> the goal, in the order goals started
        self._goals: dict[GoalKey, Goal] = {}
        #: stream -> goals of stream windows waiting for the stream to end
        self._waiting: dict[str, tuple[GoalKey, ...]] = {}
        #: stream -> when it ended
        self._stream_ends: dict[str, float] = {}
        #: (mission, subject) -> the window of a goal extended past its window's end
        self._overtime: dict[tuple[str, str], str] = {}

    def handler(self, event_type: str) -> Handler | None:
        """What an event of ``event_type`` does to the goals (counting, then a stream's end), or ``None``."""
        rules = self._rules.get(event_type)
        count = self._counter(rules) if rules else None
        if event_type != "stream_ended" or not self._streams:
            return count
        if count is None:
            return self._on_stream_ended

        def count_then_end(event: Event, ctx: StepContext) -> None:
            count(event, ctx)
            self._on_stream_ended(event, ctx)

        return count_then_end

    # ------------------------------------------------------------------ counting

    def _counter(self, rules: tuple[_Rule, ...]) -> Handler:
        """Counting for an event of one type: ``rules`` are that type's goals, bound once."""

        def on_event(event: Event, ctx: StepContext) -> None:
            ts = ctx.ts
            for rule in rules:
                predicate = rule.predicate
                if predicate is not None and not predicate(event):
                    continue
                subject = event.creator_id if rule.by_creator else event.stream_id
                value = rule.measure(event) if subject is not None else None
                if value is None or subject is None:
                    continue
                if self._overtime:
                    window = self._overtime_window(rule.mission_id, subject, ts)
                    if window is not None:
                        self._contribute(rule, (rule.mission_id, subject, window), None, value, event, ctx)
                        continue
                found = rule.resolve(ts, event)
                if found is not None:
                    window, closes = found
                    self._contribute(rule, (rule.mission_id, subject, window), closes, value, event, ctx)

        return on_event

    def _overtime_window(self, mission_id: str, subject: str, ts: float) -> str | None:
        """The window of a goal extended past its end that ``ts`` still falls in, if any."""
        window = self._overtime.get((mission_id, subject))
        if window is None:
            return None
        goal = self._goals[(mission_id, subject, window)]
        end = goal.end
        if end is not None and end <= ts < end + goal.extension:
            return window
        return None

    def _contribute(
        self, rule: _Rule, key: GoalKey, closes: float | None, amount: Number, event: Event, ctx: StepContext
    ) -> None:
        goal = self._goals.get(key)
        if goal is None:
            mission_id, subject, window = key
            goal = self._open((mission_id, share(subject), share(window)), closes, event, ctx)  # one copy of each id
            if goal is None:
                return
        if not goal.running(ctx.ts) and not self._restart(goal, ctx.ts):
            return  # not a running round inside its deadline, and no cooldown is over
        if rule.distinct and goal.seen(getattr(event, rule.distinct)):
            return
        contribution = goal.add(event.user_id, amount)
        if ctx.wanted(CommunityProgressed):  # else nobody reads it: do not build it
            ctx.emit(
                CommunityProgressed(
                    event_id=ctx.event_id,
                    mission_id=rule.mission_id,
                    subject=goal.subject,
                    window=goal.window,
                    round=goal.round,
                    user_id=event.user_id,
                    amount=amount,
                    contribution=contribution,
                    total=goal.total,
                    target=rule.target,
                )
            )
        if goal.level < len(rule.targets) and goal.total >= rule.targets[goal.level]:
            self._reach_levels(rule, goal, event, ctx)
        if goal.total >= rule.target:
            self._complete(rule, goal, event, ctx)

    def _open(self, key: GoalKey, closes: float | None, event: Event, ctx: StepContext) -> Goal | None:
        """A new goal for ``key``, or ``None`` when the event came after its stream ended."""
        if closes is not None:
            end: float | None = closes - self._lateness
            ctx.schedule(closes, self._component, [TIMER, *key, end])
        else:
            stream = share(event.stream_id or "")
            end = self._stream_ends.get(stream)
            if end is not None and ctx.ts >= end:  # it happened after the stream ended
                return None
            if end is None:
                self._waiting[stream] = (*self._waiting.get(stream, ()), key)  # a stream has a few goals
            else:
                ctx.schedule(end + self._lateness, self._component, [TIMER, *key, end])
        goal = self._goals[key] = Goal(key, end)
        return goal

    def _restart(self, goal: Goal, ts: float) -> bool:
        """Whether an event at ``ts`` counts in ``goal`` when it is not a running round inside its deadline:
        yes once a cooldown is over (a new round starts), else no."""
        if goal.closed or goal.state is _COMPLETED:
            return False
        deadline = goal.deadline()
        if deadline is not None and ts >= deadline:
            return False
        if goal.state is _COOLDOWN:
            if goal.cooldown_until is not None and ts < goal.cooldown_until:
                return False
            goal.new_round()
        return True

    def _reach_levels(self, rule: _Rule, goal: Goal, event: Event, ctx: StepContext) -> None:
        targets = rule.targets
        while goal.level < len(targets) and goal.total >= targets[goal.level]:
            extend = rule.extends[goal.level]
            goal.level += 1
            if extend:
                goal.extension += extend
                if goal.end is not None:
                    due = goal.end + goal.extension + self._lateness
                    ctx.schedule(due, self._component, [TIMER, *goal.key, goal.end])
                if not rule.stream_window:
                    self._overtime[(goal.mission_id, goal.subject)] = goal.window
            ctx.emit(
                CommunityLevelReached(
                    event_id=ctx.event_id,
                    mission_id=goal.mission_id,
                    subject=goal.subject,
                    window=goal.window,
                    round=goal.round,
                    level=goal.level,
                    target=targets[goal.level - 1],
                    total=goal.total,
                    deadline=_when(goal.deadline()),
                    user_id=event.user_id,
                    stream_id=event.stream_id,
                )
            )

    def _complete(self, rule: _Rule, goal: Goal, event: Event, ctx: StepContext) -> None:
        """The round reached its target: reward the eligible contributors (in first-contribution order),
        then cool down for another round or complete."""
        goal.completions += 1
        contributions = goal.contributions
        eligible = [(user, amount) for user, amount in contributions.items() if amount >= rule.min_contribution]
        top = tuple((c.user_id, c.contribution) for c in goal.top(rule.top))
        ctx.emit(
            CommunityGoalCompleted(
                event_id=ctx.event_id,
                mission_id=goal.mission_id,
                subject=goal.subject,
                window=goal.window,
                round=goal.round,
                total=goal.total,
                contributors=len(contributions),
                rewarded=len(eligible),
                top_contributors=top,
                user_id=event.user_id,
                stream_id=event.stream_id,
            )
        )
        for user, contribution in eligible:
            ctx.emit(
                ContributorRewarded(
                    event_id=ctx.event_id,
                    mission_id=goal.mission_id,
                    subject=goal.subject,
                    window=goal.window,
                    round=goal.round,
                    user_id=user,
                    contribution=contribution,
                )
            )
        if goal.completions < rule.repeat:
            goal.state = check_goal_transition(goal.mission_id, goal.state, _COOLDOWN)
            goal.cooldown_until = ctx.ts + rule.cooldown
        else:
            goal.state = check_goal_transition(goal.mission_id, goal.state, _COMPLETED)

    # ------------------------------------------------------------------ time

    def _on_stream_ended(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id or ""
        if stream in self._stream_ends:
            return
        ts = ctx.ts
        self._stream_ends[stream] = ts
        for key in self._waiting.pop(stream, ()):
            goal = self._goals[key]
            goal.end = ts
            ctx.schedule(ts + goal.extension + self._lateness, self._component, [TIMER, *key, ts])

    def on_timer(self, payload: list[object], ctx: StepContext) -> None:
        """A goal's deadline (plus lateness) passed: close it, unless it was extended since."""
        _, mission_id, subject, window, timer_end = payload
        goal = self._goals.get((str(mission_id), str(subject), str(window)))
        if goal is None or goal.closed or goal.end != timer_end:
            return
        deadline = goal.deadline()
        if deadline is None or ctx.ts < deadline + self._lateness:  # extended after this timer was set
            return
        goal.close(self._top_size(goal))
        if self._overtime.get((goal.mission_id, goal.subject)) == goal.window:
            del self._overtime[(goal.mission_id, goal.subject)]
        if goal.state is _COOLDOWN:
            goal.state = check_goal_transition(goal.mission_id, goal.state, _COMPLETED)
        elif goal.state is _ACTIVE:
            goal.state = check_goal_transition(goal.mission_id, goal.state, _EXPIRED)
            ctx.emit(
                CommunityGoalExpired(
                    event_id=ctx.event_id,
                    mission_id=goal.mission_id,
                    subject=goal.subject,
                    window=goal.window,
                    round=goal.round,
                    total=goal.total,
                    level=goal.level,
                )
            )

    # ------------------------------------------------------------------ queries

    def status(self, mission_id: str, subject: str, window: str | None = None) -> CommunityGoalStatus | None:
        """One goal of one community: in ``window``, or the latest window it took part in."""
        if window is None:
            found = [g for g in self._goals.values() if g.mission_id == mission_id and g.subject == subject]
            return self._status(found[-1]) if found else None
        goal = self._goals.get((mission_id, subject, window))
        return None if goal is None else self._status(goal)

    def statuses(self, subject: str | None = None) -> list[CommunityGoalStatus]:
        """Every goal (of one creator or stream, if given), in the order they started."""
        return [self._status(goal) for goal in self._goals.values() if subject is None or goal.subject == subject]

    def contributions(self, mission_id: str, subject: str, window: str) -> dict[str, Number]:
        """Every contributor's contribution in the current round, in first-contribution order (a closed
        goal keeps only its top contributors)."""
        goal = self._goals.get((mission_id, subject, window))
        return {} if goal is None else dict(goal.contributions)

    def _top_size(self, goal: Goal) -> int:
        """How many top contributors the goal's status shows."""
        rules = self._missions[goal.mission_id].community
        return rules.top_contributors if rules is not None else 0

    def _status(self, goal: Goal) -> CommunityGoalStatus:
        mission = self._missions[goal.mission_id]
        rules = mission.community
        size = self._top_size(goal)
        return CommunityGoalStatus(
            mission_id=mission.id,
            title=mission.title,
            subject=goal.subject,
            window=goal.window,
            state=goal.state.value,
            round=goal.round,
            completions=goal.completions,
            total=goal.total,
            target=mission.target,
            level=goal.level,
            levels=len(rules.levels) if rules is not None else 0,
            deadline=_when(goal.deadline()),
            cooldown_until=_when(goal.cooldown_until),
            contributors=len(goal.contributions) + goal.forgotten,
            top_contributors=tuple(goal.top(size)),
        )

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> dict[str, object]:
        """JSON-ready state; distinct values sorted, goals in the order they started."""
        return {
            "goals": [goal.to_row() for goal in self._goals.values()],
            "waiting": {stream: [list(key) for key in keys] for stream, keys in self._waiting.items()},
            "ends": self._stream_ends,
            "overtime": [[mission, subject, window] for (mission, subject), window in self._overtime.items()],
        }

    @property
    def missions(self) -> set[str]:
        """The ids of the community missions this part runs."""
        return set(self._missions)

    def load(self, data: CommunityData) -> None:
        """Restore what :meth:`dump` produced."""
        self._goals = {}
        for row in data["goals"]:
            goal = Goal.from_row(row)
            self._goals[goal.key] = goal
        self._waiting = {stream: tuple((m, s, w) for m, s, w in keys) for stream, keys in data["waiting"].items()}
        self._stream_ends = dict(data["ends"])
        self._overtime = {(mission, subject): window for mission, subject, window in data["overtime"]}
