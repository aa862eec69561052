"""Manual claims: the simulator's guess of when a viewer would press "claim".

The simulator cannot see the engine's mission state (it only makes events), so for each mission
with a manual claim it keeps a rough tally per viewer of what the mission measures (a count, or the
sum of a field) in the mission's current window. When the tally reaches the target, the viewer
claims some time later (most within the deadline, a few too late), with their own diligence. The
engine decides: claims for missions that are still locked or not complete are rejected, which is
what real apps see too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import attrs

from festengine.catalog.model import Fest, MeasureKind, Mission, Subject, WindowKind
from festengine.events import Event

__all__ = ["ClaimPlanner"]


@attrs.define(slots=True)
class _Tally:
    window: object
    value: int | Decimal = 0
    claimed: bool = False


@attrs.frozen(slots=True)
class _Tracked:
    mission: Mission
    window_of: Callable[[int, Event], object]


def _window_key(fest: Fest, mission: Mission) -> Callable[[int, Event], object]:
    """The mission's window instance for an event at ``ts`` (``None``: outside the window)."""
    window, calendar = mission.window, fest.calendar
    if window.kind is WindowKind.DAILY:
        return lambda ts, _e: calendar.day_of(ts)
    if window.kind is WindowKind.WEEKLY:
        return lambda ts, _e: calendar.week_of(ts)
    if window.kind is WindowKind.STREAM:
        return lambda _ts, e: e.stream_id
    if window.kind is WindowKind.PHASE and window.phase is not None and window.phase in fest.phases:
        phase = fest.phases[window.phase]
        low, high = phase.starts_at.timestamp(), phase.ends_at.timestamp()
        return lambda ts, _e: 0 if low <= ts < high else None
    if window.kind is WindowKind.BETWEEN and window.starts_at is not None and window.ends_at is not None:
        low, high = window.starts_at.timestamp(), window.ends_at.timestamp()
        return lambda ts, _e: 0 if low <= ts < high else None
    return lambda _ts, _e: 0


class ClaimPlanner:
    """Per viewer and manual-claim mission: the window, the tally and whether a claim was planned."""

    def __init__(self, fest: Fest, rng: random.Random) -> None:
        self._rng = rng
        self._by_type: dict[str, list[_Tracked]] = {}
        for mission in fest.missions.values():
            if mission.subject is not Subject.VIEWER or not mission.claim.manual:
                continue
            if mission.measure.kind not in (MeasureKind.COUNT, MeasureKind.SUM):
                continue
            tracked = _Tracked(mission, _window_key(fest, mission))
            self._by_type.setdefault(mission.counts.event, []).append(tracked)
        self._state: dict[tuple[str, str], _Tally] = {}

    @property
    def event_types(self) -> frozenset[str]:
        """The event types any manual-claim mission counts."""
        return frozenset(self._by_type)

    def observe(self, event: Event, ts: int, claim_chance: float) -> list[tuple[int, str]]:
        """Count ``event`` (as the engine would count it); return the claims to make: (time, mission id)."""
        claims: list[tuple[int, str]] = []
        for tracked in self._by_type.get(event.type, ()):
            mission = tracked.mission
            predicate = mission.counts.predicate
            if predicate is not None and not predicate(event):
                continue
            window = tracked.window_of(ts, event)
            if window is None:
                continue
            key = (event.user_id, mission.id)
            state = self._state.get(key)
            if state is None or state.window != window:
                state = self._state[key] = _Tally(window)
            state.value += _measured(mission, event)
            if not state.claimed and state.value >= mission.target:
                state.claimed = True
                if self._rng.random() < claim_chance:
                    claims.append((ts + self._delay(mission), mission.id))
        return claims

    def _delay(self, mission: Mission) -> int:
        within = mission.claim.within
        deadline = int(within.total_seconds()) if within is not None else 3 * 86400
        if self._rng.random() < 0.1:
            return deadline + self._rng.randint(60, 86400)
        return self._rng.randint(60, max(120, deadline * 9 // 10))


def _measured(mission: Mission, event: Event) -> int | Decimal:
    """What one event adds to the mission's measure: a field's value, or one per event (per gift or tap)."""
    if mission.measure.kind is MeasureKind.SUM:
        value = getattr(event, mission.measure.field or "", None)
        return value if isinstance(value, int | Decimal) else 0
    return event.count or 1 if event.type in ("gift", "like") else 1
