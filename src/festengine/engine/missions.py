"""Viewer missions: measures, windows, prerequisites, repeats, claims and rewards.

State is owned by the viewer key: each viewer has the mission instances of the windows they took
part in (``(mission id, window key) -> Instance``), the missions they have completed at least once
and the missions with prerequisites that are unlocked for them. Missions whose subject is a
community (a creator's or a stream's) belong to the social layer.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, Window, WindowKind
from festengine.engine.component import Check, Component, Handler, Rejection, StepContext, Subscriber
from festengine.engine.outcomes import (
    BadgeAwarded,
    MissionClaimed,
    MissionCompleted,
    MissionExpired,
    MissionProgressed,
    MissionUnlocked,
    Outcome,
)
from festengine.engine.transitions import MissionState, check_transition
from festengine.engine.windows import fixed_bounds, make_resolver
from festengine.events import Event

__all__ = ["Instance", "MissionStatus", "Missions"]

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


@attrs.define(slots=True)
class Instance:
    """One subject's run at one mission in one window."""

    state: MissionState = ACTIVE
    progress: int | Decimal = 0
    completions: int = 0
    #: distinct measure: the values seen
    values: set[Any] | None = None
    #: streak measure: amount per period not yet met, and the periods met (sorted)
    periods: dict[int, int] | None = None
    met: list[int] | None = None
    claim_deadline: float | None = None
    closed: bool = False


@attrs.define(slots=True)
class _Viewer:
    instances: dict[tuple[str, str], Instance] = attrs.field(factory=dict)
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
    claim_deadline: float | None


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
#: fixed closes, measure kind, field, weighted, target)
_Slot = tuple[_Compiled, str, Any, bool, int, str, float, float, float | None, int, str, bool, "int | Decimal"]


def longest_run(periods: list[int], grace: int) -> int:
    """The longest chain of met periods where gaps of up to ``grace`` missed periods are forgiven."""
    best = run = 0
    previous: int | None = None
    for period in periods:
        run = run + 1 if previous is not None and period - previous - 1 <= grace else 1
        best = max(best, run)
        previous = period
    return best


