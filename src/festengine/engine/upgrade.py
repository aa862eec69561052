"""Moving a running engine to a changed pack: the procedure every component's upgrade hook follows.

An upgrade is planned, then built beside the running engine, never in it:

1. **Diff**: :func:`festengine.catalog.diff.diff_fests` lists the changes; those refused whatever the
   state are refusals at once.
2. **Judge**: each component's hook (:class:`ComponentUpgrade`) looks at its live state and adds
   the refusals that depend on it (a window that already ended, a badge already awarded…) and says
   what the change will do (:attr:`UpgradePlan.effects`). Any refusal raises
   :class:`~festengine.errors.UpgradeRefusedError`, and nothing has changed.
3. **Migrate**: the engine's snapshot is decoded; each hook fits its part (and its timers) to the
   new pack, e.g. drops a removed mission's instances.
4. **Load**: a new engine for the new pack loads that state, checked against the new pack's shapes
   like any snapshot (a state that does not fit is refused too).
5. **Settle**: each hook acts on the new engine at the current event time through a step context:
   completions re-checked, budgets topped up, instances withdrawn; the outcomes are the upgrade's.

The caller (the composition root) then puts the new engine's state in place of the old. The
engine's time is its clock (the newest event), or the fest's start before any event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from festengine.catalog.diff import Change, ChangeKind, PackDiff, diff_fests
from festengine.catalog.model import Fest
from festengine.engine.component import Component, StepContext, TimerPayload
from festengine.engine.core import EngineCore, restoring
from festengine.engine.outcomes import Outcome
from festengine.engine.restore import restore_state
from festengine.engine.snapshot import read as read_snapshot
from festengine.errors import SnapshotError, UpgradeRefusedError

__all__ = ["ComponentData", "ComponentUpgrade", "UpgradePlan", "UpgradeTimers", "plan_upgrade", "upgrade_engine"]

#: a component's part of a decoded snapshot (what its ``dump()`` wrote, as JSON-ready data)
ComponentData = dict[str, Any]
_E = TypeVar("_E", bound=EngineCore)

#: what each kind of change does, said by ``festengine diff`` after the change
RULES: Mapping[ChangeKind, str] = {
    ChangeKind.TEXT: "text only",
    ChangeKind.ADDED: "starts now",
    ChangeKind.REMOVED: "ends now",
    ChangeKind.TARGET: "progress kept, completion re-checked now, never taken back",
    ChangeKind.WINDOW: "the window moves (it has not ended)",
    ChangeKind.AMOUNT: "the difference is posted to the budget now",
    ChangeKind.EXTENDED: "extended",
    ChangeKind.FROM_NOW_ON: "applies from now on",
}


class UpgradeTimers:
    """The timers of a state being upgraded, for the hooks to move, drop or add (kept a heap)."""

    def __init__(self, timers: list[list[Any]], issued: int) -> None:
        self._timers = timers
        self.issued = issued

    def payloads(self, component: str) -> list[TimerPayload]:
        """The payloads of one component's timers, in queue order."""
        return [timer[3] for timer in self._timers if timer[2] == component]

    def drop(self, component: str, dropped: Callable[[TimerPayload], bool]) -> None:
        """Drop the component's timers whose payload ``dropped`` says."""
        self._timers[:] = [t for t in self._timers if t[2] != component or not dropped(t[3])]

    def move(self, component: str, payload: TimerPayload, due: float) -> None:
        """Make the component's timers with exactly this payload due at ``due``."""
        for timer in self._timers:
            if timer[2] == component and timer[3] == payload:
                timer[0] = due

    def add(self, due: float, component: str, payload: TimerPayload) -> None:
        """A new timer, numbered after every timer issued so far."""
        self.issued += 1
        self._timers.append([due, self.issued, component, payload])

    def write(self, state: dict[str, Any]) -> None:
        heapq.heapify(self._timers)
        state["timers"] = self._timers
        state["timer_seq"] = self.issued


