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
from typing import Any, TypeAlias

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
_WEIGHTED_EVENTS = frozenset({"like", "gift"})

GoalKey = tuple[str, str, str]


class GoalState(StrEnum):
    ACTIVE = "active"
    COOLDOWN = "cooldown"
    COMPLETED = "completed"
    EXPIRED = "expired"


#: how a rule measures an event: 1 each, the event's ``count``, a field's amount, a new distinct value
_ONE, _WEIGHTED, _SUM, _DISTINCT = range(4)


@attrs.frozen(slots=True)
class _Rule:
    mission: Mission
    mission_id: str
    target: Number
    resolve: Resolver
    predicate: Callable[[Any], bool] | None
    #: the subject is the event's creator (else its stream)
    by_creator: bool
    measure: int
    field: str
    stream_window: bool
    targets: tuple[Number, ...]
    extends: tuple[float, ...]
    cooldown: float
    min_contribution: Number
    top: int
    repeat: int


#: what the per-event loop reads of a rule, as a flat tuple it unpacks in one step:
#: ``(rule, mission id, predicate, by creator, measure, field, resolver)``
_Counting: TypeAlias = tuple[_Rule, str, Callable[[Any], bool] | None, bool, int, str, Resolver]


#: A goal (one community's run at one goal in one window) is a tuple of strings and numbers, not an
#: object: ``(state, end, extension, round, completions, total, level, tick, cooldown_until, closed)``.
#: ``state`` is the plain string of a :class:`GoalState`, ``end`` the window's end (``None``: a stream
#: that has not ended yet), ``extension`` what the levels reached added to it and ``tick`` the goal's
#: count of contributions. Who contributed what lives beside it, in flat dicts per goal (see
#: :class:`CommunityGoals`). A fest has tens of thousands of goals: as objects they were the social
#: layer's biggest share of what the garbage collector walks on every full pass, while the collector
#: stops tracking a tuple that holds only strings and numbers (not one that holds a dict, even an
#: untracked one, hence the separate tables). The price is a new tuple per contribution, which costs
#: about what the attribute writes it replaces did.
Goal: TypeAlias = tuple[str, float | None, float, int, int, Number, int, int, float | None, bool]

_ACTIVE, _COOLDOWN, _COMPLETED, _EXPIRED = (
    GoalState.ACTIVE.value,
    GoalState.COOLDOWN.value,
    GoalState.COMPLETED.value,
    GoalState.EXPIRED.value,
)
#: the state strings, so that a restored goal holds the very objects the hot path compares with
_STATES = {state.value: state.value for state in GoalState}


def _deadline(end: float | None, extension: float) -> float | None:
    """The window's end plus the extensions, or ``None`` while a stream is running."""
    return None if end is None else end + extension


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


def _top(contributions: dict[str, Number], reached: dict[str, int], size: int) -> list[Contributor]:
    """The ``size`` biggest contributions; ties go to whoever reached the amount first."""
    ranked = heapq.nsmallest(size, contributions.items(), key=lambda item: (-item[1], reached[item[0]]))
    return [Contributor(rank, user, amount) for rank, (user, amount) in enumerate(ranked, start=1)]