class Missions(Component):
    name: ClassVar[str] = "missions"

    def __init__(self, fest: Fest, engine: Any) -> None:
        super().__init__(fest, engine)
        self._viewers: dict[str, _Viewer] = {}
        #: stream id -> (user, mission id) of each instance in that stream, in the order opened
        self._by_stream: dict[str, list[tuple[str, str]]] = {}
        #: (mission, window) -> users with an instance there, in order; one timer closes them all
        self._members: dict[tuple[str, str], list[str]] = {}
        self._closed_streams: set[str] = set()
        self._fest_close = fest.ends_at.timestamp() + fest.allowed_lateness.total_seconds()
        #: stream id -> when it ended, until its windows close: later events are not part of it
        self._stream_ends: dict[str, float] = {}
        self._slots: dict[str, tuple[_Slot, ...]] = {}
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
        self._badge_dependents: dict[str, tuple[Mission, ...]] = {}
        for mission in fest.missions.values():
            if mission.requires.badge is not None and mission.subject is Subject.VIEWER:
                badge = mission.requires.badge.badge
                self._badge_dependents[badge] = (*self._badge_dependents.get(badge, ()), mission)

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
        return (
            compiled, mission.id, mission.counts.predicate, mission.requires.any, where, key, start, end, closes,
            measure, mission.measure.field or "", compiled.weighted, mission.target,
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
        return {BadgeAwarded: self._on_badge}

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
        for slot in self._slots[event.type]:
            (compiled, mission_id, predicate, gated, where, window, start, end, closes,
             kind, field, weighted, target) = slot  # fmt: skip
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
            if where == _FIXED:
                if not start <= ts < end:
                    continue
            elif where == _DAILY:
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
            key = (mission_id, window)
            instance = instances.get(key)
            if instance is None:
                if closes is None and stream in self._closed_streams:
                    continue
                instance = instances[key] = self._open(user, mission_id, window, closes, ctx)
            elif instance.state is not ACTIVE:
                continue
            if kind == _COUNT:
                progress = instance.progress = instance.progress + ((event.count or 1) if weighted else 1)
            elif kind == _SUM:
                amount = getattr(event, field)
                if not amount:
                    continue
                progress = instance.progress = instance.progress + amount
            else:
                found = self._measure(compiled, instance, event, ts)
                if found is None:
                    continue
                progress = found
            emit(MissionProgressed(event_id, user, mission_id, window, progress, target))
            if progress >= target:
                self._complete(user, viewer, compiled.mission, window, instance, ctx)

    def _stream_key(self, stream: str) -> str:
        """The window key of a stream, made once and shared by every instance in that stream."""
        key = "stream:" + stream
        if stream not in self._closed_streams:
            self._stream_keys[stream] = key
        return key

    def _open(self, user: str, mission_id: str, window: str, closes: float | None, ctx: StepContext) -> Instance:
        if closes is not None:
            key = (mission_id, window)
            members = self._members.get(key)
            if members is None:
                self._members[key] = [user]
                ctx.schedule(closes, self.name, ["window", mission_id, window])
            else:
                members.append(user)
        else:
            stream = window[7:]
            in_stream = self._by_stream.get(stream)
            if in_stream is None:
                in_stream = self._by_stream[stream] = []
                # a stream whose end never arrives still closes when the fest does
                ctx.schedule(self._fest_close, self.name, ["stream", stream])
            in_stream.append((user, mission_id))
        return Instance()

    def _measure(self, compiled: _Compiled, instance: Instance, event: Event, ts: float) -> int | Decimal | None:
        """Add the event to the instance; the new progress, or ``None`` if it did not change."""
        kind = compiled.kind
        if kind is MeasureKind.COUNT:
            instance.progress += (event.count or 1) if compiled.weighted else 1
        elif kind is MeasureKind.SUM:
            amount = getattr(event, compiled.field or "")
            if not amount:
                return None
            instance.progress += amount
        elif kind is MeasureKind.DISTINCT:
            value = getattr(event, compiled.field or "")
            values = instance.values
            if values is None:
                values = instance.values = set()
            if value is None or value in values:
                return None
            values.add(value)
            instance.progress = len(values)
        else:
            return self._streak(compiled, instance, event, ts)
        return instance.progress

    def _streak(self, compiled: _Compiled, instance: Instance, event: Event, ts: float) -> int | None:
        measure = compiled.mission.measure
        calendar = self.fest.calendar
        period = calendar.day_of(ts) if measure.period == "day" else calendar.week_of(ts)
        met = instance.met if instance.met is not None else []
        if period in met:
            return None
        periods = instance.periods if instance.periods is not None else {}
        amount = periods.get(period, 0) + ((event.count or 1) if compiled.weighted else 1)
        instance.periods, instance.met = periods, met
        if amount < measure.min_per_period:
            periods[period] = amount
            return None
        periods.pop(period, None)
        insort(met, period)
        best = longest_run(met, measure.grace)
        if best == instance.progress:
            return None
        instance.progress = best
        return best

    # ------------------------------------------------------------------ completion and claims

    def _complete(
        self, user: str, viewer: _Viewer, mission: Mission, window: str, instance: Instance, ctx: StepContext
    ) -> None:
        instance.state = check_transition(mission.id, instance.state, COMPLETED)
        instance.completions += 1
        deadline = None
        if mission.claim.manual and mission.claim.within is not None:
            deadline = ctx.ts + mission.claim.within.total_seconds()
            instance.claim_deadline = deadline
            ctx.schedule(
                deadline + self.engine._lateness,
                self.name,
                ["deadline", user, mission.id, window, instance.completions],
            )
        ctx.emit(MissionCompleted(ctx.event_id, user, mission.id, window, instance.completions, ctx.now_of(deadline)))
        first = mission.id not in viewer.completed
        viewer.completed[mission.id] = viewer.completed.get(mission.id, 0) + 1
        if not mission.claim.manual:
            self._grant(user, mission, window, instance, ctx)
        if first:
            self._unlock_dependents(user, viewer, mission.id, ctx)

    def _grant(self, user: str, mission: Mission, window: str, instance: Instance, ctx: StepContext) -> None:
        instance.state = check_transition(mission.id, instance.state, CLAIMED)
        instance.claim_deadline = None
        ctx.emit(MissionClaimed(ctx.event_id, user, mission.id, window, instance.completions))
        for reward in mission.rewards:
            ctx.grant(user, reward, mission.id)
        if instance.completions < mission.repeat and not instance.closed:
            instance.state = check_transition(mission.id, instance.state, ACTIVE)
            instance.progress = 0
            instance.values = None
            instance.periods = None
            instance.met = None

    def _claimable(self, user: str, mission_id: str, ts: float) -> tuple[str, Instance] | None:
        """The oldest completion waiting to be claimed whose deadline has not passed at ``ts``, else the
        oldest one waiting at all (so the check can say it is too late), else ``None``."""
        viewer = self._viewers.get(user)
        if viewer is None:
            return None
        late: tuple[str, Instance] | None = None
        for (found_id, window), instance in viewer.instances.items():
            if found_id == mission_id and instance.state is COMPLETED:
                deadline = instance.claim_deadline
                if deadline is None or ts <= deadline:
                    return window, instance
                if late is None:
                    late = window, instance
        return late

    def _check_claim(self, event: Event) -> Rejection | None:
        mission = self.fest.missions.get(event.mission_id or "")
        if mission is None or mission.subject is not Subject.VIEWER:
            return Rejection("unknown_mission", f"there is no viewer mission {event.mission_id!r} to claim")
        if not mission.claim.manual:
            return Rejection("not_claimable", f"mission {mission.id!r} grants its rewards automatically")
        found = self._claimable(event.user_id, mission.id, event.occurred_at.timestamp())
        if found is None:
            return Rejection("nothing_to_claim", f"mission {mission.id!r} has no completion waiting to be claimed")
        deadline = found[1].claim_deadline
        if deadline is not None and event.occurred_at.timestamp() > deadline:
            return Rejection("claim_too_late", f"the claim deadline of mission {mission.id!r} has passed")
        return None

    def _claim_event(self, event: Event, ctx: StepContext) -> None:
        found = self._claimable(event.user_id, event.mission_id or "", ctx.ts)
        if found is None:  # the check ran just before; time passing may have expired it
            return
        window, instance = found
        if instance.claim_deadline is not None and ctx.ts > instance.claim_deadline:
            return
        self._grant(event.user_id, self.fest.missions[event.mission_id or ""], window, instance, ctx)
        self._forget_if_done(event.user_id, event.mission_id or "", window, instance)

    # ------------------------------------------------------------------ prerequisites

    def _requirements_met(self, user: str, viewer: _Viewer, mission: Mission) -> bool:
        requires = mission.requires
        completed = viewer.completed
        for required in requires.missions:
            if required not in completed:
                return False
        if requires.badge is not None:
            profiles: Any = self.engine.components["profiles"]
            if not profiles.has_badge(user, requires.badge.badge, requires.badge.tier):
                return False
        if requires.fan_club_level is not None:
            social: Any = self.engine.components.get("social")
            level = social.fan_club_level(user) if social is not None else 0
            if level < requires.fan_club_level:
                return False
        return True

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
        dependents = tuple(
            self.fest.missions[d]
            for d in self.fest.dependents.get(mission_id, ())
            if self.fest.missions[d].subject is Subject.VIEWER
        )
        if dependents:
            self.recheck_unlocks(user, dependents, ctx)

    def _on_badge(self, outcome: BadgeAwarded, ctx: StepContext) -> None:
        dependents = self._badge_dependents.get(outcome.badge_id)
        if dependents:
            self.recheck_unlocks(outcome.user_id, dependents, ctx)

    # ------------------------------------------------------------------ time

    def _stream_ended(self, event: Event, ctx: StepContext) -> None:
        stream = event.stream_id or ""
        if stream not in self._closed_streams:
            self._stream_ends[stream] = min(self._stream_ends.get(stream, ctx.ts), ctx.ts)
        ctx.schedule(ctx.ts + self.engine._lateness, self.name, ["stream", stream])

    def on_timer(self, payload: list[Any], ctx: StepContext) -> None:
        what = payload[0]
        if what == "window":
            mission_id, window = payload[1], payload[2]
            self._close_all(mission_id, window, self._members.pop((mission_id, window), ()), ctx)
        elif what == "deadline":
            self._deadline(payload[1], payload[2], payload[3], payload[4], ctx)
        elif what == "stream":
            stream = payload[1]
            self._closed_streams.add(stream)
            self._stream_ends.pop(stream, None)
            window = self._stream_keys.pop(stream, None) or "stream:" + stream
            for user, mission_id in self._by_stream.pop(stream, ()):  # in the order opened
                self._close_all(mission_id, window, (user,), ctx)

    def _close_all(self, mission_id: str, window: str, users: Iterable[str], ctx: StepContext) -> None:
        """Close one window for each of ``users``: unfinished instances expire, settled ones are forgotten."""
        key = (mission_id, window)
        viewers = self._viewers
        emit = ctx.emitter(MissionExpired)
        event_id = ctx.event_id
        active = ACTIVE.value
        expired = check_transition(mission_id, ACTIVE, EXPIRED)  # the only move made below, checked once
        for user in users:
            instance = viewers[user].instances.get(key)
            if instance is None:
                continue
            instance.closed = True
            if instance.state is ACTIVE:
                instance.state = expired
                emit(MissionExpired(event_id, user, mission_id, window, active, instance.progress))
            self._forget_if_done(user, mission_id, window, instance)

    def _deadline(self, user: str, mission_id: str, window: str, completion: int, ctx: StepContext) -> None:
        instance = self._viewers[user].instances.get((mission_id, window))
        if instance is None or instance.state is not COMPLETED or instance.completions != completion:
            return
        instance.state = check_transition(mission_id, COMPLETED, EXPIRED)
        instance.claim_deadline = None
        ctx.emit(MissionExpired(ctx.event_id, user, mission_id, window, COMPLETED.value, instance.progress))
        self._forget_if_done(user, mission_id, window, instance)

    def _forget_if_done(self, user: str, mission_id: str, window: str, instance: Instance) -> None:
        """Recurring windows (days, weeks, streams) keep no state once closed and settled."""
        if instance.closed and instance.state is not COMPLETED and mission_id in self._recurring:
            del self._viewers[user].instances[(mission_id, window)]

    # ------------------------------------------------------------------ queries

    def status(self, user: str) -> list[MissionStatus]:
        """Every viewer mission for ``user``, in pack order: one row per window taken part in, or one
        row in state ``active`` (or ``locked``) with no progress for a mission not started."""
        viewer = self._viewers.get(user) or _Viewer()
        rows: list[MissionStatus] = []
        for mission in self.fest.missions.values():
            if mission.subject is not Subject.VIEWER:
                continue
            found = [(w, i) for (m, w), i in viewer.instances.items() if m == mission.id]
            if not found:
                locked = mission.requires.any and mission.id not in viewer.unlocked
                state = LOCKED if locked and not self._requirements_met(user, viewer, mission) else ACTIVE
                rows.append(
                    MissionStatus(mission.id, mission.title, state.value, None, 0, mission.target,
                                  viewer.completed.get(mission.id, 0), None)
                )  # fmt: skip
            for window, instance in found:
                rows.append(
                    MissionStatus(mission.id, mission.title, instance.state.value, window, instance.progress,
                                  mission.target, instance.completions, instance.claim_deadline)
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
                    "i": [
                        [m, w, i.state.value, i.progress, i.completions,
                         None if i.values is None else sorted(i.values, key=repr),
                         None if i.periods is None else [[p, a] for p, a in i.periods.items()],
                         i.met, i.claim_deadline, i.closed]
                        for (m, w), i in v.instances.items()
                    ],
                    "c": v.completed,
                    "u": v.unlocked,
                }
                for user, v in self._viewers.items()
            },
            "streams": self._by_stream,
            "members": [[m, w, users] for (m, w), users in self._members.items()],
            "closed": sorted(self._closed_streams),
            "ended": self._stream_ends,
        }  # fmt: skip

    def load(self, data: Any) -> None:
        self._viewers = {}
        for user, raw in data["viewers"].items():
            viewer = _Viewer(completed=dict(raw["c"]), unlocked=dict(raw["u"]))
            for m, w, state, progress, completions, values, periods, met, deadline, closed in raw["i"]:
                viewer.instances[(m, w)] = Instance(
                    state=MissionState(state),
                    progress=progress,
                    completions=completions,
                    values=None if values is None else set(values),
                    periods=None if periods is None else dict(periods),
                    met=met,
                    claim_deadline=deadline,
                    closed=closed,
                )
            self._viewers[user] = viewer
        self._by_stream = {stream: [(u, m) for u, m in items] for stream, items in data["streams"].items()}
        self._members = {(m, w): list(users) for m, w, users in data["members"]}
        self._closed_streams = set(data["closed"])
        self._stream_ends = dict(data.get("ended", {}))