class ComponentUpgrade:
    """What one component does when its fest's pack changes; by default nothing: its state is carried.

    A hook is made for one upgrade (``old`` and ``new`` fests) and may keep what ``migrate`` found
    for ``settle``. Subclasses live beside their mechanic (``engine/missions/upgrade.py``…).
    """

    def __init__(self, old: Fest, new: Fest) -> None:
        self.old = old
        self.new = new

    def refusals(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        """The changes this component's live state cannot take, each said in one line."""
        return []

    def effects(self, diff: PackDiff, component: Component, now: float) -> list[str]:
        """What the changes will do to this component's live state, each in one line."""
        return []

    def migrate(self, diff: PackDiff, data: ComponentData, timers: UpgradeTimers, now: float) -> None:
        """Fit the component's decoded state (and its timers) to the new pack, in place."""

    def settle(self, diff: PackDiff, component: Component, ctx: StepContext) -> None:
        """Act on the new engine's component now (its outcomes are the upgrade's)."""


@attrs.frozen(slots=True)
class UpgradePlan:
    """What moving a running fest to a new pack would do, or why it is refused."""

    diff: PackDiff
    #: every change refused, with why (empty: the upgrade can run)
    refusals: tuple[str, ...]
    #: what the changes will do to the live state
    effects: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    def lines(self) -> list[str]:
        """The changes, each with its rule, then the effects, then the refusals."""
        found = [_line(change) for change in self.diff.changes if change.kind is not ChangeKind.REFUSED]
        found += self.effects
        found += [f"refused: {reason}" for reason in self.refusals]
        return found


def _line(change: Change) -> str:
    return f"{change.describe()}: {RULES[change.kind]}"


def engine_now(engine: EngineCore) -> float:
    """The engine's time: its clock, or the fest's start before any event."""
    return engine._clock if engine._clock is not None else engine.fest.starts_at.timestamp()


def plan_upgrade(engine: EngineCore, new: Fest, hooks: Mapping[str, ComponentUpgrade]) -> UpgradePlan:
    """Judge moving ``engine`` to the fest ``new`` without changing anything."""
    if engine.failed:
        engine.snapshot()  # raises the failure: a failed engine takes no upgrade either
    diff = diff_fests(engine.fest, new)
    now = engine_now(engine)
    refusals = [change.describe() for change in diff.refused]
    effects: list[str] = []
    for name, hook in hooks.items():
        component = engine.components[name]
        refusals += hook.refusals(diff, component, now)
        effects += hook.effects(diff, component, now)
    return UpgradePlan(diff, tuple(refusals), tuple(effects))


def upgrade_engine(
    engine: EngineCore, new: Fest, build: Callable[[Fest], _E], hooks: Mapping[str, ComponentUpgrade]
) -> tuple[_E, UpgradePlan, list[Outcome]]:
    """A new engine (made by ``build``) for the fest ``new`` holding ``engine``'s state moved to it,
    the plan it followed and the upgrade's outcomes; ``engine`` itself is never changed.

    Raises :class:`UpgradeRefusedError` naming every refused change.
    """
    plan = plan_upgrade(engine, new, hooks)
    if plan.refused:
        raise UpgradeRefusedError(plan.refusals)
    now = engine_now(engine)
    state = read_snapshot(engine.snapshot(), engine.fest.fingerprint, None)
    timers = UpgradeTimers(state["timers"], state["timer_seq"])
    for name, hook in hooks.items():
        hook.migrate(plan.diff, state["components"][name], timers, now)
    timers.write(state)
    state["fest"] = new.fingerprint
    with restoring():
        upgraded = build(new)
    try:
        restore_state(upgraded, state)
    except Exception as error:  # a state the hooks did not fit: refused, the running engine is untouched
        reason = error if isinstance(error, SnapshotError) else repr(error)
        raise UpgradeRefusedError([f"the running fest's state does not fit the new pack ({reason})"]) from error
    ctx = StepContext(upgraded._routing, None, now)
    for name, hook in hooks.items():
        hook.settle(plan.diff, upgraded.components[name], ctx)
    return upgraded, plan, ctx.outcomes