def _compile(fest: Fest, mission: Mission) -> _Rule:
    rules = mission.community
    assert rules is not None  # noqa: S101 - the compiler gives every community mission its rules
    kind = mission.measure.kind
    if kind is MeasureKind.COUNT:
        measure = _WEIGHTED if mission.counts.event in _WEIGHTED_EVENTS else _ONE
    else:
        measure = _SUM if kind is MeasureKind.SUM else _DISTINCT
    return _Rule(
        mission=mission,
        mission_id=mission.id,
        target=mission.target,
        resolve=make_resolver(fest, mission.window),
        predicate=mission.counts.predicate,
        by_creator=mission.subject is Subject.CREATOR,
        measure=measure,
        field=mission.measure.field or "",
        stream_window=mission.window.kind is WindowKind.STREAM,
        targets=tuple(whole(level.target) for level in rules.levels),
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
        self._rules: dict[str, tuple[_Counting, ...]] = {
            event_type: tuple((r, r.mission_id, r.predicate, r.by_creator, r.measure, r.field, r.resolve) for r in rs)
            for event_type, rs in rules.items()
        }
        self._missions = {r.mission.id: r.mission for found in rules.values() for r in found}
        self._streams = any(r.stream_window for found in rules.values() for r in found)
        self._goals: dict[GoalKey, Goal] = {}
        # Beside each goal, the current round's flat dicts of strings and numbers (which the garbage
        # collector does not track either):
        #: goal -> user -> contribution, in first-contribution order
        self._contributions: dict[GoalKey, dict[str, Number]] = {}
        #: goal -> user -> the tick when the contribution was reached, in the same order (for ties)
        self._reached: dict[GoalKey, dict[str, int]] = {}
        #: goal -> the distinct values seen (a dict used as a set), for distinct goals still open
        self._values: dict[GoalKey, dict[Any, None]] = {}
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
        overtime = self._overtime  # the same dict for the whole event (only load replaces it)
        for rule, mission_id, predicate, by_creator, measure, field, resolve in self._rules[event.type]:
            if predicate is not None and not predicate(event):
                continue
            subject = event.creator_id if by_creator else event.stream_id
            if subject is None:
                continue
            value: Any
            if measure == _ONE:
                value = 1
            elif measure == _WEIGHTED:
                value = event.count or 1
            else:  # sum: the amount; distinct: the value, counted once per goal
                value = getattr(event, field)
                if value is None or (measure == _SUM and not value):
                    continue
            if overtime:
                window = self._overtime_window(mission_id, subject, ts)
                if window is not None:
                    self._contribute(rule, (mission_id, subject, window), None, value, event, ctx)
                    continue
            found = resolve(ts, event)
            if found is not None:
                self._contribute(rule, (mission_id, subject, found[0]), found[1], value, event, ctx)

    def _overtime_window(self, mission_id: str, subject: str, ts: float) -> str | None:
        """The window of a goal extended past its end that ``ts`` still falls in, if any."""
        window = self._overtime.get((mission_id, subject))
        if window is None:
            return None
        goal = self._goals[(mission_id, subject, window)]
        end, extension = goal[1], goal[2]
        if end is not None and end <= ts < end + extension:
            return window
        return None

    def _contribute(
        self, rule: _Rule, key: GoalKey, closes: float | None, value: Any, event: Event, ctx: StepContext
    ) -> None:
        goals = self._goals
        ts = ctx.ts
        goal = goals.get(key)
        if goal is None:
            key = (key[0], share(key[1]), share(key[2]))  # kept for good: one copy of each id
            goal = self._open(key, closes, event, ctx)
            if goal is None:
                return
        state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goal
        if state != _ACTIVE or closed or (end is not None and ts >= end + extension):
            # not a running round inside its deadline: rare, and it counts only if a cooldown is over
            goal = self._restart(key, goal, ts)
            if goal is None:
                return
            state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goal
        amount: Number = value
        if rule.measure == _DISTINCT:
            values = self._values.get(key)
            if values is None:
                values = self._values[key] = {}
            elif value in values:
                return
            values[value] = None
            amount = 1
        user = event.user_id
        tick += 1
        contributions = self._contributions[key]
        contribution = contributions.get(user)
        if contribution is None:
            user = share(user)
            contribution = contributions[user] = amount
        else:
            contribution = contributions[user] = contribution + amount
        self._reached[key][user] = tick
        total += amount
        goals[key] = (state, end, extension, round_, completions, total, level, tick, cooldown_until, closed)
        target = rule.target
        ctx.emit(
            CommunityProgressed(
                event_id=ctx.event_id,
                mission_id=rule.mission_id,
                subject=key[1],
                window=key[2],
                round=round_,
                user_id=user,
                amount=amount,
                contribution=contribution,
                total=total,
                target=target,
            )
        )
        targets = rule.targets
        if level < len(targets) and total >= targets[level]:
            self._reach_levels(rule, key, event, ctx)
        if total >= target:
            self._complete(rule, key, event, ctx)

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
        goal = self._goals[key] = (_ACTIVE, end, 0.0, 1, 0, 0, 0, 0, None, False)
        self._contributions[key] = {}
        self._reached[key] = {}
        return goal

    def _restart(self, key: GoalKey, goal: Goal, ts: float) -> Goal | None:
        """The goal an event at ``ts`` counts in, when ``goal`` is not a running round inside its deadline:
        a new round once a cooldown is over, else ``None`` (the event does not count)."""
        state, end, extension, round_, completions, _, _, tick, cooldown_until, closed = goal
        if closed or state == _COMPLETED:
            return None
        deadline = _deadline(end, extension)
        if deadline is not None and ts >= deadline:
            return None
        if state == _COOLDOWN:
            if cooldown_until is not None and ts < cooldown_until:
                return None
            # levels, contributions and distinct values start again; the extensions stay
            goal = self._goals[key] = (_ACTIVE, end, extension, round_ + 1, completions, 0, 0, tick, None, False)
            self._contributions[key] = {}
            self._reached[key] = {}
            self._values.pop(key, None)
        return goal

    def _reach_levels(self, rule: _Rule, key: GoalKey, event: Event, ctx: StepContext) -> None:
        goals = self._goals
        state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goals[key]
        targets = rule.targets
        while level < len(targets) and total >= targets[level]:
            extend = rule.extends[level]
            level += 1
            if extend:
                extension += extend
                if end is not None:
                    ctx.schedule(end + extension + self._lateness, self._component, [TIMER, *key, end])
                if not rule.stream_window:
                    self._overtime[(key[0], key[1])] = key[2]
            goals[key] = (state, end, extension, round_, completions, total, level, tick, cooldown_until, closed)
            ctx.emit(
                CommunityLevelReached(ctx.event_id, key[0], key[1], key[2], round_, level, targets[level - 1], total,
                                      _when(_deadline(end, extension)), event.user_id, event.stream_id)
            )  # fmt: skip

    def _complete(self, rule: _Rule, key: GoalKey, event: Event, ctx: StepContext) -> None:
        goals = self._goals
        state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goals[key]
        completions += 1
        goals[key] = (state, end, extension, round_, completions, total, level, tick, cooldown_until, closed)
        contributions = self._contributions[key]
        minimum = rule.min_contribution
        eligible = [(user, amount) for user, amount in contributions.items() if amount >= minimum]
        top = tuple((c.user_id, c.contribution) for c in _top(contributions, self._reached[key], rule.top))
        ctx.emit(
            CommunityGoalCompleted(ctx.event_id, key[0], key[1], key[2], round_, total, len(contributions),
                                   len(eligible), top, event.user_id, event.stream_id)
        )  # fmt: skip
        for user, contribution in eligible:
            ctx.emit(ContributorRewarded(ctx.event_id, key[0], key[1], key[2], round_, user, contribution))
        # the messages above do not touch goals; the goal is read again all the same
        state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goals[key]
        if completions < rule.repeat:
            state, cooldown_until = _COOLDOWN, ctx.ts + rule.cooldown
        else:
            state = _COMPLETED
        goals[key] = (state, end, extension, round_, completions, total, level, tick, cooldown_until, closed)

    # ------------------------------------------------------------------ time

    def _on_stream_ended(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id or ""
        if stream in self._stream_ends:
            return
        ts = ctx.ts
        self._stream_ends[stream] = ts
        goals = self._goals
        for key in self._waiting.pop(stream, ()):
            goal = goals[key]
            goals[key] = (goal[0], ts, *goal[2:])
            ctx.schedule(ts + goal[2] + self._lateness, self._component, [TIMER, *key, ts])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        """A goal's deadline (plus lateness) passed: close it, unless it was extended since."""
        _, mission_id, subject, window, timer_end = payload
        key = (mission_id, subject, window)
        goal = self._goals.get(key)
        if goal is None:
            return
        state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goal
        if closed or end != timer_end:
            return
        deadline = _deadline(end, extension)
        if deadline is None or ctx.ts < deadline + self._lateness:  # extended after this timer was set
            return
        self._values.pop(key, None)  # a closed goal counts nothing more
        if self._overtime.get((mission_id, subject)) == window:
            del self._overtime[(mission_id, subject)]
        if state == _ACTIVE:
            state = _EXPIRED
        elif state == _COOLDOWN:
            state = _COMPLETED
        self._goals[key] = (state, end, extension, round_, completions, total, level, tick, cooldown_until, True)
        if state == _EXPIRED:
            ctx.emit(CommunityGoalExpired(ctx.event_id, mission_id, subject, window, round_, total, level))

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
        return dict(self._contributions.get((mission_id, subject, window), {}))

    def _status(self, key: GoalKey, goal: Goal) -> CommunityGoalStatus:
        state, end, extension, round_, completions, total, level, _, cooldown_until, _ = goal
        contributions = self._contributions[key]
        mission = self._missions[key[0]]
        rules = mission.community
        size = rules.top_contributors if rules is not None else 0
        return CommunityGoalStatus(
            mission_id=mission.id,
            title=mission.title,
            subject=key[1],
            window=key[2],
            state=state,
            round=round_,
            completions=completions,
            total=total,
            target=mission.target,
            level=level,
            levels=len(rules.levels) if rules is not None else 0,
            deadline=_when(_deadline(end, extension)),
            cooldown_until=_when(cooldown_until),
            contributors=len(contributions),
            top_contributors=tuple(_top(contributions, self._reached[key], size)),
        )

    # ------------------------------------------------------------------ snapshots

    def dump(self) -> Any:
        """JSON-ready state; distinct values sorted, goals in the order they started."""
        goals = []
        for key, goal in self._goals.items():
            state, end, extension, round_, completions, total, level, tick, cooldown_until, closed = goal
            reached = self._reached[key]
            values = self._values.get(key)
            goals.append(
                [*key, end, extension, state, round_, completions, total, level,
                 [[user, amount, reached[user]] for user, amount in self._contributions[key].items()], tick,
                 None if values is None else sorted(values, key=repr), cooldown_until, closed]
            )  # fmt: skip
        return {
            "goals": goals,
            "waiting": self._waiting,
            "ends": self._stream_ends,
            "overtime": [[mission, subject, window] for (mission, subject), window in self._overtime.items()],
        }

    @property
    def missions(self) -> set[str]:
        """The ids of the community missions this part runs."""
        return set(self._missions)

    def load(self, data: Any) -> None:
        """Restore what :meth:`dump` produced."""
        self._goals, self._contributions, self._reached, self._values = {}, {}, {}, {}
        for row in data["goals"]:
            (mission, subject, window, end, extension, state, round_, completions, total, level, contributions,
             tick, values, cooldown_until, closed) = row  # fmt: skip
            key = (mission, subject, window)
            self._goals[key] = (_STATES[state], end, extension, round_, completions, total, level, tick,
                                cooldown_until, closed)  # fmt: skip
            self._contributions[key] = {user: amount for user, amount, _ in contributions}
            self._reached[key] = {user: reached for user, _, reached in contributions}
            if values is not None:
                self._values[key] = dict.fromkeys(values)
        self._waiting = {stream: tuple((m, s, w) for m, s, w in keys) for stream, keys in data["waiting"].items()}
        self._stream_ends = dict(data["ends"])
        self._overtime = {(mission, subject): window for mission, subject, window in data["overtime"]}
