"""Viewer missions: measures, windows, prerequisites, repeats, claims and rewards.

State is owned by the viewer key: each viewer has the mission instances of the fixed windows they
took part in, and of closed windows still waiting for a claim (``(mission id, window key) -> record``,
see :data:`Record`), the missions they have completed at least once and the missions with
prerequisites that are unlocked for them. The instances of an open recurring window are kept per
window instead, so that its closing walks one table and drops it: a day's or a week's table per
mission, ``user -> record``, and one table per stream for all its missions, ``(user, mission id) ->
record``, each in the order the instances opened. Missions whose subject is a
community (a creator's or a stream's) belong to the social layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from typing import Any, ClassVar, Protocol, TypeAlias, cast

import attrs

from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, Window, WindowKind
from festengine.engine.component import Check, Component, Handler, Rejection, StepContext, Subscriber
from festengine.engine.missions_snapshot import mission_snapshot_shape, mission_timer_shape
from festengine.engine.outcomes import (
    BadgeAwarded,
    MissionClaimed,
    MissionCompleted,
    MissionExpired,
    MissionProgressed,
    MissionUnlocked,
    Outcome,
)
from festengine.engine.shapes import Shape
from festengine.engine.transitions import MissionState, check_transition
from festengine.engine.windows import fixed_bounds, make_resolver
from festengine.events import Event

__all__ = ["MissionStatus", "Missions", "Record"]

ACTIVE, COMPLETED, CLAIMED, EXPIRED, LOCKED = (
    MissionState.ACTIVE,
    MissionState.COMPLETED,
    MissionState.CLAIMED,
    MissionState.EXPIRED,
    MissionState.LOCKED,
)
_LOCKED = "\x00locked"  # a sentinel no event id can equal (ids are stripped, non-empty text)
_RECURRING = frozenset({WindowKind.DAILY, WindowKind.WEEKLY, WindowKind.STREAM})
_WEIGHTED = frozenset({"like", "gift"})


#: A mission instance (one subject's run at one mission in one window) is a number or a tuple, not
#: an object: its bare progress (an ``int`` or a ``Decimal``) while it is active and was never
#: completed; ``(state, progress, completions)`` while it only counts; and
#: ``(state, progress, completions, claim_deadline, closed, values, periods, met)`` once it needs more
#: (a claim deadline, a closed window, the distinct values seen, a streak's periods). ``state`` is the
#: plain string of a :class:`MissionState`. A tuple of strings and numbers is smaller than an object
#: and, unlike one, nothing the garbage collector has to walk once it has looked at it: with millions
#: of instances that walk was a sixth of the engine's time. A number it never looks at, nor at a
#: dict holding only numbers: an open day's table of counting instances costs it nothing until one
#: of them completes and goes round again, and an update builds no tuple. ``values`` is a tuple in
#: the order first seen; ``periods`` a tuple of ``(period, amount)`` pairs not yet met; ``met`` the
#: sorted tuple of the periods met.
Record: TypeAlias = Any  # int | Decimal | tuple[Any, ...], as above; read the fields with _full
_ACTIVE, _COMPLETED = ACTIVE.value, COMPLETED.value
_NO_KEY = ("", "")  # the instance key of a slot whose window is not fixed: made per event instead
_NO_EXTRAS = (None, False, None, None, None)


def _record(
    state: str,
    progress: int | Decimal,
    completions: int,
    deadline: float | None = None,
    closed: bool = False,
    values: tuple[Any, ...] | None = None,
    periods: tuple[tuple[int, int], ...] | None = None,
    met: tuple[int, ...] | None = None,
) -> Record:
    """An instance record, in its shortest form: the bare progress while it is active, was never
    completed and has no extras; ``(state, progress, completions)`` while the extras are unset."""
    if deadline is None and not closed and values is None and periods is None and met is None:
        if completions == 0 and state == _ACTIVE:
            return progress
        return (state, progress, completions)
    return (state, progress, completions, deadline, closed, values, periods, met)


def _full(record: Record) -> tuple[Any, ...]:
    """The record with all eight fields, whichever form it is stored in."""
    if record.__class__ is not tuple:
        return (_ACTIVE, record, 0, *_NO_EXTRAS)
    return record if len(record) == 8 else record + _NO_EXTRAS


def _state_of(record: Record) -> str:
    """The state of a record, whichever form it is stored in."""
    return record[0] if record.__class__ is tuple else _ACTIVE


def _closing(record: Record, state: str) -> Record:
    """The record in ``state`` and marked closed, as its window closes."""
    _state, progress, completions, deadline, _closed, values, periods, met = _full(record)
    return (state, progress, completions, deadline, True, values, periods, met)


_STATES = {state.value: state for state in MissionState}


def _move(mission_id: str, source: str, target: MissionState) -> str:
    """The state string after ``source -> target``; raises if the transition table does not allow it."""
    return check_transition(mission_id, _STATES[source], target).value


@attrs.define(slots=True)
class _Viewer:
    instances: dict[tuple[str, str], Record] = attrs.field(factory=dict)
    completed: dict[str, int] = attrs.field(factory=dict)
    #: mission id -> the event that unlocked it (so that event itself does not count toward it)
    unlocked: dict[str, str | None] = attrs.field(factory=dict)


@attrs.frozen(slots=True)
class MissionStatus:
    """What a viewer sees of one mission in one window."""

    mission_id: str
    title: str
    state: str
    window: str | None
    progress: int | Decimal
    target: int | Decimal
    completions: int
    #: when a completion waiting to be claimed lapses (an aware UTC datetime), else ``None``
    claim_deadline: datetime | None


@attrs.frozen(slots=True)
class _Compiled:
    mission: Mission
    kind: MeasureKind
    field: str | None
    weighted: bool


# How a mission's window is found for an event, and how its progress is measured: small integers
# so that the hot loop in ``Missions._count`` branches on them without calling anything.
_FIXED, _DAILY, _WEEKLY, _STREAM = 0, 1, 2, 3
_COUNT, _SUM, _OTHER = 0, 1, 2

#: One viewer mission as the hot loop sees it, per event type:
#: (compiled, mission id, predicate, gated, window kind, fixed key, fixed start, fixed end,
#: fixed closes, measure kind, field, weighted, target, fixed instance key, open tables by window)
_Slot = tuple[
    _Compiled, str, Any, bool, int, str, float, float, float | None, int, str, bool, "int | Decimal",
    "tuple[str, str]", "dict[str, dict[Any, Record]]",
]  # fmt: skip


def longest_run(periods: Sequence[int], grace: int) -> int:
    """The longest chain of met periods where gaps of up to ``grace`` missed periods are forgiven."""
    best = run = 0
    previous: int | None = None
    for period in periods:
        run = run + 1 if previous is not None and period - previous - 1 <= grace else 1
        best = max(best, run)
        previous = period
    return best


class ViewerFacts(Protocol):
    """What prerequisites ask other parts of the engine about a viewer (handed over when assembled)."""

    def has_badge(self, user_id: str, badge_id: str, tier: str) -> bool:
        """Whether the viewer holds the badge at this tier or higher."""
        ...

    def fan_club_level(self, user_id: str) -> int:
        """The viewer's highest Fan Club level in any club (0: none)."""
        ...


class Missions(Component):
    name: ClassVar[str] = "missions"

    def __init__(self, fest: Fest, facts: ViewerFacts, level_changed: type[Outcome] | None = None) -> None:
        super().__init__(fest)
        self._facts = facts
        self._level_changed = level_changed
        self._lateness = fest.allowed_lateness.total_seconds()
        self._viewers: dict[str, _Viewer] = {}
        #: days and weeks while open: mission id -> window -> user -> record (users in the order they
        #: took part); one timer closes a window's table, walking it once and dropping it
        self._tables: dict[str, dict[str, dict[Any, Record]]] = {
            m.id: {} for m in fest.missions.values()
            if m.subject is Subject.VIEWER and m.window.kind in (WindowKind.DAILY, WindowKind.WEEKLY)
        }  # fmt: skip
        #: streams while open: window -> (user, mission id) -> record, every stream mission in one
        #: table, in the order opened (which is the order a closing stream expires them in)
        self._stream_tables: dict[str, dict[Any, Record]] = {}
        #: fixed window (mission, window) -> users with an instance there, in order (a dict used as an
        #: ordered set: unlike a list, nothing the garbage collector keeps walking); one timer closes them
        self._members: dict[tuple[str, str], dict[str, None]] = {}
        self._closed_streams: set[str] = set()
        self._fest_close = fest.ends_at.timestamp() + fest.allowed_lateness.total_seconds()
        #: stream id -> when it ended, until its windows close: later events are not part of it
        self._stream_ends: dict[str, float] = {}
        self._slots: dict[str, tuple[_Slot, ...]] = {}
        #: (mission id, fixed window key) -> that same tuple, shared by every instance in that window
        self._fixed_keys: dict[tuple[str, str], tuple[str, str]] = {}
        for event_type, missions in fest.missions_by_event.items():
            viewer_missions = [m for m in missions if m.subject is Subject.VIEWER]
            if viewer_missions:
                self._slots[event_type] = tuple(self._slot(m, event_type) for m in viewer_missions)
        self._day_window = make_resolver(fest, Window(WindowKind.DAILY))
        self._week_window = make_resolver(fest, Window(WindowKind.WEEKLY))
        #: stream id -> its window key (one shared string per stream)
        self._stream_keys: dict[str, str] = {}
        #: missions whose windows recur (days, weeks, streams): their instances are forgotten once settled
        self._recurring = frozenset(m.id for m in fest.missions.values() if m.window.kind in _RECURRING)
        #: mission id -> the viewer missions that require it
        self._dependents = {
            mission_id: tuple(fest.missions[d] for d in found if fest.missions[d].subject is Subject.VIEWER)
            for mission_id, found in fest.dependents.items()
        }
        self._badge_dependents: dict[str, tuple[Mission, ...]] = {}
        for mission in fest.missions.values():
            if mission.requires.badge is not None and mission.subject is Subject.VIEWER:
                badge = mission.requires.badge.badge
                self._badge_dependents[badge] = (*self._badge_dependents.get(badge, ()), mission)
        #: the viewer missions that wait for a Fan Club level (rechecked on each LevelChanged)
        self._level_dependents = tuple(
            m for m in fest.missions.values() if m.subject is Subject.VIEWER and m.requires.fan_club_level is not None
        )

    def _slot(self, mission: Mission, event_type: str) -> _Slot:
        compiled = _Compiled(
            mission=mission,
            kind=mission.measure.kind,
            field=mission.measure.field,
            weighted=event_type in _WEIGHTED,
        )
        where, key, start, end, closes = _FIXED, "", 0.0, 0.0, None
        kind = mission.window.kind
        if kind is WindowKind.DAILY:
            where = _DAILY
        elif kind is WindowKind.WEEKLY:
            where = _WEEKLY
        elif kind is WindowKind.STREAM:
            where = _STREAM
        else:
            key, start, end = fixed_bounds(self.fest, mission.window)
            closes = end + self.fest.allowed_lateness.total_seconds()
        measure = {MeasureKind.COUNT: _COUNT, MeasureKind.SUM: _SUM}.get(mission.measure.kind, _OTHER)
        # a fixed window's instance key is one tuple shared by every viewer's instance (less memory,
        # and nothing to build per event); other windows' keys change with the day, week or stream
        instance_key = self._fixed_keys.setdefault((mission.id, key), (mission.id, key)) if where == _FIXED else _NO_KEY
        tables = self._stream_tables if where == _STREAM else self._tables.get(mission.id, {})
        return (
            compiled, mission.id, mission.counts.predicate, mission.requires.any, where, key, start, end, closes,
            measure, mission.measure.field or "", compiled.weighted, mission.target, instance_key, tables,
        )  # fmt: skip

    # ------------------------------------------------------------------ wiring

    def checks(self) -> Mapping[str, Check]:
        return {"claim": self._check_claim}

    def handlers(self) -> Mapping[str, Handler]:
        table: dict[str, Handler] = dict.fromkeys(self._slots, self._count)
        table["claim"] = self._claim_event
        table["stream_ended"] = self._chain(table.get("stream_ended"), self._stream_ended)
        return table

    def subscriptions(self) -> Mapping[type[Outcome], Subscriber]:
        table: dict[type[Outcome], Subscriber] = {BadgeAwarded: self._on_badge}
        if self._level_dependents and self._level_changed is not None:
            table[self._level_changed] = self._on_level_changed
        return table

    @staticmethod
    def _chain(first: Handler | None, second: Handler) -> Handler:
        if first is None:
            return second

        def both(event: Event, ctx: StepContext) -> None:
            first(event, ctx)
            second(event, ctx)

        return both

    # ------------------------------------------------------------------ counting

    def _count(self, event: Event, ctx: StepContext) -> None:  # noqa: PLR0915 - one flat hot loop
        """Count one event toward every viewer mission of its type.

        This is the engine's hottest loop, so it is kept flat on purpose: the window and the count
        and sum measures are inlined, and only the rarer paths (prerequisites, distinct values,
        streaks, completion) call out.
        """
        user = event.user_id
        viewer = self._viewers.get(user)
        if viewer is None:
            viewer = self._viewers[user] = _Viewer()
        instances = viewer.instances
        ts = ctx.ts
        event_id = ctx.event_id
        day: tuple[str, float | None] | None = None
        week: tuple[str, float | None] | None = None
        emit = ctx.emitter(MissionProgressed)
        stream: str | None = None  # set by a stream window; only read when the window is a stream
        for slot in self._slots[event.type]:
            (compiled, mission_id, predicate, gated, where, window, start, end, closes,
             kind, field, weighted, target, key, tables) = slot  # fmt: skip
            if predicate is not None and not predicate(event):
                continue
            if gated:
                unlocked_by = viewer.unlocked.get(mission_id, _LOCKED)
                if unlocked_by is _LOCKED:
                    if not self._requirements_met(user, viewer, compiled.mission):
                        continue
                    self._unlock(user, viewer, compiled.mission, ctx)
                elif unlocked_by == event_id:
                    # unlocked by this very event (it completed a prerequisite counted just before):
                    # the event happened while the mission was locked, whatever the pack order
                    continue
            # where the instance is: ``container[ckey]``, the viewer's own (fixed windows) or the
            # open window's table, keyed by user (days, weeks, streams)
            container: dict[Any, Record]
            ckey: Any
            opened = False  # a new table, kept (with its timer) only once an instance is stored in it
            if where == _FIXED:
                if not start <= ts < end:
                    continue
                container, ckey = instances, key
            else:
                if where == _DAILY:
                    if day is None:
                        day = self._day_window(ts, event)
                    window, closes = day  # type: ignore[misc]
                elif where == _WEEKLY:
                    if week is None:
                        week = self._week_window(ts, event)
                    window, closes = week  # type: ignore[misc]
                else:
                    stream = event.stream_id
                    if stream is None:
                        continue
                    ended = self._stream_ends.get(stream) if self._stream_ends else None
                    if ended is not None and ts >= ended:  # it happened after the stream ended
                        continue
                    window = self._stream_keys.get(stream) or self._stream_key(stream)
                    closes = None
                table = tables.get(window)
                if table is None:
                    if closes is None and stream in self._closed_streams:
                        continue
                    table, opened = {}, True
                container, ckey = table, (user if closes is not None else (user, mission_id))
            record = container.get(ckey)
            # an active instance that counts or sums is its bare progress until it first completes,
            # then ``(state, progress, completions)``: it has no deadline and is not closed
            if record is None:
                base = done = 0
            elif record.__class__ is tuple:
                if record[0] != _ACTIVE:
                    continue
                base, done = record[1], record[2]
            else:
                base, done = record, 0
            if kind == _COUNT:
                progress = base + ((event.count or 1) if weighted else 1)
                container[ckey] = progress if not done else (_ACTIVE, progress, done)
            elif kind == _SUM:
                amount = getattr(event, field)
                if not amount:
                    continue
                progress = base + amount
                container[ckey] = progress if not done else (_ACTIVE, progress, done)
            else:
                found = self._measure(compiled, container, ckey, 0 if record is None else record, event, ts)
                if found is None:
                    if record is None and ckey in container:  # stored, though its progress did not move
                        self._note_new(user, mission_id, window, closes, stream, container, opened, where == _FIXED,
                                       ctx)  # fmt: skip
                    continue
                progress = found
            if record is None and (opened or where == _FIXED):  # stored: its window's closing must find it
                self._note_new(user, mission_id, window, closes, stream, container, opened, where == _FIXED, ctx)
            emit(
                MissionProgressed(
                    event_id=event_id,
                    subject=user,
                    mission_id=mission_id,
                    window=window,
                    progress=progress,
                    target=target,
                )
            )
            if progress >= target:
                self._complete(user, viewer, compiled.mission, window, container, ckey, ctx)

    def _stream_key(self, stream: str) -> str:
        """The window key of a stream, made once and shared by every instance in that stream."""
        key = "stream:" + stream
        if stream not in self._closed_streams:
            self._stream_keys[stream] = key
        return key

    def _note_new(
        self, user: str, mission_id: str, window: str, closes: float | None, stream: str | None,
        container: dict[Any, Record], opened: bool, fixed: bool, ctx: StepContext,
    ) -> None:  # fmt: skip
        """A new instance was just stored: keep the new table it is the first of, or note it in its fixed
        window's member list, where the timer that closes the window will find it."""
        if opened:
            self._open_table(mission_id, window, closes, stream, container, ctx)
        elif fixed:
            self._join(user, mission_id, window, closes, ctx)

    def _join(self, user: str, mission_id: str, window: str, closes: float | None, ctx: StepContext) -> None:
        """Note a new instance in a fixed window where the timer that closes the window will find it."""
        key = (mission_id, window)
        members = self._members.get(key)
        if members is None:
            self._members[key] = {user: None}
            ctx.schedule(cast(float, closes), self.name, ["window", mission_id, window])
        else:
            members[user] = None

    def _open_table(
        self, mission_id: str, window: str, closes: float | None, stream: str | None, table: dict[Any, Record],
        ctx: StepContext,
    ) -> None:  # fmt: skip
        """Keep ``table`` as the table of a recurring window that opens with it, with the timer that will close it."""
        if closes is not None:
            self._tables[mission_id][window] = table
            ctx.schedule(closes, self.name, ["window", mission_id, window])
        else:
            self._stream_tables[window] = table
            # closed when the stream's end arrives (plus lateness), else when the fest closes
            ctx.schedule(self._fest_close, self.name, ["stream", cast(str, stream)])

    def _measure(
        self,
        compiled: _Compiled,
        instances: dict[Any, Record],
        key: Any,
        record: Record,
        event: Event,
        ts: float,
    ) -> int | None:
        """Add the event to an active instance of a distinct or streak measure: store the new record
        in ``instances[key]`` and return the new progress, or ``None`` if the progress did not change."""
        state, progress, completions, deadline, closed, values, periods, met = _full(record)
        if compiled.kind is MeasureKind.DISTINCT:
            value = getattr(event, compiled.field or "")
            if value is None or (values is not None and value in values):
                return None
            values = (value,) if values is None else (*values, value)
            progress = len(values)
        else:
            measure = compiled.mission.measure
            calendar = self.fest.calendar
            period = calendar.day_of(ts) if measure.period == "day" else calendar.week_of(ts)
            if met is not None and period in met:
                return None
            pending = dict(periods or ())
            amount = pending.get(period, 0) + ((event.count or 1) if compiled.weighted else 1)
            if amount < measure.min_per_period:
                pending[period] = amount
                instances[key] = _record(state, progress, completions, deadline, closed, values,
                                         tuple(pending.items()), met)  # fmt: skip
                return None
            pending.pop(period, None)
            met = tuple(sorted((*(met or ()), period)))
            periods = tuple(pending.items()) or None
            best = longest_run(met, measure.grace)
            if best == progress:
                instances[key] = _record(state, progress, completions, deadline, closed, values, periods, met)
                return None
            progress = best
        instances[key] = _record(state, progress, completions, deadline, closed, values, periods, met)
        return progress

    # ------------------------------------------------------------------ completion and claims

    def _complete(
        self, user: str, viewer: _Viewer, mission: Mission, window: str, instances: dict[Any, Record], key: Any,
        ctx: StepContext,
    ) -> None:  # fmt: skip
        """The instance at ``instances[key]`` reached its target."""
        state, progress, completions, _deadline, closed, values, periods, met = _full(instances[key])
        state = _move(mission.id, state, COMPLETED)
        completions += 1
        deadline = None
        if mission.claim.manual and mission.claim.within is not None:
            deadline = ctx.ts + mission.claim.within.total_seconds()
            due = deadline + self._lateness
            ctx.schedule(due, self.name, ["deadline", user, mission.id, window, completions])
        instances[key] = _record(state, progress, completions, deadline, closed, values, periods, met)
        ctx.emit(MissionCompleted(ctx.event_id, user, mission.id, window, completions, ctx.now_of(deadline)))
        first = mission.id not in viewer.completed
        viewer.completed[mission.id] = viewer.completed.get(mission.id, 0) + 1
        if not mission.claim.manual:
            self._grant(user, instances, key, mission, window, ctx)
        if first:
            self._unlock_dependents(user, viewer, mission.id, ctx)

    def _grant(
        self, user: str, instances: dict[Any, Record], key: Any, mission: Mission, window: str, ctx: StepContext
    ) -> None:
        state, progress, completions, _deadline, closed, values, periods, met = _full(instances[key])
        state = _move(mission.id, state, CLAIMED)
        instances[key] = _record(state, progress, completions, None, closed, values, periods, met)
        ctx.emit(MissionClaimed(ctx.event_id, user, mission.id, window, completions))
        for reward in mission.rewards:
            ctx.grant(user, reward, mission.id)
        if completions < mission.repeat and not closed:
            instances[key] = _record(_move(mission.id, state, ACTIVE), 0, completions)

    def _locate(self, user: str, mission_id: str, window: str) -> tuple[dict[Any, Record], Any] | None:
        """Where the user's instance of a mission in a window is, ``(container, key)``, if anywhere:
        in the window's table while it is open, else with the viewer."""
        tables = self._tables.get(mission_id)
        if tables is not None:
            table = tables.get(window)
            if table is not None and user in table:
                return table, user
        in_stream = self._stream_tables.get(window)
        if in_stream is not None and (user, mission_id) in in_stream:
            return in_stream, (user, mission_id)
        viewer = self._viewers.get(user)
        if viewer is not None and (mission_id, window) in viewer.instances:
            return viewer.instances, (mission_id, window)
        return None

    def _found(self, user: str, mission_id: str) -> list[tuple[str, Record]]:
        """The user's instances of a mission, ``(window, record)``: those kept with the viewer (fixed
        windows, and closed windows waiting for a claim) in the order taken part in, then those in
        open windows, in the order the windows opened."""
        viewer = self._viewers.get(user)
        found = [] if viewer is None else [(w, r) for (m, w), r in viewer.instances.items() if m == mission_id]
        if self.fest.missions[mission_id].window.kind is WindowKind.STREAM:
            for window, in_stream in self._stream_tables.items():
                record = in_stream.get((user, mission_id))
                if record is not None:
                    found.append((window, record))
        else:
            for window, table in self._tables.get(mission_id, {}).items():
                record = table.get(user)
                if record is not None:
                    found.append((window, record))
        return found

    def _claimable(self, user: str, mission_id: str, ts: float) -> tuple[str, float | None] | None:
        """The window and claim deadline of the oldest completion waiting to be claimed whose deadline
        has not passed at ``ts``, else of the oldest one waiting at all (so the check can say it is too
        late), else ``None``. Every completion of a mission has the same time to claim, so the oldest
        is the one with the earliest deadline; without deadlines, the first of :meth:`_found`."""
        best: tuple[str, float | None] | None = None
        late: tuple[str, float] | None = None
        for window, record in self._found(user, mission_id):
            if _state_of(record) != _COMPLETED:
                continue
            deadline = _full(record)[3]
            if deadline is None or ts <= deadline:
                if best is None or (deadline is not None and best[1] is not None and deadline < best[1]):
                    best = window, deadline
            elif late is None or deadline < late[1]:
                late = window, deadline
        return best or late

    def _check_claim(self, event: Event) -> Rejection | None:
        mission = self.fest.missions.get(event.mission_id or "")
        if mission is None or mission.subject is not Subject.VIEWER:
            return Rejection("unknown_mission", f"there is no viewer mission {event.mission_id!r} to claim")
        if not mission.claim.manual:
            return Rejection("not_claimable", f"mission {mission.id!r} grants its rewards automatically")
        found = self._claimable(event.user_id, mission.id, event.occurred_at.timestamp())
        if found is None:
            return Rejection("nothing_to_claim", f"mission {mission.id!r} has no completion waiting to be claimed")
        deadline = found[1]
        if deadline is not None and event.occurred_at.timestamp() > deadline:
            return Rejection("claim_too_late", f"the claim deadline of mission {mission.id!r} has passed")
        return None

    def _claim_event(self, event: Event, ctx: StepContext) -> None:
        user, mission_id = event.user_id, event.mission_id or ""
        found = self._claimable(user, mission_id, ctx.ts)
        if found is None:  # the check ran just before; time passing may have expired it
            return
        window, deadline = found
        if deadline is not None and ctx.ts > deadline:
            return
        instances, key = cast("tuple[dict[Any, Record], Any]", self._locate(user, mission_id, window))
        self._grant(user, instances, key, self.fest.missions[mission_id], window, ctx)
        self._forget_if_done(instances, key, mission_id)

    # ------------------------------------------------------------------ prerequisites

    def _requirements_met(self, user: str, viewer: _Viewer, mission: Mission) -> bool:
        requires = mission.requires
        completed = viewer.completed
        for required in requires.missions:
            if required not in completed:
                return False
        badge = requires.badge
        if badge is not None and not self._facts.has_badge(user, badge.badge, badge.tier):
            return False
        level = requires.fan_club_level
        return level is None or self._facts.fan_club_level(user) >= level

    def _unlock(self, user: str, viewer: _Viewer, mission: Mission, ctx: StepContext) -> None:
        check_transition(mission.id, LOCKED, ACTIVE)
        viewer.unlocked[mission.id] = ctx.event_id
        ctx.emit(MissionUnlocked(ctx.event_id, user, mission.id))

    def recheck_unlocks(self, user: str, missions: tuple[Mission, ...], ctx: StepContext) -> None:
        """Unlock those of ``missions`` whose prerequisites the user now meets (other layers call this)."""
        viewer = self._viewers.get(user)
        if viewer is None:
            viewer = self._viewers[user] = _Viewer()
        for mission in missions:
            if mission.id not in viewer.unlocked and self._requirements_met(user, viewer, mission):
                self._unlock(user, viewer, mission, ctx)

    def _unlock_dependents(self, user: str, viewer: _Viewer, mission_id: str, ctx: StepContext) -> None:
        dependents = self._dependents.get(mission_id)
        if dependents:
            self.recheck_unlocks(user, dependents, ctx)

    def _on_level_changed(self, outcome: Any, ctx: StepContext) -> None:
        self.recheck_unlocks(outcome.user_id, self._level_dependents, ctx)

    def _on_badge(self, outcome: BadgeAwarded, ctx: StepContext) -> None:
        dependents = self._badge_dependents.get(outcome.badge_id)
        if dependents:
            self.recheck_unlocks(outcome.user_id, dependents, ctx)

    # ------------------------------------------------------------------ time

    def _stream_ended(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id or ""
        if stream not in self._closed_streams:
            self._stream_ends[stream] = min(self._stream_ends.get(stream, ctx.ts), ctx.ts)
        ctx.schedule(ctx.ts + self._lateness, self.name, ["stream", stream])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        what = payload[0]
        if what == "window":
            mission_id, window = payload[1], payload[2]
            if mission_id in self._recurring:
                table = self._tables[mission_id].pop(window, None)
                if table:
                    self._close_table(window, zip(table, repeat(mission_id), table.values()), ctx)
            else:
                self._close_fixed(mission_id, window, ctx)
        elif what == "deadline":
            self._deadline(payload[1], payload[2], payload[3], payload[4], ctx)
        elif what == "stream":
            stream = payload[1]
            self._closed_streams.add(stream)
            self._stream_ends.pop(stream, None)
            window = self._stream_keys.pop(stream, None) or "stream:" + stream
            in_stream = self._stream_tables.pop(window, None)
            if in_stream:  # in the order the instances opened
                self._close_table(window, ((u, m, record) for (u, m), record in in_stream.items()), ctx)

    def _close_table(self, window: str, rows: Iterable[tuple[str, str, Record]], ctx: StepContext) -> None:
        """Close a recurring window, whose table was just dropped: of its ``(user, mission id, record)``
        rows, in order, the unfinished instances expire; a completion still waiting for its claim
        moves to its viewer, marked closed, until it is claimed or its deadline passes."""
        emit = ctx.emitter(MissionExpired)
        event_id = ctx.event_id
        checked: set[str] = set()  # the missions whose move was checked against the transition table
        viewers = self._viewers
        for user, mission_id, record in rows:
            state, progress = (record[0], record[1]) if record.__class__ is tuple else (_ACTIVE, record)
            if state == _ACTIVE:
                if mission_id not in checked:
                    _move(mission_id, _ACTIVE, EXPIRED)
                    checked.add(mission_id)
                emit(
                    MissionExpired(
                        event_id=event_id,
                        subject=user,
                        mission_id=mission_id,
                        window=window,
                        previous_state=_ACTIVE,
                        progress=progress,
                    )
                )
            elif state == _COMPLETED:
                viewers[user].instances[(mission_id, window)] = _closing(record, state)

    def _close_fixed(self, mission_id: str, window: str, ctx: StepContext) -> None:
        """Close a fixed window (the fest, a phase, explicit dates) for each of its members, in the
        order they took part: unfinished instances expire; every instance is kept, marked closed."""
        emit = ctx.emitter(MissionExpired)
        event_id = ctx.event_id
        viewers = self._viewers
        key = (mission_id, window)
        expired: str | None = None
        for user in self._members.pop(key, ()):
            instances = viewers[user].instances
            record = instances[key]
            state, progress = _full(record)[:2]
            if state == _ACTIVE:
                state = expired = expired or _move(mission_id, _ACTIVE, EXPIRED)
                emit(
                    MissionExpired(
                        event_id=event_id,
                        subject=user,
                        mission_id=mission_id,
                        window=window,
                        previous_state=_ACTIVE,
                        progress=progress,
                    )
                )
            instances[key] = _closing(record, state)

    def _deadline(self, user: str, mission_id: str, window: str, completion: int, ctx: StepContext) -> None:
        found = self._locate(user, mission_id, window)
        if found is None:
            return
        instances, key = found
        record = instances[key]
        if _state_of(record) != _COMPLETED or record[2] != completion:
            return
        _state, progress, completions, _deadline, closed, values, periods, met = _full(record)
        state = _move(mission_id, _COMPLETED, EXPIRED)
        instances[key] = _record(state, progress, completions, None, closed, values, periods, met)
        ctx.emit(MissionExpired(ctx.event_id, user, mission_id, window, _COMPLETED, progress))
        self._forget_if_done(instances, key, mission_id)

    def _forget_if_done(self, instances: dict[Any, Record], key: Any, mission_id: str) -> None:
        """Recurring windows (days, weeks, streams) keep no state once closed and settled."""
        record = _full(instances[key])
        if record[4] and record[0] != _COMPLETED and mission_id in self._recurring:
            del instances[key]

    # ------------------------------------------------------------------ queries

    def status(self, user: str) -> list[MissionStatus]:
        """Every viewer mission for ``user``, in pack order: one row per window taken part in, or one
        row in state ``active`` (or ``locked``) with no progress for a mission not started. A mission's
        rows are those kept with the viewer in the order taken part in, then those of open recurring
        windows in the order the windows opened."""
        viewer = self._viewers.get(user) or _Viewer()
        rows: list[MissionStatus] = []
        for mission in self.fest.missions.values():
            if mission.subject is not Subject.VIEWER:
                continue
            found = self._found(user, mission.id)
            if not found:
                locked = mission.requires.any and mission.id not in viewer.unlocked
                state = LOCKED if locked and not self._requirements_met(user, viewer, mission) else ACTIVE
                rows.append(
                    MissionStatus(mission.id, mission.title, state.value, None, 0, mission.target,
                                  viewer.completed.get(mission.id, 0), None)
                )  # fmt: skip
            for window, record in found:
                state, progress, completions, deadline = _full(record)[:4]
                rows.append(
                    MissionStatus(mission.id, mission.title, state, window, progress, mission.target, completions,
                                  StepContext.now_of(deadline))
                )  # fmt: skip
        return rows

    def completions(self, user: str) -> dict[str, int]:
        """How many times the user completed each mission, over all windows."""
        viewer = self._viewers.get(user)
        return dict(viewer.completed) if viewer else {}

    def viewers(self) -> list[str]:
        return list(self._viewers)

    # ------------------------------------------------------------------ snapshot

    def dump(self) -> Any:
        return {
            "viewers": {
                user: {
                    "i": [[m, w, *_dumped(record)] for (m, w), record in v.instances.items()],
                    "c": v.completed,
                    "u": v.unlocked,
                }
                for user, v in self._viewers.items()
            },
            "open": [
                [m, w, [[user, *_dumped(record)] for user, record in table.items()]]
                for m, tables in self._tables.items()
                for w, table in tables.items()
            ],
            "streams": [
                [w, [[user, m, *_dumped(record)] for (user, m), record in in_stream.items()]]
                for w, in_stream in self._stream_tables.items()
            ],
            "members": [[m, w, list(users)] for (m, w), users in self._members.items()],
            "closed": sorted(self._closed_streams),
            "ended": self._stream_ends,
        }  # fmt: skip

    def snapshot_shape(self) -> Shape:
        return mission_snapshot_shape(self.fest)

    def timer_shape(self) -> Shape:
        return mission_timer_shape(self.fest)

    def load(self, data: Any) -> None:
        self._viewers = {}
        for user, raw in data["viewers"].items():
            viewer = _Viewer(completed=dict(raw["c"]), unlocked=dict(raw["u"]))
            for m, w, *fields in raw["i"]:
                viewer.instances[self._fixed_keys.get((m, w)) or (m, w)] = _loaded(fields)
            self._viewers[user] = viewer
        for tables in self._tables.values():
            tables.clear()  # emptied in place: the compiled slots hold these very dicts
        for m, w, rows in data["open"]:
            self._tables[m][w] = {user: _loaded(fields) for user, *fields in rows}
        self._stream_tables.clear()  # emptied in place, as the tables above
        for w, rows in data["streams"]:
            self._stream_tables[w] = {(user, m): _loaded(fields) for user, m, *fields in rows}
        self._members = {(m, w): dict.fromkeys(users) for m, w, users in data["members"]}
        self._closed_streams = set(data["closed"])
        self._stream_ends = dict(data.get("ended", {}))


def _loaded(fields: Sequence[Any]) -> Record:
    """An instance record from what :func:`_dumped` wrote."""
    state, progress, completions, values, periods, met, deadline, closed = fields
    return _record(
        MissionState(state).value,
        progress,
        completions,
        deadline,
        closed,
        None if values is None else tuple(values),
        None if periods is None else tuple((p, a) for p, a in periods) or None,
        None if met is None else tuple(met),
    )


def _dumped(record: Record) -> list[Any]:
    """An instance record as snapshot data: state, progress, completions, values, periods, met,
    claim deadline, closed (the order snapshots have always used)."""
    state, progress, completions, deadline, closed, values, periods, met = _full(record)
    return [
        state, progress, completions,
        None if values is None else list(values),
        None if periods is None else [[p, a] for p, a in periods],
        None if met is None else list(met),
        deadline, closed,
    ]  # fmt: skip
